"""Plot titles that never make a plot wider than its pane.

pyqtgraph gives a title the width of its text as a minimum, so a long title forces the whole
plot (axes, colour bar, tiles) wider than a small pane and the view clips it. Titles are cut to
the width of the column they sit over, with an ellipsis, and cut again when the pane is resized.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QFontMetrics, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QMenu, QWidget

TITLE_POINTS = 10
MARGIN = 50  # pixels the layout keeps around the plot and between its columns (and the title label's own)
REFITS = 3  # passes after a resize to fit a plot whose parts' widths changed with it
TITLE_MIN_PX = 30  # a title is cut to no less (a narrow pane keeps its plot and colour bar in view)


def set_title(plot: pg.PlotItem, text: str, view_width: int, beside: float = 0.0) -> None:
    """Show `text` as the plot's title, elided to fit a view `view_width` pixels wide whose other
    columns (axes, colour bar) take `beside` pixels."""
    font = QFont()
    font.setPointSize(TITLE_POINTS)
    room = max(TITLE_MIN_PX, int(view_width - beside - MARGIN))
    fitted = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, room)
    plot.setTitle(fitted, size=f"{TITLE_POINTS}pt")


class TitledView(pg.GraphicsLayoutWidget):
    """A view of one plot (`self.plot`) whose title is kept to the width of its pane."""

    plot: pg.PlotItem
    image: pg.ImageItem  # the matrix drawn (figures read its levels)
    _title = ""
    _refits = 0  # passes left to fit the plot to the view (see _refit)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.menu_actions: list[QAction] = []  # what its right-click menu offers (figures add theirs)

    def context_menu(self, *own: tuple[str, Callable[[], None]]) -> QMenu:
        """The right-click menu: the view's `own` (text, slot) entries, then menu_actions. Deleted when closed."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for text, slot in own:
            menu.addAction(text).triggered.connect(slot)
        if own and self.menu_actions:
            menu.addSeparator()
        menu.addActions(self.menu_actions)
        return menu

    def popup_menu(self, screen_position: QPoint, *own: tuple[str, Callable[[], None]]) -> None:
        menu = self.context_menu(*own)
        if menu.isEmpty():
            menu.deleteLater()
        else:
            menu.popup(screen_position)

    @property
    def title(self) -> str:
        """The whole title (the plot shows it cut to the pane's width)."""
        return self._title

    def _show_title(self, text: str) -> None:
        self._title = text
        self.resizeEvent(None)  # fits the title, then lays the plot out in the view again

    def _beside_title(self) -> float:
        """Pixels the plot's other columns (axes, colour bar) take beside the title."""
        return 0.0

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802 - Qt override
        self._fit_to_view()
        self._refits = REFITS
        QTimer.singleShot(0, self, self._refit)

    def _fit_to_view(self) -> None:
        if hasattr(self, "plot"):  # pyqtgraph resizes the view while it is being built
            # first, so that the layout is fitted to the view with the new title
            set_title(self.plot, self._title, self.width(), self._beside_title())
        super().resizeEvent(None)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        # an axis sizes itself to its labels as it paints: the plot may have grown past the view since
        if self._refits > 0 and self.centralWidget is not None and self.centralWidget.geometry().width() > self.width():
            QTimer.singleShot(0, self, self._refit)

    def _refit(self) -> None:
        """Fit the title and the plot to the view again once the new widths (title, axes, colour bar) are
        known: Qt lays out later, and keeps the old, wider minimum until then, so that the plot would stay
        wider than its pane with its colour bar cut off at the edge."""
        central = self.centralWidget
        if self._refits > 0 and central is not None and central.geometry().width() > self.width():
            self._refits -= 1
            self._fit_to_view()
            QTimer.singleShot(0, self, self._refit)
