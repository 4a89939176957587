"""With View ▸ Explain the Prediction open, a step asks the engine only for the position it added and an
undo drops the last column (issue 24, item 1); what the dock shows is the logit lens of an eager forward
of the whole sequence (output_hidden_states, the final norm and head per layer), computed here."""

from __future__ import annotations

import torch
from PySide6.QtCore import Qt
from transformers import AutoModelForCausalLM, AutoTokenizer

from attnlab.app.requests import ExplainPrediction
from attnlab.app.token_text import display_text
from attnlab.engine.api.results import LensResult
from attnlab.engine.api.tokens import readable_token

PROMPT = "the cat sat on the mat"


def _spy(window) -> list[ExplainPrediction]:
    """Every lens request the window sends from now on."""
    sent: list[ExplainPrediction] = []
    send = window.client.send

    def spying(request):
        if isinstance(request, ExplainPrediction) and request.what == "lens":
            sent.append(request)
        return send(request)

    window.client.send = spying
    return sent


def _eager_lens(folder: str, ids: tuple[int, ...]) -> tuple[list[list[str]], torch.Tensor]:
    """Top-1 token text and probability per (entry, position): entry l < L is hidden state l through
    ln_f and the head, the last entry the model's output."""
    model = AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager").eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    with torch.no_grad():
        out = model(input_ids=torch.tensor([ids]), output_hidden_states=True)
        layers = model.config.n_layer
        logits = [model.lm_head(model.transformer.ln_f(out.hidden_states[layer]))[0] for layer in range(layers)]
        probs = torch.softmax(torch.stack([*logits, out.logits[0]]), dim=-1)  # [layer + 1, position, vocab]
    top = probs.max(dim=-1)
    texts = [[readable_token(tokenizer, int(t)) for t in entry] for entry in top.indices]
    return texts, top.values


def _assert_dock_shows_the_eager_lens(window, folder: str) -> None:
    table = window.prediction.view.lens_table
    ids = window.document.sequence_ids("decoder")
    texts, probs = _eager_lens(folder, ids)
    entries = len(texts)
    assert (table.rowCount(), table.columnCount()) == (entries, len(ids))  # a short text: every position
    for entry in range(entries):
        for position in range(len(ids)):
            item = table.item(entry, position)
            assert item.text() == display_text(texts[entry][position]), (entry, position)
            assert f"{float(probs[entry, position]):.1%}" in item.toolTip()


def _lens_reply(qtbot, window, action) -> LensResult:
    with qtbot.waitSignal(
        window.client.prediction_explained, timeout=20_000, check_params_cb=lambda r: isinstance(r, LensResult)
    ) as reply:
        action()
    return reply.args[0]


def test_a_step_extends_the_lens_by_its_position_and_an_undo_drops_it(open_window, qtbot, tiny_folders, wait_idle):
    folder = tiny_folders["gpt2"]
    window = open_window(folder, text=PROMPT)
    sent = _spy(window)
    whole = _lens_reply(qtbot, window, window.prediction.toggleViewAction().trigger)
    wait_idle(window)
    assert whole.start == 0 and len(whole.tokens) == len(window.document.prefix_tokens)
    session = window.client._thread_engine.worker._handlers._session
    assert session.step_watcher is not None  # the steps keep their rows for the lens from now on
    for _ in range(2):
        added = _lens_reply(
            qtbot, window, lambda: qtbot.mouseClick(window.generation.step_button, Qt.MouseButton.LeftButton)
        )
        wait_idle(window)
        assert sent[-1].positions == 1 and len(added.tokens) == 1  # asked for, and given, the step's position
        _assert_dock_shows_the_eager_lens(window, folder)
    assert [r.positions for r in sent] == [64, 1, 1]
    qtbot.mouseClick(window.generation.undo_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    qtbot.wait(400)  # longer than the dock's refresh timer: it would have asked by now
    assert len(sent) == 3  # nothing to compute: the undone position's column is dropped
    _assert_dock_shows_the_eager_lens(window, folder)
    window.prediction.toggleViewAction().trigger()  # closed: the steps keep nothing any more
    wait_idle(window)
    assert session.step_watcher is None
    window.step()
    wait_idle(window)
    reopened = _lens_reply(qtbot, window, window.prediction.toggleViewAction().trigger)
    wait_idle(window)
    assert sent[-1].positions == 64 and reopened.start == 0  # nothing kept to read: the lens is whole again
    _assert_dock_shows_the_eager_lens(window, folder)
    assert session.step_watcher is not None


def test_a_run_and_a_replaced_token_ask_only_for_what_changed(open_window, qtbot, tiny_folders, wait_idle):
    folder = tiny_folders["gpt2"]
    window = open_window(folder, text=PROMPT)
    sent = _spy(window)
    _lens_reply(qtbot, window, window.prediction.toggleViewAction().trigger)
    wait_idle(window)
    added = _lens_reply(qtbot, window, lambda: window.run(3))  # asked once the run is over: its three positions
    wait_idle(window)
    assert [r.positions for r in sent] == [64, 3] and len(added.tokens) == 3
    _assert_dock_shows_the_eager_lens(window, folder)
    other = (window.document.steps[-1].token_id + 1) % window.document.info.vocab_size
    replaced = _lens_reply(qtbot, window, lambda: window.choose(other, True))  # another last token
    wait_idle(window)
    assert sent[-1].positions == 1 and replaced.start == len(window.document.sequence()) - 1
    _assert_dock_shows_the_eager_lens(window, folder)
    with qtbot.waitSignal(window.client.analysed, timeout=20_000):
        window.set_mark(1, "knockout")  # new masks: every column may change, so the lens is whole again
    whole = _lens_reply(qtbot, window, lambda: None)
    wait_idle(window)
    assert sent[-1].positions == 64 and whole.start == 0
