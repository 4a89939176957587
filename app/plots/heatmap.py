"""The large heatmap of one head (or the mean of a layer's heads): queries on rows, keys on columns.

One ImageItem, row-major contiguous float32, fixed levels (0, 1) unless the user drags the
colour bar, a 256-entry lookup table. Long sequences are max-pooled for display and drawn at
full resolution once the user zooms in far enough.

A long document (the engine's long-document mode) has no full matrix on this side: the view draws
its max-pooled overview in token units (`show_overview`), and once zoomed to DISPLAY_LIMIT tokens or
fewer asks for the exact weights there (`region_wanted`) and draws them when they come (`show_region`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QCursor, QPainter, QPen, QPicture
from PySide6.QtWidgets import QGraphicsRectItem, QToolTip, QWidget

from attnlab.app import i18n
from attnlab.app.colour_scale import SCALES, Scale, colour_bar_ticks, scale_for_display
from attnlab.app.plots.cell_image import CellImage
from attnlab.app.plots.colors import LEVELS, SELECTION, colormap, diverging_colormap, lookup_table, peak_pool
from attnlab.app.plots.overview import Bounds, ExactRegion, Overview, covers, wanted_region
from attnlab.app.plots.plot_title import TitledView
from attnlab.app.plots.token_axis import TokenAxis
from attnlab.app.token_text import display_text
from attnlab.engine.api.pooling import fit

MIN_WIDTH = 260  # pixels: token labels, a readable plot and the colour bar with its labels
MIN_HEIGHT = 200  # pixels: the title, the key labels and a colour bar tall enough for two labels apart
BAR_TEXT_MARGIN = 10  # pixels of the colour bar's axis beside its widest label: its tick, a gap, a spare
DISPLAY_LIMIT = 512  # cells per side drawn at once; more are max-pooled
HOVER_MS = 16  # the hover text follows the mouse at most this often


class HeatmapView(TitledView):
    """Emits hovered(query, key, weight) as the mouse moves over a cell, cell_clicked(query, key)
    on a left click (a press and release without a drag: dragging still pans)."""

    hovered = Signal(int, int, float)
    cell_clicked = Signal(int, int)
    region_wanted = Signal(int, int, int, int)  # long documents: exact weights wanted for q0, q1, k0, k1

    def __init__(self, parent: QWidget | None = None, name: str = "headHeatmap"):
        super().__init__(parent)
        self.setObjectName(name)
        self.setBackground("w")
        self._left, self._bottom = TokenAxis("left"), TokenAxis("bottom")
        self.plot = self.addPlot(axisItems={"left": self._left, "bottom": self._bottom})
        self.plot.invertY(True)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.getViewBox().setDefaultPadding(0)
        self.plot.setLabel("left", self.tr("query"))
        self.plot.setLabel("bottom", self.tr("key"))
        self.image = CellImage(axisOrder="row-major")
        self.image.setLookupTable(lookup_table())
        self.image.setLevels(LEVELS)
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(
            values=LEVELS, colorMap=colormap(), interactive=True, width=14, limits=LEVELS, rounding=0.01
        )
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        self._scale: Scale = "linear"  # what the colour bar's values are (its labels say)
        self._bar_labels: list[tuple[float, str]] = []
        self.colorbar.sigLevelsChanged.connect(self._label_bar)  # the user dragged it
        self.colorbar.axis.geometryChanged.connect(self._label_bar)  # taller or shorter: more or fewer labels
        self.setMinimumSize(MIN_WIDTH, MIN_HEIGHT)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # arrow keys move the highlighted cell (attention_keys)
        self.setAccessibleDescription(
            self.tr(
                "Attention of one head: rows are queries, columns keys. Hover a cell for its weight; "
                "click it (or Enter) to see how it was computed. Arrow keys move the highlighted cell, "
                "PageUp/PageDown the layer."
            )
        )
        pen = QPen(QColor(SELECTION))
        pen.setWidthF(2)
        pen.setCosmetic(True)
        self._cursor_item = QGraphicsRectItem()
        self._cursor_item.setPen(pen)
        self._cursor_item.setZValue(10)
        self._cursor_item.hide()
        self.plot.addItem(self._cursor_item)
        self._cursor: tuple[int, int] | None = None  # (query, key) highlighted by the keyboard or a click
        self._matrix: NDArray[np.float32] = np.zeros((0, 0), np.float32)  # [query, key], full resolution
        self._colours: NDArray[np.float32] = self._matrix  # [query, key], what is drawn for it
        self._queries: list[str] = []
        self._keys: list[str] = []
        self._pooled: tuple[NDArray[np.float32], int, int] | None = None
        self._showing: tuple[int, int, int, int] | None = None  # drawn (row0, row1, col0, col1) at full res
        self._overview: Overview | None = None  # a long document's head (then `_matrix` is empty)
        self._region: ExactRegion | None = None  # its exact weights where the user zoomed in
        self._asked: Bounds | None = None  # the region last asked for, not answered yet
        self._long_titles = ("", "")  # a long document's title while its overview is drawn, and while exact weights are
        self._drawn: NDArray[np.float32] | None = None  # the array the image was last set from
        self._attention_levels: tuple[float, float] | None = None  # the user's levels while a difference is shown
        self.hover_text = ""
        # Hover is rate-limited by a timer the view owns (Qt deletes it with the view, on the GUI thread).
        self._pointer = QPointF()
        self._hover_timer = QTimer(self, singleShot=True, interval=HOVER_MS)
        self._hover_timer.timeout.connect(self._on_hover_due)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.plot.getViewBox().sigRangeChanged.connect(self._on_range_changed)

    # -- data --------------------------------------------------------------------------------

    def show_matrix(
        self,
        matrix: NDArray[np.float32],
        queries: Sequence[str],
        keys: Sequence[str],
        title: str = "",
        scale: Scale = "linear",
        hide_first: bool = False,
    ) -> None:
        """matrix: [query, key] attention weights in [0, 1]; `scale` and `hide_first` change only the colours."""
        self._attention_colours()
        matrix = self._finite(matrix)
        scaled = scale_for_display(matrix, scale, hide_first)
        if scaled.hidden is not None:
            title += self.tr(" · token 0 hidden ({0:.0%} of the weight)").format(scaled.hidden)
        if scale != "linear":
            title += self.tr(" · {0} colours").format(i18n.title(SCALES[scale]))
        self._scale = scale
        self._label_bar()
        self._show(matrix, scaled.image, queries, keys, title)

    def show_difference(
        self, difference: NDArray[np.float32], queries: Sequence[str], keys: Sequence[str], title: str = ""
    ) -> None:
        """difference: [query, key] signed weights (now − reference) in [-1, 1], drawn in a diverging colour
        map with zero white and levels symmetric about zero (the largest magnitude shown)."""
        difference = self._finite(difference)
        if self._attention_levels is None:
            self._attention_levels = self.colorbar.levels()
            self.colorbar.setColorMap(diverging_colormap())
        bound = max(float(np.abs(difference).max(initial=0.0)), 1e-3)
        self.colorbar.lo_lim, self.colorbar.hi_lim = -1.0, 1.0
        self.colorbar.setLevels((-bound, bound))
        self._label_bar()  # signed (setLevels says nothing: sigLevelsChanged is the user's drag)
        self._show(difference, difference, queries, keys, title)

    def show_overview(
        self,
        overview: NDArray[np.float32],
        factor: int,
        size: int,
        queries: Sequence[str],
        keys: Sequence[str],
        title: str,
        key: Hashable,
        scale: Scale = "linear",
    ) -> None:
        """A long document's head: overview [cell, cell] is the max of each `factor` × `factor` block of its
        `size` × `size` tokens, drawn in token units. Zoomed to DISPLAY_LIMIT tokens a side or fewer, the view
        asks for the exact weights there (region_wanted); `key` names what the weights are of, and an exact
        region of the same key is kept (a step adds rows, it changes none)."""
        self._attention_colours()
        weights = self._finite(overview)
        self._scale = scale
        self._label_bar()
        colours = "" if scale == "linear" else self.tr(" · {0} colours").format(i18n.title(SCALES[scale]))
        self._long_titles = (  # the title says which is drawn: the overview or, zoomed in, the exact weights
            self.tr("{0} · max of {1}×{1} tokens{2}").format(title, factor, colours),  # short: the pane's width
            self.tr("{0} · exact{1}").format(title, colours),
        )
        previous = self.shape
        same = self._overview is not None and self._overview.key == key
        region = self._region if same and self._region is not None and self._region.bounds[1] <= size else None
        asked = self._asked if same else None
        self._matrix = self._colours = np.zeros((0, 0), np.float32)
        self._pooled = self._showing = None
        self._overview = Overview(weights, scale_for_display(weights, scale).image, factor, size, key, scale)
        self._region, self._asked = region, asked
        self._queries, self._keys = list(queries), list(keys)
        self._left.set_labels(self._queries)
        self._bottom.set_labels(self._keys)
        self._show_title(self._long_titles[0])
        if size == 0:
            self.image.clear()
            return
        if self.shape != previous:
            self._reset_view(previous)
        self._draw()
        if self._cursor is not None:
            self.set_cursor(*self._cursor)

    def show_region(self, bounds: Bounds, weights: NDArray[np.float32], key: Hashable) -> bool:
        """The exact weights [query, key] of a region asked for by region_wanted; dropped (False) when the
        view shows another head or text by now (`key` differs)."""
        overview = self._overview
        if overview is None or overview.key != key or bounds[1] > overview.size:
            return False
        weights = self._finite(weights)
        self._region = ExactRegion(bounds, weights, scale_for_display(weights, overview.scale).image)
        if self._asked == bounds:
            self._asked = None
        self._showing = None
        self._draw()
        if self.cursor_cell is not None:  # its text said "≤ w, the max of …" until now
            self.set_cursor(*self.cursor_cell)
        return True

    @property
    def showing_difference(self) -> bool:
        return self._attention_levels is not None

    def _attention_colours(self) -> None:
        """Back from a difference: the attention colour map and the levels the user had."""
        if self._attention_levels is None:
            return
        levels, self._attention_levels = self._attention_levels, None
        self.colorbar.lo_lim, self.colorbar.hi_lim = LEVELS
        self.colorbar.setColorMap(colormap())
        self.colorbar.setLevels(levels)
        self._label_bar()

    @staticmethod
    def _finite(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        if not np.isfinite(matrix).all():  # a check is ~10x cheaper than nan_to_num's copy at 2,048 tokens
            matrix = np.nan_to_num(matrix, nan=0.0)
        return matrix

    def _show(
        self,
        matrix: NDArray[np.float32],
        colours: NDArray[np.float32],
        queries: Sequence[str],
        keys: Sequence[str],
        title: str,
    ) -> None:
        previous = self.shape
        self._overview = self._region = self._asked = None
        self._matrix, self._colours = matrix, colours
        self._queries, self._keys = list(queries), list(keys)
        self._left.set_labels(self._queries)
        self._bottom.set_labels(self._keys)
        self._show_title(title)
        rows, cols = self._matrix.shape
        self._pooled = None
        if max(rows, cols) > DISPLAY_LIMIT:
            self._pooled = fit(self._colours, DISPLAY_LIMIT)
            if self.showing_difference:
                self._pooled = (peak_pool(self._colours, *self._pooled[1:]), *self._pooled[1:])
        self._showing = None
        if rows == 0 or cols == 0:
            self.image.clear()
            return
        if self._matrix.shape != previous:
            self._reset_view(previous)
        self._draw()
        if self._cursor is not None:
            self.set_cursor(*self._cursor)

    def _label_bar(self, *_: object) -> None:
        """Label the colour bar for its levels, scale and height, as wide as its widest label (pyqtgraph's own
        labels are dropped when wider than its fixed 45 px, or crowd a short bar with "0, 0, 0")."""
        axis = self.colorbar.axis
        scale: Scale = "linear" if self.showing_difference else self._scale
        labels = colour_bar_ticks(scale, self.colorbar.levels(), axis.geometry().height())  # 0 until laid out
        if labels == self._bar_labels:
            return
        self._bar_labels = labels
        axis.setTicks([labels])
        with _measuring_painter() as painter:  # measured as pyqtgraph measures them: it drops a label that overflows
            if axis.style.get("tickFont") is not None:
                painter.setFont(axis.style["tickFont"])
            widest = max(
                painter.boundingRect(QRectF(0, 0, 100, 100), Qt.AlignmentFlag.AlignCenter, label).width()
                for _, label in labels
            )
        axis.setWidth(int(widest) + BAR_TEXT_MARGIN)
        self.resizeEvent(None)  # laid out in the view again, as wide as it is now

    @property
    def colour_bar_ticks(self) -> list[tuple[float, str]]:
        """What the colour bar is to name, bottom to top: (value, label) (drawn once laid out)."""
        return list(self._bar_labels)

    def colour_bar_labels(self) -> list[tuple[float, str]]:
        """What the colour bar names, bottom to top: (value, label) as drawn, inside the view (tests read it)."""
        axis = self.colorbar.axis
        with _measuring_painter() as painter:
            texts = axis.generateDrawSpecs(painter)[2]  # pyqtgraph drops what would not fit in the axis
        seen = self.mapToScene(self.viewport().rect()).boundingRect()
        values = dict((label, value) for value, label in self._bar_labels)
        return [
            (values.get(text, float("nan")), text)
            for rect, _flags, text in texts
            if seen.contains(axis.mapRectToScene(rect))
        ]

    def _beside_title(self) -> float:
        return self.plot.getAxis("left").width() + self.colorbar.width()

    def share_colorbar(self, *images: pg.ImageItem) -> None:
        """Let the colour bar set the levels of other images too (the head grid)."""
        self.colorbar.setImageItem([self.image, *images])

    def show_nothing(self) -> None:
        self._attention_colours()
        self._overview = self._region = self._asked = None
        self._matrix = self._colours = np.zeros((0, 0), np.float32)
        self._queries, self._keys = [], []
        self._left.set_labels([])
        self._bottom.set_labels([])
        self._show_title("")
        self.image.clear()
        self._cursor_item.hide()

    @property
    def matrix(self) -> NDArray[np.float32]:
        """The weights shown, at full resolution: [query, key] (true weights, whatever the colour scale);
        empty for a long document (see `overview` and `region`)."""
        return self._matrix

    @property
    def shape(self) -> tuple[int, int]:
        """(queries, keys) shown, in tokens."""
        if self._overview is not None:
            return self._overview.size, self._overview.size
        rows, cols = self._matrix.shape
        return rows, cols

    @property
    def overview(self) -> Overview | None:
        """A long document's overview shown (None: a whole matrix is)."""
        return self._overview

    @property
    def region(self) -> ExactRegion | None:
        """A long document's exact weights received for the region zoomed into (None: none yet)."""
        return self._region

    def weight_at(self, query: int, key: int) -> float:
        """The weight of a cell: exact, or for a long document outside its exact region the largest of its block."""
        if self._overview is None:
            return float(self._matrix[query, key])
        exact = self._exact_weight(query, key)
        return self._overview.cell(query, key) if exact is None else exact

    def _exact_weight(self, query: int, key: int) -> float | None:
        """A long document's exact weight of a cell, when it is drawn there (zoomed in, the region received)."""
        region = self._region
        if region is None or not region.holds(query, key) or not self._exact_drawn():
            return None
        q0, _, k0, _ = region.bounds
        return float(region.weights[query - q0, key - k0])

    @property
    def colours(self) -> NDArray[np.float32]:
        """The colour values drawn for `matrix`, at full resolution, in [0, 1]."""
        return self._colours

    def displayed_image(self) -> NDArray[np.float32] | None:
        return self.image.image

    def text_at(self, query: int, key: int) -> str:
        """The hover text of one cell: "query → key: weight"."""
        q = display_text(self._queries[query], 24) if query < len(self._queries) else f"#{query}"
        k = display_text(self._keys[key], 24) if key < len(self._keys) else f"#{key}"
        weight = self.weight_at(query, key)
        overview = self._overview
        if overview is None or self._exact_weight(query, key) is not None:
            return f"{q} (#{query}) → {k} (#{key}): {weight:.3f}"
        q0, q1, k0, k1 = overview.block(query, key)
        return self.tr(
            "{0} (#{1}) → {2} (#{3}): ≤ {4:.3f}, the max of {5}×{6} tokens (#{7}–{8} → #{9}–{10}); "
            "zoom in for exact weights"
        ).format(q, query, k, key, weight, q1 - q0, k1 - k0, q0, q1 - 1, k0, k1 - 1)

    # -- drawing -----------------------------------------------------------------------------

    def _reset_view(self, previous: tuple[int, ...]) -> None:
        """Show the whole matrix unless the user is zoomed into part of the previous one."""
        rows, cols = self.shape
        vb = self.plot.getViewBox()
        zoomed = False
        if len(previous) == 2 and previous[0] and previous[1]:
            (x0, x1), (y0, y1) = vb.viewRange()
            zoomed = x1 - x0 < previous[1] - 0.01 or y1 - y0 < previous[0] - 0.01
        vb.setLimits(xMin=-0.5, xMax=cols - 0.5, yMin=-0.5, yMax=rows - 0.5)
        if not zoomed:
            vb.setRange(xRange=(-0.5, cols - 0.5), yRange=(-0.5, rows - 0.5), padding=0)

    def _visible(self) -> Bounds:
        """(row0, row1, col0, col1): the cells in view, clipped to the matrix."""
        rows, cols = self.shape
        (x0, x1), (y0, y1) = self.plot.getViewBox().viewRange()
        r0, r1 = max(0, int(np.floor(y0 + 0.5))), min(rows, int(np.ceil(y1 + 0.5)))
        c0, c1 = max(0, int(np.floor(x0 + 0.5))), min(cols, int(np.ceil(x1 + 0.5)))
        return r0, r1, c0, c1

    def _draw(self) -> None:
        if self._overview is not None:
            self._draw_long(self._overview)
            return
        rows, cols = self._matrix.shape
        if self._pooled is None:
            self._set_image(self._colours, QRectF(-0.5, -0.5, cols, rows))
            return
        r0, r1, c0, c1 = self._visible()
        if r1 - r0 <= DISPLAY_LIMIT and c1 - c0 <= DISPLAY_LIMIT and r1 > r0 and c1 > c0:
            if self._showing != (r0, r1, c0, c1):
                self._showing = (r0, r1, c0, c1)
                crop = self._colours[r0:r1, c0:c1]
                self._set_image(crop, QRectF(c0 - 0.5, r0 - 0.5, c1 - c0, r1 - r0))
        elif self._drawn is not self._pooled[0]:
            self._showing = None
            self._set_image(self._pooled[0], QRectF(-0.5, -0.5, cols, rows))

    def region_failed(self, *_: object) -> None:
        """The region asked for could not be computed (the window says why) or its reply was dropped: asked
        again after the next zoom."""
        self._asked = None

    def _exact_drawn(self) -> bool:
        """A long document zoomed in far enough for its exact weights to be drawn where they are known."""
        r0, r1, c0, c1 = self._visible()
        return 0 < r1 - r0 <= DISPLAY_LIMIT and 0 < c1 - c0 <= DISPLAY_LIMIT

    def _draw_long(self, overview: Overview) -> None:
        """The exact region when zoomed in and it is there (asked for when it is not), else the overview."""
        visible = self._visible()
        region = self._region
        if self._exact_drawn():
            if region is not None and covers(region.bounds, visible):
                if self._showing != region.bounds:
                    self._showing = region.bounds
                    q0, q1, k0, k1 = region.bounds
                    self._set_image(region.colours, QRectF(k0 - 0.5, q0 - 0.5, k1 - k0, q1 - q0))
                    self._show_title(self._long_titles[1])
                return
            if self._asked is None or not covers(self._asked, visible):
                self._asked = wanted_region(visible, overview.size, DISPLAY_LIMIT)
                self.region_wanted.emit(*self._asked)
        if self._drawn is not overview.colours:
            self._showing = None
            side = overview.colours.shape[0] * overview.factor  # in tokens: the last cell may reach past the end
            self._set_image(overview.colours, QRectF(-0.5, -0.5, side, side))
            self._show_title(self._long_titles[0])

    def _set_image(self, data: NDArray[np.float32], rect: QRectF) -> None:
        self._drawn = data
        self.image.setImage(np.ascontiguousarray(data, dtype=np.float32), autoLevels=False)
        self.image.setRect(rect)

    def _on_range_changed(self, *_: object) -> None:
        if self._pooled is not None or self._overview is not None:
            self._draw()

    # -- hover -------------------------------------------------------------------------------

    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        point = vb.mapSceneToView(scene_pos)
        query, key = int(np.floor(point.y() + 0.5)), int(np.floor(point.x() + 0.5))
        rows, cols = self.shape
        return (query, key) if 0 <= query < rows and 0 <= key < cols else None

    def _on_mouse_moved(self, scene_position: QPointF) -> None:
        self._pointer = QPointF(scene_position)
        if not self._hover_timer.isActive():
            self._hover_timer.start()

    def _on_hover_due(self) -> None:
        self._show_hover(self._pointer)

    def _show_hover(self, scene_position: QPointF) -> None:
        cell = self.cell_at(scene_position)
        if cell is None:
            self.hover_text = ""
            QToolTip.hideText()
            return
        self.hover_text = self.text_at(*cell)
        QToolTip.showText(QCursor.pos(), self.hover_text, self)
        self.hovered.emit(cell[0], cell[1], self.weight_at(*cell))

    # -- click -------------------------------------------------------------------------------

    def _on_mouse_clicked(self, event: object) -> None:
        button, double = getattr(event, "button", None), getattr(event, "double", None)
        if button is not None and button() == Qt.MouseButton.RightButton:
            self.popup_menu(event.screenPos().toPoint())  # type: ignore[attr-defined]  # a MouseClickEvent
            return
        if button is None or button() != Qt.MouseButton.LeftButton or (double is not None and double()):
            return
        self.click_at(event.scenePos())  # type: ignore[attr-defined]  # pyqtgraph's MouseClickEvent

    def click_at(self, scene_position: QPointF) -> None:
        """What a left click at `scene_position` does: highlight the cell there, if any, and emit cell_clicked."""
        cell = self.cell_at(scene_position)
        if cell is not None:
            self.set_cursor(*cell)
            self.cell_clicked.emit(*cell)

    # -- keyboard cursor ---------------------------------------------------------------------

    @property
    def cursor_cell(self) -> tuple[int, int] | None:
        """(query, key) of the highlighted cell, or None."""
        return self._cursor if self._cursor_item.isVisible() else None

    def set_cursor(self, query: int, key: int) -> None:
        """Highlight a cell (clamped to the matrix) and show its weight as the hover text."""
        rows, cols = self.shape
        if rows == 0 or cols == 0:
            self._cursor_item.hide()
            return
        query, key = min(max(query, 0), rows - 1), min(max(key, 0), cols - 1)
        self._cursor = (query, key)
        self._cursor_item.setRect(QRectF(key - 0.5, query - 0.5, 1, 1))
        self._cursor_item.show()
        self.hover_text = self.text_at(query, key)
        self.hovered.emit(query, key, self.weight_at(query, key))

    def reveal(self, position: int, around: int, last: int | None = None) -> None:
        """Zoom to the rows of a token (or of tokens position..last) and `around` more either side, keys alike,
        and highlight its diagonal cell: at full resolution when that is DISPLAY_LIMIT tokens or fewer (a long
        document's exact weights are asked for)."""
        last = position if last is None else last
        low, high = position - around - 0.5, last + around + 0.5
        self.plot.getViewBox().setRange(xRange=(max(-0.5, low), high), yRange=(max(-0.5, low), high), padding=0)
        self.set_cursor(position, position)  # once zoomed: its text is the exact weight when that is drawn

    def move_cursor(self, queries: int, keys: int) -> None:
        """Move the highlighted cell by (queries, keys); the first move starts at the last query's first key."""
        if self.cursor_cell is None:
            self.set_cursor(self.shape[0] - 1, 0)
        else:
            query, key = self.cursor_cell
            self.set_cursor(query + queries, key + keys)


@contextmanager
def _measuring_painter() -> Iterator[QPainter]:
    """A painter on a picture nobody shows: text is measured with it as it would be painted."""
    picture = QPicture()
    painter = QPainter(picture)
    try:
        yield painter
    finally:
        painter.end()
