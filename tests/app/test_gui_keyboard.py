"""Keyboard use (issue 10): Tab leaves the text box, arrow keys and PageUp/PageDown move through the
attention views, and Help lists every shortcut."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

PROMPT = "the cat sat on the mat"


def _focus(qtbot, widget) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=2000)


def test_tab_moves_focus_out_of_the_text_box(qtbot, fresh_settings):
    from attnlab.app.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.text_input.setPlainText("a b")
    _focus(qtbot, window.text_input)
    qtbot.keyClick(window.text_input, Qt.Key.Key_Tab)
    assert window.text_input.toPlainText() == "a b"  # no tab typed
    assert QApplication.focusWidget() is not window.text_input
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is window.text_input


def test_arrow_keys_move_the_highlighted_cell_and_page_keys_the_layer(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    panel, heatmap = window.attention, window.attention.heatmap
    snapshot = window.document.snapshot
    rows = heatmap.matrix.shape[0]
    assert rows == 7  # <s> + six words
    _focus(qtbot, heatmap)

    qtbot.keyClick(heatmap, Qt.Key.Key_Down)  # the first key starts at the last query, first key
    assert heatmap.cursor_cell == (rows - 1, 0)
    for key in (Qt.Key.Key_Up, Qt.Key.Key_Up, Qt.Key.Key_Right):
        qtbot.keyClick(heatmap, key)
    assert heatmap.cursor_cell == (rows - 3, 1)
    weight = snapshot.matrix("decoder", 0, 0)[rows - 3, 1]
    assert window.statusBar().currentMessage().endswith(f"{weight:.3f}")

    qtbot.keyClick(heatmap, Qt.Key.Key_PageDown)
    wait_idle(window)
    assert panel.picker.layer == 1
    np.testing.assert_array_equal(heatmap.matrix, snapshot.matrix("decoder", 1, 0))
    assert heatmap.cursor_cell == (rows - 3, 1)  # the same cell, now in layer 1
    assert window.statusBar().currentMessage().endswith(f"{snapshot.matrix('decoder', 1, 0)[rows - 3, 1]:.3f}")
    qtbot.keyClick(heatmap, Qt.Key.Key_PageDown)  # the last layer: stays
    assert panel.picker.layer == 1
    qtbot.keyClick(heatmap, Qt.Key.Key_PageUp)
    assert panel.picker.layer == 0

    qtbot.keyClick(heatmap, Qt.Key.Key_End)
    assert heatmap.cursor_cell == (rows - 3, rows - 1)
    for _ in range(rows + 2):  # clamped at the edge
        qtbot.keyClick(heatmap, Qt.Key.Key_Down)
    assert heatmap.cursor_cell == (rows - 1, rows - 1)
    with qtbot.waitSignal(panel.cell_requested, timeout=2000) as asked:
        qtbot.keyClick(heatmap, Qt.Key.Key_Return)  # explain the highlighted cell
    assert asked.args == ["decoder", 0, 0, rows - 1, rows - 1]


def test_arrow_keys_in_the_head_grid_pick_heads_and_layers(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    picker, grid = window.attention.picker, window.attention.grid
    snapshot = window.document.snapshot
    _focus(qtbot, grid)
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    assert (picker.layer, picker.head) == (0, 1)
    qtbot.keyClick(grid, Qt.Key.Key_Down)  # four heads in a 2 × 2 grid: one row down is two heads on
    assert (picker.layer, picker.head) == (0, 3)
    qtbot.keyClick(grid, Qt.Key.Key_Right)  # no fifth head
    assert picker.head == 3
    picker.all_layers_box.setChecked(True)
    qtbot.keyClick(grid, Qt.Key.Key_Down)  # all layers: rows are layers
    assert (picker.layer, picker.head) == (1, 3)
    qtbot.keyClick(grid, Qt.Key.Key_PageUp)
    wait_idle(window)
    assert (picker.layer, picker.head) == (0, 3)
    np.testing.assert_array_equal(window.attention.heatmap.matrix, snapshot.matrix("decoder", 0, 3))


def test_help_lists_every_shortcut(qtbot, fresh_settings):
    from attnlab.app.main_window import MainWindow
    from attnlab.app.widgets.generation_bar import SHORTCUTS

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    action = next(a for a in window.menus["helpMenu"].actions() if a.objectName() == "shortcutsAction")
    action.trigger()
    dialog = window.findChild(QMessageBox, "shortcutsDialog")
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    text = dialog.text()
    from PySide6.QtGui import QKeySequence

    for keys in [*SHORTCUTS.values(), "Ctrl+Shift+O"]:
        assert QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText) in text
    for words in ("PageUp / PageDown", "Arrow keys", "Tab"):
        assert words in text
    dialog.close()
