"""Issue 12 §3: while a run is pinned, the heatmap and grid show now − reference, and the generated
tokens and candidates show their probability now against the reference, as two engine sessions of the
test's own give them."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from attnlab.app import prediction_dock
from attnlab.engine.api.results import Masks
from attnlab.engine.models.loading import load_model
from attnlab.engine.session.sessions import make_session

TEXT = "the cat sat on the mat"
KNOCKED = Masks().with_knockout("decoder", 2)


def _step(window, wait_idle, times: int) -> None:
    for _ in range(times):
        window.step()
        wait_idle(window)


def _engine_runs(masks_a: Masks, masks_b: Masks, replay: list[int]):
    """The same text and tokens under two masks, each in a session of the test's own."""
    loaded = load_model("tiny-gpt")
    return [make_session(loaded).prefill(TEXT, masks, replay=replay) for masks in (masks_a, masks_b)]


def _action(window):
    return next(a for a in window.menus["viewMenu"].actions() if a.objectName() == "referenceDifferenceAction")


def test_heatmap_shows_the_difference_to_the_pinned_run(open_window, wait_idle, qtbot):
    window = open_window("tiny-gpt", text=TEXT)
    _step(window, wait_idle, 3)
    ids = [s.token_id for s in window.document.steps]
    action = _action(window)
    assert not action.isEnabled()  # nothing pinned yet
    window.prediction.reference.pin_button.click()
    assert action.isEnabled()
    window.set_mark(2, "knockout")
    wait_idle(window)
    action.trigger()
    wait_idle(window)
    window.attention.picker.select(stack="decoder", layer=1, head=2)
    window.attention.redraw()

    reference, now = _engine_runs(Masks(), KNOCKED, ids)
    expected = now.attention.matrix("decoder", 1, 2) - reference.attention.matrix("decoder", 1, 2)
    heatmap = window.attention.heatmap
    assert abs(expected).max() > 0.01  # the knock-out moved attention
    np.testing.assert_allclose(heatmap.matrix, expected, atol=2e-3)
    assert "difference to the reference" in heatmap.title and "lengths differ" not in heatmap.title
    low, high = heatmap.colorbar.levels()
    assert low == pytest.approx(-high) and high == pytest.approx(float(np.abs(heatmap.matrix).max()))
    # zero draws white: above the diagonal both runs have no attention
    assert heatmap.matrix[0, 1] == 0.0
    heatmap.image.render()
    assert heatmap.image.qimage.pixelColor(1, 0) == QColor(255, 255, 255)
    grid = window.attention.grid
    assert "difference to the reference" in grid._shown[4]

    window.text_input.setPlainText(TEXT + " and then a big brown dog ran off")
    wait_idle(window)
    qtbot.waitUntil(lambda: "only the first" in heatmap.title, timeout=20_000)
    rows = min(window.document.snapshot.shape("decoder")[2], reference.attention.shape("decoder")[2])
    assert heatmap.matrix.shape == (rows, rows)

    action.trigger()  # off: attention again, in its own colours
    wait_idle(window)
    np.testing.assert_allclose(heatmap.matrix, window.document.snapshot.matrix("decoder", 1, 2))
    assert heatmap.colorbar.levels() == (0.0, 1.0)
    window.prediction.reference.pin_button.click()  # unpinned: the action goes
    assert not action.isEnabled() and not action.isChecked()


def test_tokens_and_candidates_show_probability_now_and_in_the_reference(open_window, wait_idle, qtbot, tiny_folders):
    window = open_window("tiny-gpt", text=TEXT)
    _step(window, wait_idle, 3)
    ids = [s.token_id for s in window.document.steps]
    window.set_mark(2, "knockout")
    wait_idle(window)
    window.prediction.reference.pin_button.click()  # the reference: with the knock-out
    window.set_mark(2, "")
    wait_idle(window)

    reference, now = _engine_runs(KNOCKED, Masks(), ids)
    prefix = len(window.document.prefix_tokens)
    for index, (ref_step, now_step) in enumerate(zip(reference.steps, now.steps, strict=True)):
        tip = window.token_strip.chip(prefix + index).tooltip
        assert f"p = {now_step.prob:.1%} now" in tip and f"{ref_step.prob:.1%} in the reference" in tip
    assert abs(reference.steps[0].prob - now.steps[0].prob) > 1e-3

    table = window.candidates
    in_reference = {c.token_id: c.prob for c in reference.steps[-1].candidates}
    in_reference[reference.steps[-1].token_id] = reference.steps[-1].prob
    now_probs = {c.token_id: c.prob for c in now.steps[-1].candidates}
    checked = 0
    for row, token_id in enumerate(table.token_ids()):
        tip = table.item(row, 1).toolTip()
        assert f"p = {now_probs.get(token_id, 0):.1%} now" in tip or token_id not in now_probs
        if token_id in in_reference:
            assert f"{in_reference[token_id]:.1%} in the reference" in tip
            checked += 1
    assert checked >= 3

    window.prediction.difference_action.trigger()
    with qtbot.waitSignal(window.model_loaded, timeout=60_000):  # another model: the reference goes
        window.start(tiny_folders["gpt2"])
    wait_idle(window)
    assert window.prediction.pinned is None and not window.prediction.difference_action.isChecked()
    assert not window.attention.heatmap.showing_difference


def test_compare_two_branches(open_window, qtbot, wait_idle):
    """Branch ▸ Compare: the branch shown is pinned, the other one shown, the heatmap their difference."""
    window = open_window("tiny-gpt", text=TEXT)
    branches = window.sessions.branches
    _step(window, wait_idle, 3)
    main = window.document.snapshot.full("decoder")[0, 1]  # a copy: the store's rows are rewritten on undo
    main_ids = [s.token_id for s in window.document.steps]
    window.select_token(len(window.document.prefix_tokens) + 1)
    alternative = next(c.token_id for c in window.document.candidates().candidates if c.token_id != main_ids[1])
    window.choose(alternative, False)
    wait_idle(window)
    window.step()
    wait_idle(window)
    side = window.document.snapshot.full("decoder")[0, 1]
    branches.switch(0)
    qtbot.waitUntil(
        lambda: window.is_idle() and [s.token_id for s in window.document.steps] == main_ids, timeout=20_000
    )

    branches.compare(1)
    qtbot.waitUntil(
        lambda: window.is_idle() and branches.tree.current == 1 and len(window.document.steps) == 3, timeout=20_000
    )
    window.attention.picker.select(stack="decoder", layer=0, head=1)
    window.attention.redraw()
    heatmap = window.attention.heatmap
    assert window.prediction.difference_action.isChecked() and "difference to the reference" in heatmap.title
    expected = side - main
    np.testing.assert_allclose(heatmap.matrix, expected, atol=2e-3)
    assert np.abs(expected[-2:]).max() > 1e-3 and np.abs(expected[:-2]).max() < 2e-3  # they differ from token 2 on


def _jensen_shannon_bits(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Per head, the mean over query rows of H(½(p + q)) − ½ H(p) − ½ H(q), in bits: [layer, head]."""

    def entropy(x: np.ndarray) -> np.ndarray:
        logs = np.log2(x, out=np.zeros_like(x), where=x > 0)
        return -(x * logs).sum(axis=-1)

    p, q = p.astype(np.float64), q.astype(np.float64)
    return (entropy((p + q) / 2) - entropy(p) / 2 - entropy(q) / 2).mean(axis=-1)


def _rows(table) -> list[tuple[str, int, int, float]]:
    return [
        (
            table.item(r, 0).text(),
            int(table.item(r, 1).text()),
            int(table.item(r, 2).text()),
            float(table.item(r, 3).text()),
        )
        for r in range(table.rowCount())
    ]


def _click_header(qtbot, table, column: int) -> None:
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_divergence_table_opens_largest_first_and_sorts_on_a_header_click(open_window, wait_idle, qtbot):
    """Issue 24 §15: the heads that moved most come first, each with its JS divergence as an independent
    computation from the two runs' attention gives it; a header click sorts by that column."""
    window = open_window("tiny-gpt", text=TEXT)
    _step(window, wait_idle, 3)
    ids = [s.token_id for s in window.document.steps]
    window.prediction.show()
    window.prediction.reference.pin_button.click()
    window.set_mark(2, "knockout")
    wait_idle(window)
    table = window.prediction.reference.table
    qtbot.waitUntil(lambda: table.rowCount() > 0, timeout=20_000)

    reference, now = _engine_runs(Masks(), KNOCKED, ids)
    expected = _jensen_shannon_bits(now.attention.full("decoder"), reference.attention.full("decoder"))
    rows = _rows(table)
    assert len(rows) == expected.size and {r[0] for r in rows} == {"decoder"}
    for _stack, layer, head, value in rows:
        assert value == pytest.approx(expected[layer, head], abs=2e-3)
    values = [r[3] for r in rows]
    assert values == sorted(values, reverse=True) and values[0] > values[-1] + 0.01
    assert values[0] == pytest.approx(expected.max(), abs=2e-3)

    _click_header(qtbot, table, 2)  # head: ascending, as numbers
    assert [r[2] for r in _rows(table)] == sorted(r[2] for r in rows)
    _click_header(qtbot, table, 2)
    assert [r[2] for r in _rows(table)] == sorted((r[2] for r in rows), reverse=True)
    _click_header(qtbot, table, 3)  # the divergence again: smallest first now
    assert [r[3] for r in _rows(table)] == sorted(values)
    window.set_mark(4, "knockout")  # a new run keeps the user's order
    wait_idle(window)
    qtbot.waitUntil(lambda: [r[3] for r in _rows(table)] != sorted(values), timeout=20_000)
    shown = [r[3] for r in _rows(table)]
    assert shown == sorted(shown) and shown[-1] > shown[0]


def test_long_difference_is_pooled_keeping_both_signs(qtbot):
    """Past the display limit the heatmap pools; a negative peak stays as visible as a positive one."""
    from attnlab.app.plots.colors import peak_pool
    from attnlab.app.plots.heatmap import DISPLAY_LIMIT, HeatmapView

    difference = np.zeros((DISPLAY_LIMIT + 100, DISPLAY_LIMIT + 100), np.float32)
    difference[3, 3], difference[400, 10], difference[401, 10] = -0.8, 0.1, -0.05
    view = HeatmapView()
    qtbot.addWidget(view)
    labels = [str(i) for i in range(len(difference))]
    view.show_difference(difference, labels, labels, "difference")
    shown = view.displayed_image()
    assert shown is not None and shown.shape == (306, 306)  # pooled 2 × 2
    assert shown[1, 1] == pytest.approx(-0.8) and shown[200, 5] == pytest.approx(0.1)
    np.testing.assert_array_equal(peak_pool(np.array([[-0.5, 0.2], [0.1, 0.0]], np.float32), 2, 2), [[-0.5]])
    assert view.colorbar.levels() == pytest.approx((-0.8, 0.8))


def test_a_run_too_long_to_keep_is_not_pinned(open_window, monkeypatch):

    monkeypatch.setattr(prediction_dock, "MAX_TOKENS", 4)
    window = open_window("tiny-gpt", text=TEXT)
    dock = window.prediction
    dock.reference.pin_button.click()
    assert dock.pinned is None and not dock.reference.pin_button.isChecked()
    assert "Longer than 4 tokens" in dock.reference.note.text() and not dock.difference_action.isEnabled()
