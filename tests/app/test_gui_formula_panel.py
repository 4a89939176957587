"""The formula inspector: a click on a heatmap cell shows the numbers its weight came from."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from attnlab.app.widgets.formula_panel import FormulaPanel, number, parse_number

TEXT = "Once upon a time there was a cat"


def _click(window, query: int, key: int) -> None:
    heatmap = window.attention.heatmap
    heatmap.click_at(heatmap.plot.getViewBox().mapViewToScene(QPointF(key, query)))


def _explained(window, qtbot, query: int, key: int) -> FormulaPanel:
    panel = window.attention.formula
    with qtbot.waitSignal(window.client.cell_explained, timeout=20_000):
        _click(window, query, key)
    qtbot.waitUntil(lambda: panel.explanation is not None and panel.pending is None, timeout=5_000)
    return panel


def test_number_format_is_four_significant_digits():
    assert number(0.123456) == "0.1235"
    assert number(-3.4028234663852886e38) == "−3.403e+38"
    assert number(-0.0) == "0"
    assert parse_number(number(-12.3456)) == pytest.approx(-12.35)


@pytest.mark.parametrize(("query", "key"), [(5, 2), (2, 5)], ids=["normal", "masked"])
def test_clicking_a_cell_explains_its_weight(open_window, qtbot, query, key):
    window = open_window("tiny-gpt", text=TEXT)
    panel = window.attention.formula
    assert panel.isHidden()
    window.attention.picker.select(layer=1, head=1)
    qtbot.waitUntil(window.is_idle, timeout=20_000)
    weight = float(window.attention.heatmap.matrix[query, key])
    panel = _explained(window, qtbot, query, key)
    assert panel.isVisible()
    e = panel.explanation
    assert e is not None
    assert (e.stack, e.layer, e.head, e.query, e.key) == ("decoder", 1, 1, query, key)
    shown = parse_number(panel.values["prob"])
    assert shown == pytest.approx(weight, abs=1e-3)
    assert f"exp(…) = prob       {panel.values['prob']}" in panel.formula.text()
    assert e.prob == pytest.approx(math.exp(e.logit - e.row_logsumexp), abs=1e-6)
    assert e.prob == pytest.approx(weight, abs=1e-3)
    assert f"#{query} →" in panel.title.text() and "layer 1 · head 1" in panel.title.text()
    if key > query:
        assert e.masked and e.prob == 0 and shown == 0
        assert "hides this key" in panel.note.text()
    panel.close_button.click()
    assert panel.isHidden()


def test_the_mean_of_heads_has_no_formula(open_window, qtbot):
    window = open_window("tiny-gpt", text=TEXT)
    window.attention.picker.mean_box.setChecked(True)
    qtbot.waitUntil(window.is_idle, timeout=20_000)
    _click(window, 3, 1)
    panel = window.attention.formula
    assert panel.isVisible() and panel.pending is None and panel.explanation is None
    assert "no single head" in panel.note.text()
    assert window.is_idle()  # nothing was asked of the engine


def test_a_newer_analysis_makes_a_pending_explanation_stale(open_window, qtbot, wait_idle):
    window = open_window("tiny-gpt", text=TEXT)
    shown: list[object] = []
    window.client.cell_explained.connect(shown.append)
    _click(window, 4, 1)  # queued; the analysis below is sent before the engine answers
    assert window.attention.formula.pending is not None
    window.text_input.setPlainText("A completely different text")
    window.analyse()
    wait_idle(window)
    assert shown == []  # the reply about the old text was dropped (or never computed)
    panel = window.attention.formula
    assert panel.explanation is None and panel.pending is None
    assert "click a cell again" in panel.note.text()
    # a click now explains the new text
    panel = _explained(window, qtbot, 2, 1)
    assert panel.explanation is not None
    assert len(panel.explanation.row_probs) == window.attention.heatmap.matrix.shape[1]


def test_a_mouse_click_explains_and_a_drag_does_not(open_window, qtbot):
    window = open_window("tiny-gpt", text=TEXT)
    heatmap = window.attention.heatmap
    clicked: list[tuple[int, int]] = []
    heatmap.cell_clicked.connect(lambda q, k: clicked.append((q, k)))
    scene = heatmap.plot.getViewBox().mapViewToScene(QPointF(1, 4))
    point = heatmap.mapFromScene(scene)
    with qtbot.waitSignal(window.client.cell_explained, timeout=20_000):
        qtbot.mouseClick(heatmap.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert clicked == [(4, 1)]
    qtbot.waitUntil(lambda: window.attention.formula.explanation is not None, timeout=5_000)
    start, end = heatmap.mapFromScene(heatmap.plot.getViewBox().mapViewToScene(QPointF(0, 0))), point
    qtbot.mousePress(heatmap.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            QPointF(start + (end - start) * step / 5),
            QPointF(heatmap.viewport().mapToGlobal(start + (end - start) * step / 5)),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(heatmap.viewport(), move)
    qtbot.mouseRelease(heatmap.viewport(), Qt.MouseButton.LeftButton, pos=end)
    assert clicked == [(4, 1)]  # a drag pans, it does not click


@pytest.mark.parametrize(
    ("model", "text", "source", "stack"),
    [
        ("tiny-bert", "The capital of France is Paris .", None, "encoder"),
        ("tiny-seq2seq", None, "three hundred and forty two", "cross"),
    ],
    ids=["encoder", "cross"],
)
def test_other_kinds_of_model_are_explained(open_window, qtbot, model, text, source, stack):
    window = open_window(model, text=text, source=source)
    window.attention.picker.select(stack=stack)
    qtbot.waitUntil(window.is_idle, timeout=20_000)
    matrix = window.attention.heatmap.matrix
    query, key = matrix.shape[0] - 1, 1
    panel = _explained(window, qtbot, query, key)
    e = panel.explanation
    assert e is not None and e.stack == stack
    assert e.prob == pytest.approx(float(matrix[query, key]), abs=1e-3)
    assert parse_number(panel.values["prob"]) == pytest.approx(e.prob, abs=1e-3)


def test_the_row_bars_say_which_key_is_where(open_window, qtbot):
    window = open_window("tiny-gpt", text=TEXT)
    panel = _explained(window, qtbot, 2, 1)
    bars = panel.bars
    e = panel.explanation
    assert e is not None
    logits, probs, hidden = bars.heights()
    assert list(hidden) == [key > 2 for key in range(len(e.row_logits))]  # the causal mask
    assert probs.max() == 1 and not probs[hidden].any()
    step = (bars.width() - bars.LABEL - 4) / len(e.row_logits)
    assert bars.key_at(bars.LABEL + 1.5 * step) == 1
    assert bars.key_at(1) is None
    assert bars.text_at(1) == f"key #1: logit {number(e.row_logits[1])}, prob {number(e.row_probs[1])}"
    assert "hidden (masked)" in bars.text_at(len(e.row_logits) - 1)
