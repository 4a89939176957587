"""Issue 24's remaining items (15a–d, 12, 13, 8), each driven through the real window or the CLI."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from tiny_models import save, tiny_gpt2

PROMPT = "the cat sat on the mat"


def _pixel(view, view_point: QPointF):
    """The colour the user sees at a point of a plot's view coordinates."""
    image = view.grab().toImage()
    scene = view.plot.getViewBox().mapViewToScene(view_point)
    at = view.mapFromScene(scene)
    colour = image.pixelColor(at.x(), at.y())
    return colour.red(), colour.green(), colour.blue()


def _hue(name: str) -> str:
    colour = QColor(name)
    return "red" if colour.red() > colour.blue() else "blue"


# -- 15a: a grid's tiles past the last head are background, not a head ----------------------------
def test_empty_tiles_of_a_nine_head_grid_are_background(open_window, qtbot, tmp_path, wait_idle):
    folder = save(*tiny_gpt2(heads=9), tmp_path / "nine")
    window = open_window(str(folder), text=PROMPT)
    window.resize(1400, 800)
    grid = window.attention.grid
    splitter = window.attention.grid_splitter
    for height in range(100, 500, 10):  # lower the grid's pane until 9 heads lie on a grid with a gap (5 × 2)
        splitter.setSizes([height, 1000])
        qtbot.wait(30)
        if grid.columns * math.ceil(9 / grid.columns) > 9:
            break
    assert grid.columns * math.ceil(9 / grid.columns) > 9, grid.columns
    wait_idle(window)
    empty = grid.empty_tiles()
    assert len(empty) == grid.columns * math.ceil(9 / grid.columns) - 9
    grid.grab().save("/tmp/new-user-2/nine-heads.png")
    for rect in empty:
        assert _pixel(grid, rect.center()) == (255, 255, 255)
    assert _pixel(grid, grid.plot.getViewBox().mapSceneToView(grid.tile_center(0, 0))) != (255, 255, 255)


# -- 15b: `attnlab figure --view all-layers` needs no --layer -------------------------------------
def test_figure_all_layers_without_a_layer(qapp, capsys, tiny_folders, tmp_path):
    from figure_checks import pdf_metadata, pdf_pages

    from attnlab.app.cli import main

    out = tmp_path / "layers.pdf"
    args = ["figure", "--model", tiny_folders["gpt2"], "--text", PROMPT, "--view", "all-layers"]
    assert main([*args, "--out", str(out)]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("wrote ")
    data = out.read_bytes()
    assert pdf_pages(data) == 1 and pdf_metadata(data).view == "all-layers"
    # a single-layer view still asks for its layer, before loading anything, and says why
    assert main(["figure", "--model", tiny_folders["gpt2"], "--text", PROMPT, "--out", str(tmp_path / "h.png")]) != 0
    assert "--layer is needed for --view heatmap" in capsys.readouterr().err


# -- 15c: a bare encoder (MiniLM: no head) says why there are no predictions and no [MASK] ---------
def test_a_bare_encoder_says_why_it_predicts_nothing(open_window, qtbot, tmp_path, wait_idle):
    from tiny_models import tiny_bert

    masked_lm, tokenizer = tiny_bert()
    folder = save(masked_lm.bert, tokenizer, tmp_path / "bare")  # the encoder alone: BertModel, no head
    window = open_window(str(folder), text=PROMPT)
    wait_idle(window)
    assert window.document.info.kind == "encoder" and not window.document.info.has_mlm_head
    note = window.no_head_note
    assert note.isVisibleTo(window) and "bare encoder" in note.text()
    assert not window.mask_predictions.isVisibleTo(window) and not window.candidates.isVisibleTo(window)
    assert note.height() > 100  # it fills the column the predictions would have filled
    window.grab().save("/tmp/new-user-2/bare-encoder.png")
    menu = window.token_strip.menu_for(1)
    mask = next(a for a in menu.actions() if a.objectName() == "action_mask")
    assert not mask.isEnabled()
    assert "no masked-language-model head" in mask.toolTip() and menu.toolTipsVisible()
    knockout = next(a for a in menu.actions() if a.objectName() == "action_knockout")
    assert knockout.isEnabled()
    # a model with a head: no note, [MASK] offered
    window.start(str(save(*tiny_bert(), tmp_path / "headed")))
    qtbot.waitUntil(lambda: window.document.info.has_mlm_head, timeout=20_000)
    wait_idle(window)
    assert not note.isVisibleTo(window)
    assert next(a for a in window.token_strip.menu_for(1).actions() if a.objectName() == "action_mask").isEnabled()


# -- 15d: the importance table says what its sign means ------------------------------------------
def test_the_importance_table_has_a_legend_for_its_sign(open_window, qtbot, tiny_folders, wait_idle):
    from attnlab.engine.api.results import HeadImportance, LensResult

    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    with qtbot.waitSignal(
        window.client.prediction_explained, timeout=20_000, check_params_cb=lambda r: isinstance(r, LensResult)
    ):
        window.prediction.toggleViewAction().trigger()
    view = window.prediction.view
    view.tabs.setCurrentIndex(1)
    assert not view.importance_legend.isVisibleTo(view)  # no map yet, nothing to explain
    with qtbot.waitSignal(
        window.client.prediction_explained,
        timeout=20_000,
        check_params_cb=lambda r: isinstance(r, HeadImportance) and r.exact,
    ) as reply:
        view.compute_button.click()
    wait_idle(window)
    legend = view.importance_legend
    assert legend.isVisibleTo(view)
    assert "positive: the head helps" in legend.text() and "negative: the head works against" in legend.text()
    values = reply.args[0].values  # [layer, head]
    for value, sign in ((values.max(), "positive"), (values.min(), "negative")):
        layer, head = (int(i) for i in zip(*((values == value).nonzero()), strict=True).__next__())
        colour = view.importance_table.item(layer, head).background().color().name()
        # the legend's swatch before each word is the hue its cells are painted in
        swatch = legend.text().split(sign)[0].rsplit("background:", 1)[1][:7]
        assert _hue(colour) == _hue(swatch), (sign, colour, swatch)
    view.grab().save("/tmp/new-user-2/importance.png")


# -- 12: after the probe, its column is named apart from the text's "induction" --------------------
def test_the_probe_column_is_not_a_second_induction(open_window, qtbot, wait_idle):
    from attnlab.app.head_metrics import PROBE

    window = open_window("tiny-gpt", text=PROMPT)
    with qtbot.waitSignal(window.client.induction_probed, timeout=30_000):
        window.analysis_actions["probe"].trigger()
    wait_idle(window)
    table = window.attention.heads_table
    assert "induction" in table.columns and PROBE in table.columns
    header = {name: table.horizontalHeaderItem(table.columns.index(name)).text() for name in ("induction", PROBE)}
    assert header[PROBE].startswith("probe")  # its first word tells it apart, even when the header is cut short
    assert not header[PROBE].startswith(header["induction"])
    section = table.horizontalHeader().sectionSize(table.columns.index(PROBE))
    assert section >= table.horizontalHeader().fontMetrics().horizontalAdvance(header[PROBE])


# -- 8: tiny-bert's next-sentence result says how much of the text it reads as pieces --------------
def _odd_word_share(tokenizer, text: str) -> float:
    """Independently: each whitespace/punctuation word through the tokenizer on its own."""
    words = tokenizer.backend_tokenizer.pre_tokenizer.pre_tokenize_str(text)
    odd = [w for w, _ in words if len(tokenizer.tokenize(w)) > 1 or tokenizer.unk_token in tokenizer.tokenize(w)]
    return len(odd) / len(words)


def test_next_sentence_says_how_many_words_are_pieces(open_window, qtbot, wait_idle):
    from transformers import AutoTokenizer

    everyday = "The cat sat on the mat.\nIt was very happy there."
    window = open_window("tiny-bert", text=everyday)
    wait_idle(window)
    tokenizer = AutoTokenizer.from_pretrained(str(window.document.info.path))
    share = _odd_word_share(tokenizer, everyday)
    assert share > 0.2  # tiny-bert's vocabulary spells these words out
    slots = dict(window.mask_predictions.slots())
    (caution, _), *_ = slots["sentence B follows A"]
    assert f"{share:.0%} of the words are unknown or split into pieces" in caution
    assert "treat this probability with care" in caution
    window.mask_predictions.grab().save("/tmp/new-user-2/nsp.png")
    # the lesson's own sentences are in its vocabulary: no caution
    trained = "Rose and Lily played in the garden.\nIn the garden, Rose lost her hat."
    assert _odd_word_share(tokenizer, trained) == 0
    with qtbot.waitSignal(window.client.analysed, timeout=20_000):
        window.set_text(trained)
    wait_idle(window)
    assert dict(window.mask_predictions.slots())["sentence B follows A"] == []


# -- 13: a long document opens on the log scale, and says so ---------------------------------------
def test_a_long_document_opens_on_the_log_scale(open_window, qtbot, tmp_path, wait_idle):
    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = str(save(*tiny_gpt2(seed=3, positions=1024), tmp_path / "long"))
    words = PROMPT.split()
    short, text = " ".join(words), " ".join(words[i % len(words)] for i in range(599))
    window = open_window(folder, text=short)
    panel = window.attention
    assert panel.picker.scale == "linear"
    window.client.set_store_mode("long")
    window.text_input.setPlainText(text)
    qtbot.waitUntil(lambda: window.document.long is not None, timeout=30_000)
    wait_idle(window, 30_000)
    heatmap = panel.heatmap
    assert panel.picker.scale == "log" and "log scale for a long document" in heatmap.title
    # what is drawn: the log colours of the model's own weights, max-pooled (computed here, not by the app)
    model = AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager").eval()
    ids = AutoTokenizer.from_pretrained(folder)(text, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        eager = model(ids, output_attentions=True).attentions[0][0, 0].numpy()  # [q, k] layer 0 head 0
    panel.picker.select(layer=0, head=0)
    wait_idle(window)
    factor = window.document.long.factor
    n = eager.shape[0]
    cells = -(-n // factor)
    padded = np.zeros((cells * factor, cells * factor), np.float32)
    padded[:n, :n] = eager
    pooled = padded.reshape(cells, factor, cells, factor).max(axis=(1, 3))
    with np.errstate(divide="ignore"):
        log = np.where(pooled > 0, np.clip((np.log10(pooled) + 4) / 4, 0, 1), 0)
    np.testing.assert_allclose(heatmap.displayed_image(), log, atol=2e-2)
    lower = np.tril_indices(cells, -1)  # keys before each query: what the causal rows spread over
    assert log[lower].std() > 3 * pooled[lower].std()  # structure shows, where linear is one dark field
    heatmap.grab().save("/tmp/new-user-2/long-log.png")
    # a scale the user picks stays, and the note goes
    panel.picker.set_colours("linear", False)
    wait_idle(window)
    assert "log scale for a long document" not in heatmap.title
    window.text_input.setPlainText(text + " again")
    wait_idle(window, 30_000)
    assert panel.picker.scale == "linear"
