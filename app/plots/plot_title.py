"""Plot titles that never make a plot wider than its pane.

pyqtgraph gives a title the width of its text as a minimum, so a long title forces the whole
plot (axes, colour bar, tiles) wider than a small pane and the view clips it. Titles are cut to
the width of the column they sit over, with an ellipsis, and cut again when the pane is resized.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics

TITLE_POINTS = 10
MARGIN = 40  # pixels the layout keeps around the plot and between its columns


def set_title(plot: pg.PlotItem, text: str, view_width: int, beside: float = 0.0) -> None:
    """Show `text` as the plot's title, elided to fit a view `view_width` pixels wide whose other
    columns (axes, colour bar) take `beside` pixels."""
    font = QFont()
    font.setPointSize(TITLE_POINTS)
    room = max(60, int(view_width - beside - MARGIN))
    fitted = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, room)
    plot.setTitle(fitted, size=f"{TITLE_POINTS}pt")
