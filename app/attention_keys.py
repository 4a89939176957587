"""Keyboard navigation of the attention views (an event filter on the heatmap and the head grid).

- Large heatmap: arrow keys move the highlighted cell (its weight shows in the status bar), Home/End
  go to the first/last key of the row, Enter explains the cell (the formula inspector).
- Head grid: Left/Right the previous/next head; Up/Down the previous/next layer in the all-layers
  grid, a row of thumbnails up/down in a one-layer grid.
- Both: PageUp/PageDown the previous/next layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent

if TYPE_CHECKING:
    from attnlab.app.attention_panel import AttentionPanel

Key = Qt.Key
LAYER_KEYS = {Key.Key_PageUp: -1, Key.Key_PageDown: 1}
ARROWS = {Key.Key_Up: (-1, 0), Key.Key_Down: (1, 0), Key.Key_Left: (0, -1), Key.Key_Right: (0, 1)}
HELP = (  # translated where shown (context "keyboard_help")
    (
        QT_TRANSLATE_NOOP("keyboard_help", "PageUp / PageDown"),
        QT_TRANSLATE_NOOP("keyboard_help", "previous / next layer (heatmap or head grid focused)"),
    ),
    (
        QT_TRANSLATE_NOOP("keyboard_help", "Arrow keys"),
        QT_TRANSLATE_NOOP(
            "keyboard_help", "heatmap: move the highlighted cell; head grid: previous / next head or layer"
        ),
    ),
    (
        QT_TRANSLATE_NOOP("keyboard_help", "Home / End"),
        QT_TRANSLATE_NOOP("keyboard_help", "heatmap: first / last key of the highlighted row"),
    ),
    (
        QT_TRANSLATE_NOOP("keyboard_help", "Enter"),
        QT_TRANSLATE_NOOP("keyboard_help", "heatmap: explain the highlighted cell (formula inspector)"),
    ),
)


class AttentionKeys(QObject):
    """Installed on the panel's heatmap and grid; the panel's picker holds layer and head."""

    def __init__(self, panel: AttentionPanel):
        super().__init__(panel)
        self.panel = panel
        panel.heatmap.installEventFilter(self)
        panel.grid.installEventFilter(self)
        panel.grid.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = Key(event.key())
        if key in LAYER_KEYS:
            return self._layer(LAYER_KEYS[key])
        if watched is self.panel.heatmap:
            return self._heatmap_key(key)
        if watched is self.panel.grid:
            return self._grid_key(key)
        return False

    def _layer(self, delta: int) -> bool:
        picker = self.panel.picker
        picker.select(layer=min(max(picker.layer + delta, 0), picker.layer_box.maximum()))
        cell = self.panel.heatmap.cursor_cell
        if cell is not None:  # the same cell in the new layer: its weight there
            self.panel.heatmap.set_cursor(*cell)
        return True

    def _heatmap_key(self, key: Key) -> bool:
        heatmap = self.panel.heatmap
        if key in ARROWS:
            heatmap.move_cursor(*ARROWS[key])
        elif key in (Key.Key_Home, Key.Key_End):
            query = heatmap.cursor_cell[0] if heatmap.cursor_cell else heatmap.shape[0] - 1
            heatmap.set_cursor(query, 0 if key == Key.Key_Home else heatmap.shape[1] - 1)
        elif key in (Key.Key_Return, Key.Key_Enter) and heatmap.cursor_cell is not None:
            heatmap.cell_clicked.emit(*heatmap.cursor_cell)
        else:
            return False
        return True

    def _grid_key(self, key: Key) -> bool:
        if key not in ARROWS:
            return False
        picker = self.panel.picker
        rows, cols = ARROWS[key]
        heads = picker.head_box.maximum() + 1
        if picker.all_layers and rows:
            return self._layer(rows)
        per_row = self.panel.grid.columns if rows else 1
        head = picker.head + (rows + cols) * per_row
        if 0 <= head < heads:
            picker.select(head=head)
        return True
