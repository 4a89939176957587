"""Explain the prediction: the lens and importance views show the engine's numbers; a click ablates a head."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from attnlab.app.token_text import display_text
from attnlab.engine.api.results import HeadImportance, LensResult, Masks
from attnlab.engine.interpret.importance import head_importance
from attnlab.engine.interpret.lens import logit_lens
from attnlab.engine.models.loading import load_model
from attnlab.engine.session.sessions import make_session

TEXT = "the cat sat on the mat"


def _engine(folder: str, masks: Masks = Masks()):
    """The same model and input in a session of the test's own: what the views must show."""
    session = make_session(load_model(folder))
    session.prefill(TEXT, masks)
    return session


def _show(window, qtbot) -> LensResult:
    with qtbot.waitSignal(
        window.client.prediction_explained, timeout=20_000, check_params_cb=lambda r: isinstance(r, LensResult)
    ) as reply:
        window.prediction.toggleViewAction().trigger()
    return reply.args[0]


def test_the_lens_view_shows_the_engine_lens(open_window, qtbot, tiny_folders, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=TEXT)
    assert window.prediction.isHidden()
    assert window.prediction.toggleViewAction() in window.menus["viewMenu"].actions()
    _show(window, qtbot)
    wait_idle(window)
    view = window.prediction.view
    expected = logit_lens(_engine(tiny_folders["gpt2"]), 5)
    table = view.lens_table
    entries, positions, _ = expected.topk_ids.shape
    assert (table.rowCount(), table.columnCount()) == (entries, positions)
    for entry in range(entries):
        for position in range(positions):
            item = table.item(entry, position)
            assert item.text() == display_text(expected.topk_texts[entry][position][0])
            assert f"{expected.topk_probs[entry, position, 0]:.1%}" in item.toolTip()
    # the last row's top-1 at the last position is the window's own first candidate
    assert table.item(entries - 1, positions - 1).text() == display_text(window.candidates.item(0, 0).text())


def test_importance_map_shows_the_engine_map_and_a_click_ablates(open_window, qtbot, tiny_folders, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=TEXT)
    _show(window, qtbot)
    wait_idle(window)
    view = window.prediction.view
    with qtbot.waitSignal(
        window.client.prediction_explained,
        timeout=20_000,
        check_params_cb=lambda r: isinstance(r, HeadImportance) and r.exact,
    ):
        view.compute_button.click()
    assert view.compute_button.isEnabled() and not view.cancel_button.isEnabled()
    expected = head_importance(_engine(tiny_folders["gpt2"]))
    table = view.importance_table
    assert (table.rowCount(), table.columnCount()) == expected.values.shape
    for layer in range(2):
        for head in range(4):
            assert float(table.item(layer, head).text()) == pytest.approx(
                float(expected.values[layer, head]), abs=1.5e-3
            )
    assert display_text(expected.target_text) in view.importance_note.text()

    with qtbot.waitSignal(window.client.analysed, timeout=20_000):
        table.cellClicked.emit(1, 2)
    wait_idle(window)
    assert ("decoder", 1, 2) in window.document.masks.ablated_heads
    ablated = _engine(tiny_folders["gpt2"], Masks(ablated_heads=frozenset({("decoder", 1, 2)})))
    first = ablated.state().next_candidates[0]
    assert window.candidates.item(0, 0).text() == display_text(first.text)  # the step's candidates updated
    assert "Out of date" in view.importance_note.text()


def test_masked_lm_lens_and_importance_without_a_mask(open_window, qtbot, tiny_folders, wait_idle):
    window = open_window(tiny_folders["bert"], text=TEXT)
    lens = _show(window, qtbot)
    wait_idle(window)
    assert lens.stack == "encoder" and window.prediction.view.lens_table.columnCount() == len(lens.tokens) == 8
    view = window.prediction.view
    with qtbot.waitSignal(window.client.errored, timeout=20_000) as error:
        view.compute_button.click()
    assert "mask a token first" in error.args[0]
    wait_idle(window)
    assert view.compute_button.isEnabled() and not view.cancel_button.isEnabled()


def test_pinned_reference_divergence_per_head(open_window, qtbot, tiny_folders, wait_idle):
    """Pin, knock a token out: the table shows each head's JS divergence, as the engine's numpy function
    gives it on the two runs' exported attention; a different length compares the shared prefix."""
    from attnlab.engine.analyses import js_divergence

    window = open_window(tiny_folders["gpt2"], text=TEXT)
    _show(window, qtbot)
    wait_idle(window)
    compare = window.prediction.reference
    before = window.document.snapshot.full("decoder")
    compare.pin_button.click()
    with qtbot.waitSignal(window.client.analysed, timeout=20_000):
        window.set_mark(2, "knockout")
    wait_idle(window)
    qtbot.waitUntil(lambda: compare.table.rowCount() == 8, timeout=5_000)
    after = window.document.snapshot.full("decoder")
    expected = js_divergence(before, after)
    shown = {
        (compare.table.item(r, 1).text(), compare.table.item(r, 2).text()): float(compare.table.item(r, 3).text())
        for r in range(8)
    }
    for layer in range(2):
        for head in range(4):
            assert shown[(str(layer), str(head))] == pytest.approx(float(expected[layer, head]), abs=1e-4)
    assert expected.max() > 0.01 and "position by position" in compare.note.text()
    compare.table.sortItems(3, Qt.SortOrder.DescendingOrder)
    assert float(compare.table.item(0, 3).text()) == pytest.approx(float(expected.max()), abs=1e-4)

    window.text_input.setPlainText(TEXT + " and")
    qtbot.waitUntil(lambda: "first 7" in compare.note.text(), timeout=20_000)
