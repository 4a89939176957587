"""The window on a long document: the engine's long-document mode (forced here on a few hundred tokens) is
drawn as each head's max-pooled overview, exact where the user zooms in, and what needs every exact weight
says why it is off. Checked against an independent eager forward of the same saved model."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from strip_clicks import click_token
from transformers import AutoModelForCausalLM, AutoTokenizer

from attnlab.app.requests import Region, RegionWeights

WORDS = "the cat sat on the mat and the dog ran to the big red rug in Paris".split()
TOKENS = 600  # with "<s>"
REPLY_MS = 30_000


@pytest.fixture(scope="module")
def long_gpt2(tmp_path_factory: pytest.TempPathFactory) -> str:
    from tiny_models import save, tiny_gpt2

    return str(save(*tiny_gpt2(seed=3, positions=2048), tmp_path_factory.mktemp("long") / "gpt2"))


def text_of(count: int) -> str:
    return " ".join(WORDS[i % len(WORDS)] for i in range(count - 1))


def eager_attention(folder: str, text: str, knocked: int | None = None) -> np.ndarray:
    """[layer, head, query, key] from the model's own eager attention (output_attentions); `knocked`: a key
    no query may see, through the model's own attention mask (positions passed, so none shifts)."""
    model = AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager").eval()
    ids = AutoTokenizer.from_pretrained(folder)(text, return_tensors="pt")["input_ids"]
    seen = torch.ones_like(ids)
    if knocked is not None:
        seen[0, knocked] = 0
    positions = torch.arange(ids.shape[1])[None]
    with torch.no_grad():
        out = model(ids, attention_mask=seen, position_ids=positions, output_attentions=True)
    return torch.stack(out.attentions)[:, 0].numpy()


def pooled(matrix: np.ndarray, f: int) -> np.ndarray:
    """Max over f × f blocks of [..., n, n] (zero-padded at the end): written here, not the project's pooling."""
    n = matrix.shape[-1]
    cells = -(-n // f)
    padded = np.zeros((*matrix.shape[:-2], cells * f, cells * f), np.float32)
    padded[..., :n, :n] = matrix
    blocks = padded.reshape(*matrix.shape[:-2], cells, f, cells, f)
    return blocks.max(axis=(-3, -1))


def zoom(heatmap, rows: tuple[int, int], cols: tuple[int, int]) -> None:
    heatmap.plot.getViewBox().setRange(
        xRange=(cols[0] - 0.5, cols[1] - 0.5), yRange=(rows[0] - 0.5, rows[1] - 0.5), padding=0
    )


@pytest.fixture
def long_window(open_window, long_gpt2, qtbot, wait_idle):
    window = open_window(long_gpt2)
    window.client.set_store_mode("long")
    window.text_input.setPlainText(text_of(TOKENS))
    qtbot.waitUntil(lambda: window.document.long is not None, timeout=REPLY_MS)
    wait_idle(window, REPLY_MS)
    window.attention.picker.set_colours("linear", False)  # long documents open on log colours; these check linear
    wait_idle(window, REPLY_MS)
    return window


def test_the_window_switches_to_long_mode_when_exact_attention_does_not_fit(
    open_window, long_gpt2, qtbot, wait_idle, monkeypatch
):
    window = open_window(long_gpt2, text=text_of(40))
    assert window.document.long is None and "decoder" in window.document.snapshot.stacks  # short: exact
    # 1,700 tokens + 256 to generate: the exact store needs about 79 MB, the long mode about 53 MB.
    monkeypatch.setattr("attnlab.engine.api.memory_budget.available_memory", lambda: 80 * 2**20)  # 64 MiB to use
    window.text_input.setPlainText(text_of(1700))
    qtbot.waitUntil(lambda: window.document.long is not None, timeout=REPLY_MS)
    wait_idle(window, REPLY_MS)
    assert window.document.long.rows == 1700 and not window.banner.isVisible()
    assert window.attention.heatmap.overview is not None


def test_overview_grid_and_zoomed_region_equal_eager_attention(long_window, long_gpt2, qtbot, wait_idle):
    window = long_window
    eager = eager_attention(long_gpt2, text_of(TOKENS))  # [layer, head, q, k]
    layers, heads, n, _ = eager.shape
    assert n == TOKENS
    long = window.document.long
    assert long.rows == n and window.document.snapshot is not None and "decoder" not in window.document.snapshot.stacks
    factor = long.factor
    assert factor > 1  # a real overview: 600 tokens + 256 to generate, at most 512 cells

    panel, heatmap = window.attention, window.attention.heatmap
    panel.picker.select(layer=1, head=2)
    wait_idle(window)
    overview = heatmap.overview
    assert overview is not None and heatmap.shape == (n, n) and heatmap.matrix.size == 0
    np.testing.assert_allclose(overview.weights, pooled(eager[1, 2], factor), atol=2e-3)
    np.testing.assert_allclose(heatmap.displayed_image(), pooled(eager[1, 2], factor), atol=2e-3)  # linear colours
    assert heatmap.title == f"decoder self-attention · layer 1 · head 2 · max of {factor}×{factor} tokens"
    assert f"max of {factor}×{factor} tokens" in heatmap.text_at(300, 10)

    # The grid: every layer × head, each the pooled eager attention.
    panel.picker.all_layers_box.setChecked(True)
    wait_idle(window)
    montage = panel.grid.image.image
    th, tw = panel.grid._pixels
    assert montage.shape == (layers * th, heads * tw)
    for layer in range(layers):
        for head in range(heads):
            tile = montage[layer * th : (layer + 1) * th, head * tw : (head + 1) * tw]
            fy = -(-n // th)
            fy = factor * -(-fy // factor)
            np.testing.assert_allclose(tile, pooled(eager[layer, head], fy), atol=2e-3)

    # Head scores colour the grid: the engine computes them from recomputed rows (here: weight on the previous token).
    with qtbot.waitSignal(window.client.heads_scored, timeout=REPLY_MS):
        panel.scores_bar.set_metric("prev_token")
    wait_idle(window)
    previous = eager[:, :, np.arange(1, n), np.arange(n - 1)].mean(axis=-1)  # [layer, head]
    for layer in range(layers):
        for head in range(heads):
            assert panel.grid.metric_value(layer, head) == pytest.approx(previous[layer, head], abs=2e-3)
    panel.scores_bar.set_metric("attention")
    panel.picker.all_layers_box.setChecked(False)
    wait_idle(window)

    # Zoomed to ≤ 512 tokens: the exact weights, asked of the engine, drawn cell for cell.
    with qtbot.waitSignal(window.client.region_computed, timeout=REPLY_MS):
        zoom(heatmap, (400, 480), (350, 470))
    wait_idle(window)
    region = heatmap.region
    assert region is not None
    q0, q1, k0, k1 = region.bounds
    assert q0 <= 400 and q1 >= 480 and k0 <= 350 and k1 >= 470 and q1 - q0 <= 512 and k1 - k0 <= 512
    np.testing.assert_allclose(region.weights, eager[1, 2, q0:q1, k0:k1], atol=2e-3)
    np.testing.assert_allclose(heatmap.displayed_image(), eager[1, 2, q0:q1, k0:k1], atol=2e-3)
    exact = heatmap.text_at(450, 420)
    assert "max of" not in exact and f"{eager[1, 2, 450, 420]:.3f}"[:-1] in exact
    assert heatmap.title == "decoder self-attention · layer 1 · head 2 · exact"  # not "max of"
    zoom(heatmap, (0, n), (0, n))  # out again: the overview and its title
    wait_idle(window)
    np.testing.assert_allclose(heatmap.displayed_image(), pooled(eager[1, 2], factor), atol=2e-3)
    assert heatmap.title.endswith(f"max of {factor}×{factor} tokens")
    zoom(heatmap, (400, 480), (350, 470))  # in again: the region it holds, drawn at once
    wait_idle(window)
    assert heatmap.title.endswith("· exact") and heatmap.region is region

    # A step adds a row and keeps the region (causal rows never change); the overview grows.
    with qtbot.waitSignal(window.client.stepped, timeout=REPLY_MS):
        window.step()
    wait_idle(window)
    assert heatmap.shape == (n + 1, n + 1) and heatmap.region is not None


def test_stale_region_reply_is_dropped(long_window, qtbot, wait_idle):
    window = long_window
    panel, heatmap = window.attention, window.attention.heatmap
    panel.picker.select(layer=0, head=1)
    zoom(heatmap, (100, 200), (0, 120))
    qtbot.waitUntil(lambda: heatmap.region is not None, timeout=REPLY_MS)
    wait_idle(window)
    shown = heatmap.region
    view = heatmap.overview.key[0]
    # A reply for another head (the user moved on) or an older text does not replace what is shown.
    other_head = Region(0, 0, shown.bounds[:2], shown.bounds[2:], view)
    panel.show_region(RegionWeights(other_head, np.ones((100, 120), np.float32)))
    older_text = Region(0, 1, shown.bounds[:2], shown.bounds[2:], view - 1)
    panel.show_region(RegionWeights(older_text, np.ones((100, 120), np.float32)))
    assert heatmap.region is shown
    # A reply that comes after a newer analysis was sent is dropped by the client (Latest/rid).
    got = []
    window.client.region_computed.connect(got.append)
    window.client.region(0, 1, (0, 10), (0, 10), view)  # as if asked just before the text changed
    window.client.analyse(text_of(TOKENS - 10))
    qtbot.waitUntil(
        lambda: window.document.long is not None and window.document.long.rows == TOKENS - 10, timeout=REPLY_MS
    )
    wait_idle(window)
    assert all(reply.request.queries != (0, 10) for reply in got)  # the window's own new asks may come back


def test_what_needs_every_exact_weight_says_why(long_window, qtbot, wait_idle, tmp_path):
    window = long_window
    panel, heatmap = window.attention, window.attention.heatmap
    assert not panel.picker.mean_box.isEnabled() and "long document" in panel.picker.mean_box.toolTip()
    panel.picker.mean_box.setEnabled(True)
    panel.picker.mean_box.setChecked(True)  # ticked before the text grew long: it says why, and can be unticked
    assert "the mean of heads is not available for a long document" in heatmap.title
    assert panel.picker.mean_box.isEnabled()
    panel.picker.mean_box.setChecked(False)
    assert not panel.picker.mean_box.isEnabled() and heatmap.overview is not None
    panel.set_rollout(True)
    assert "rollout is not available for a long document" in heatmap.title
    panel.set_rollout(False)
    assert heatmap.overview is not None
    panel.explain(300, 20)  # a click on a cell: the formula inspector says why it cannot
    assert not panel.formula.isHidden() and "too much memory for a long document" in panel.formula.note.text()
    with qtbot.waitSignal(window.client.induction_probed, timeout=REPLY_MS):  # on tokens of its own: it works
        panel.scores_bar.probe_requested.emit()
    wait_idle(window)
    assert panel.scores_bar.chosen == "probe_induction" and panel.grid.metric_value(panel.picker.layer, 0) is not None
    assert "probe" in panel.scores_bar.status.text()
    panel.scores_bar.set_metric("attention")
    assert window.figures.export(tmp_path / "long.npy") is None  # no full matrix on this side
    assert "long document" in window.banner.text
    window.prediction.pin_current(True)  # a reference run to compare with: nothing exact to pin
    assert window.prediction.pinned is None and "long document" in window.prediction.reference.note.text()


def test_a_reference_pinned_before_says_why_it_cannot_compare(open_window, long_gpt2, qtbot, wait_idle):
    window = open_window(long_gpt2, text=text_of(40))
    window.prediction.show()
    window.prediction.pin_current(True)  # a short text: exact, pinned
    assert window.prediction.pinned is not None
    window.client.set_store_mode("long")
    window.text_input.setPlainText(text_of(300))
    qtbot.waitUntil(lambda: window.document.long is not None, timeout=REPLY_MS)
    wait_idle(window)
    assert "nothing exact to compare" in window.prediction.reference.note.text()
    assert window.prediction.reference.table.rowCount() == 0
    assert "no difference to the reference" not in window.attention.heatmap.title  # the difference is off
    window.prediction.difference_action.setChecked(True)
    wait_idle(window)
    assert "no difference to the reference for a long document" in window.attention.heatmap.title


def test_find_token_jumps_to_its_row_at_exact_resolution(long_window, qtbot, wait_idle):
    window = long_window
    heatmap = window.attention.heatmap
    position = window.token_finder.find("Paris")
    assert position == 17  # "<s>" then the words
    position = window.token_finder.find("Paris")  # the next match
    assert position == 34
    qtbot.waitUntil(lambda: heatmap.region is not None, timeout=REPLY_MS)
    wait_idle(window)
    (x0, x1), (y0, y1) = heatmap.plot.getViewBox().viewRange()
    assert y0 <= position <= y1 and y1 - y0 <= 512
    q0, q1, _, _ = heatmap.region.bounds
    assert q0 <= position < q1 and heatmap.cursor_cell == (position, position)


def test_selecting_a_generated_token_jumps_the_heatmap_to_its_row(long_window, qtbot, wait_idle):
    window = long_window
    heatmap = window.attention.heatmap
    with qtbot.waitSignal(window.client.stepped, timeout=REPLY_MS):
        window.step()
    wait_idle(window)
    assert heatmap.region is None  # the whole overview is shown
    window.select_token(TOKENS)  # what the token strip asks when the generated token is clicked
    qtbot.waitUntil(lambda: heatmap.region is not None, timeout=REPLY_MS)
    wait_idle(window)
    q0, q1, _, _ = heatmap.region.bounds
    assert q0 <= TOKENS < q1 and heatmap.cursor_cell == (TOKENS, TOKENS)
    assert "max of" not in heatmap.text_at(TOKENS, TOKENS - 1)  # exact there


def test_a_region_past_the_end_is_cut_to_the_tokens_there(long_window, qtbot, wait_idle):
    """An undo may reach the engine before a region asked of the longer text: no error, the rows there."""
    window = long_window
    with qtbot.waitSignal(window.client.region_computed, timeout=REPLY_MS) as reply:
        window.client.region(0, 1, (TOKENS - 5, TOKENS + 20), (0, 10))
    wait_idle(window)
    assert reply.args[0].request.queries == (TOKENS - 5, TOKENS) and reply.args[0].weights.shape == (5, 10)
    assert not window.banner.isVisible()


def test_a_range_selected_in_the_strip_is_shown_in_the_heatmap_exactly(long_window, qtbot, wait_idle):
    window = long_window
    heatmap = window.attention.heatmap
    window.token_strip.range_selected.emit(200, 260)  # what the strip says when the user selects tokens
    qtbot.waitUntil(lambda: heatmap.region is not None, timeout=REPLY_MS)
    wait_idle(window)
    (x0, x1), (y0, y1) = heatmap.plot.getViewBox().viewRange()
    assert y0 <= 200 and y1 >= 260 and y1 - y0 <= 512
    q0, q1, _, _ = heatmap.region.bounds
    assert q0 <= 200 and q1 > 260
    # The highlighted cell's text (the status bar's) is its exact weight now, not the overview's "≤ w, the max of".
    assert heatmap.cursor_cell == (200, 200)
    exact = (
        f"(#200) → {heatmap.hover_text.split(' → ')[1].split(' (#')[0]} (#200): "
        f"{heatmap.region.weights[200 - q0, 200 - heatmap.region.bounds[2]]:.3f}"
    )
    assert heatmap.hover_text == window.statusBar().currentMessage() and heatmap.hover_text.endswith(exact)


def test_the_status_bar_says_how_much_of_a_long_text_has_been_read(long_window, qtbot, wait_idle):
    """A long text takes minutes to read: the status bar counts its tokens as each block of 512 is read, up
    to all of them (1,100 tokens with "<s>": 0 at once, 512, 1,024, 1,100)."""
    window = long_window
    seen: list[str] = []
    window.statusBar().messageChanged.connect(seen.append)
    window.text_input.setPlainText(text_of(1100))
    qtbot.waitUntil(lambda: window.document.long is not None and window.document.long.rows == 1100, timeout=REPLY_MS)
    wait_idle(window, REPLY_MS)
    read = [message for message in seen if message.startswith("reading the text")]
    assert read == [f"reading the text: {done} of 1,100 tokens" for done in ("0", "512", "1,024", "1,100")]


def test_a_long_documents_thinned_axis_labels_say_their_positions(long_window, wait_idle):
    """600 tokens on the query axis: one label in dozens is drawn, so each says where it is ("#37 the"); the word
    at that position is the text's own (word i - 1 of the text, after "<s>"). Zoomed to 3 tokens, every label is
    drawn and none needs a number."""
    window = long_window
    window.grab()
    heatmap = window.attention.heatmap
    labels = heatmap.plot.getAxis("left").drawn_labels
    assert 5 < len(labels) < TOKENS // 2
    for label in labels:
        position, word = label.split(" ", 1)
        index = int(position.removeprefix("#"))
        assert word.strip() == ("<s>" if index == 0 else WORDS[(index - 1) % len(WORDS)]), label
    zoom(heatmap, (100, 103), (100, 103))
    wait_idle(window)
    window.grab()
    axis = heatmap.plot.getAxis("left")
    (_, _), (top, bottom) = heatmap.plot.getViewBox().viewRange()
    shown = range(max(0, round(top + 0.5)), round(bottom - 0.5) + 1)  # every row in view gets its word, unnumbered
    assert [label.strip() for label in axis.drawn_labels] == [WORDS[(i - 1) % len(WORDS)] for i in shown]
    assert len(shown) < 10 and not axis.numbered


def test_a_knock_out_in_the_middle_re_reads_only_the_tail(long_window, long_gpt2, qtbot, wait_idle):
    """A click on token 300 of 600 knocks it out: the rows before it cannot see it, so the engine keeps them and
    reads tokens 300.. again (counted at the model's forward); the overview and a zoomed region around the
    knock-out equal an eager forward with that key masked, and the status bar says where the re-read began."""
    window = long_window
    session = window.client._thread_engine.worker._handlers._session
    session.prefill_block = 128  # the re-read in blocks, so that its progress shows
    fed: list[int] = []
    hook = session.loaded.model.register_forward_pre_hook(
        lambda module, args, kwargs: fed.append(kwargs["input_ids"].shape[1]), with_kwargs=True
    )
    seen: list[str] = []
    window.statusBar().messageChanged.connect(seen.append)
    try:
        click_token(qtbot, window.token_strip, 300)
        qtbot.waitUntil(lambda: window.document.masks.knocked("decoder") == frozenset({300}), timeout=REPLY_MS)
        wait_idle(window, REPLY_MS)
    finally:
        hook.remove()
    assert sum(fed) == TOKENS - 300
    assert [m for m in seen if m.startswith("re-reading")][
        -1
    ] == "re-reading the text from token 300: 300 of 300 tokens"

    eager = eager_attention(long_gpt2, text_of(TOKENS), knocked=300)
    long = window.document.long
    assert long.rows == TOKENS and not eager[:, :, :, 300].any()
    panel, heatmap = window.attention, window.attention.heatmap
    panel.picker.select(layer=1, head=2)
    wait_idle(window)
    np.testing.assert_allclose(heatmap.overview.weights, pooled(eager[1, 2], long.factor), atol=2e-3)
    with qtbot.waitSignal(window.client.region_computed, timeout=REPLY_MS):
        zoom(heatmap, (250, 350), (240, 360))
    wait_idle(window)
    q0, q1, k0, k1 = heatmap.region.bounds
    assert q0 <= 250 and q1 >= 350 and k0 <= 240 and k1 >= 360
    np.testing.assert_allclose(heatmap.region.weights, eager[1, 2, q0:q1, k0:k1], atol=2e-3)
    assert not heatmap.region.weights[:, 300 - k0].any()
