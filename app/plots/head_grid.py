"""Every head as a thumbnail, all in one montage image (one ImageItem, not one per head).

Either the heads of one layer in a grid shaped like its pane, or all layers × heads (rows are
layers, labelled on the left; heads labelled on top). The grid fills its pane: thumbnails
stretch up to MAX_STRETCH from square, at any window size. Every thumbnail is one unit wide and
high in view coordinates, whatever its pixels. Hover a thumbnail for its layer and head; click
it to select that head; right-click to ablate or restore it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem, QToolTip, QWidget

from attnlab.app.plots.cell_image import CellImage
from attnlab.app.plots.colors import ABLATED, GRID_LINE, LEVELS, SELECTION, lookup_table
from attnlab.app.plots.plot_title import TitledView
from attnlab.app.plots.token_axis import TokenAxis
from attnlab.engine.api.pooling import max_pool

if TYPE_CHECKING:
    from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent

MONTAGE_LIMIT = 1024  # pixels along the longer side of the whole montage
MAX_LABELS = 150
METRIC_OPACITY = 0.75  # the score colour over each thumbnail; its attention pattern still shows through
METRIC_COLOURS = pg.ColorMap(pos=[0.0, 1.0], color=[(255, 255, 255), (198, 40, 40)])  # low white … high red
EMPTY_TILE = "w"  # the view's background (setBackground below)
MAX_STRETCH = 1.5  # a thumbnail may be this much wider than high (or higher than wide) to fill the pane


def _grid_shape(layer_count: int, heads: int) -> tuple[int, int]:
    """(rows, cols) of thumbnails: layers × heads, or one layer's heads in a near-square grid."""
    if layer_count > 1:
        return layer_count, heads
    cols = math.ceil(math.sqrt(heads))
    return math.ceil(heads / cols), cols


def fitted_columns(heads: int, width: float, height: float) -> int:
    """Columns for one layer's heads in a `width` × `height` pane: square tiles as large as fit."""
    if width <= 0 or height <= 0:
        return _grid_shape(1, heads)[1]
    return max(range(1, heads + 1), key=lambda cols: min(width / cols, height / math.ceil(heads / cols)))


def pool_factors(layer_count: int, heads: int, rows: int, cols: int) -> tuple[int, int]:
    """How much show_layers max-pools a [rows, cols] head to fit its thumbnail. Blocks pooled this
    much beforehand (AttentionSnapshot.pooled) are shown as they are, identically."""
    side = max(8, MONTAGE_LIMIT // max(_grid_shape(layer_count, heads)))
    return math.ceil(rows / side), math.ceil(cols / side)


def _pen(color: str, width: float) -> QPen:
    pen = QPen(QColor(color))
    pen.setWidthF(width)
    pen.setCosmetic(True)
    return pen


class HeadGridView(TitledView):
    head_clicked = Signal(int, int)  # layer, head
    ablation_toggled = Signal(int, int)  # layer, head

    def __init__(self, parent: QWidget | None = None, name: str = "headGrid"):
        super().__init__(parent)
        self.setObjectName(name)
        self.setBackground("w")
        self._layer_axis, self._head_axis = TokenAxis("left", offset=0.5), TokenAxis("top", offset=0.5)
        self.plot = self.addPlot(axisItems={"left": self._layer_axis, "top": self._head_axis})
        self.plot.invertY(True)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.hideAxis("bottom")
        for axis in (self._layer_axis, self._head_axis):
            axis.setStyle(tickLength=0)
            axis.setPen(pg.mkPen(None))  # labels only: the grid's lines are the scale
        self.plot.getViewBox().setMouseEnabled(False, False)
        self.plot.getViewBox().setDefaultPadding(0.01)
        self.image = CellImage(axisOrder="row-major")
        self.image.setLookupTable(lookup_table())
        self.image.setLevels(LEVELS)
        self.plot.addItem(self.image)
        self._empty = QGraphicsPathItem()  # the grid's tiles past the last head, painted as background
        self._empty.setPen(pg.mkPen(None))
        self._empty.setBrush(pg.mkBrush(EMPTY_TILE))
        self.plot.addItem(self._empty)
        self._metric = CellImage(axisOrder="row-major")  # [grid row, grid col, RGBA]: one colour per tile
        self._metric.setOpacity(METRIC_OPACITY)
        self.plot.addItem(self._metric)
        self._metric_values: NDArray[np.float32] | None = None  # [shown layer, head]
        self._metric_title = ""
        self._metric_span = (0.0, 1.0)
        self.hover_text = ""
        self._lines = QGraphicsPathItem()
        self._lines.setPen(_pen(GRID_LINE, 2))
        self._crosses = QGraphicsPathItem()
        self._crosses.setPen(_pen(ABLATED, 2))
        self._selection = QGraphicsRectItem()
        self._selection.setPen(_pen(SELECTION, 3))
        for item in (self._lines, self._crosses, self._selection):
            self.plot.addItem(item)
        self._labels: list[pg.TextItem] = []
        self._layers: list[int] = []
        self._heads = 0
        self._cols = 1
        self._rows = 1
        self._tile = (1, 1)  # (height, width) of one thumbnail in view units: one each
        self._pixels = (1, 1)  # (height, width) of one thumbnail in montage pixels
        self._all_layers = False
        self._shown: tuple = ()  # show_layers' arguments, to lay the grid out again on a resize
        self.scene().sigMouseClicked.connect(self._on_clicked)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.getViewBox().sigResized.connect(self._fit)

    # -- data --------------------------------------------------------------------------------

    def show_layers(
        self,
        blocks: Sequence[NDArray[np.float32]],
        layers: Sequence[int],
        selected: tuple[int, int] | None,
        ablated: frozenset[tuple[int, int]] = frozenset(),
        title: str = "",
    ) -> None:
        """blocks: one [head, query, key] array per shown layer; `layers` are their indices."""
        self._shown = (blocks, layers, selected, ablated, title)
        self._layers = list(layers)
        self._all_layers = len(blocks) > 1
        self._show_title(title)
        self._show_axes(self._all_layers, blocks[0].shape[0] if blocks else 0)
        if not blocks or blocks[0].size == 0:
            self.image.clear()
            for item in (self._lines, self._crosses, self._empty):
                item.setPath(QPainterPath())
            self._selection.hide()
            self._set_labels([])
            self._metric.clear()
            return
        heads, rows, cols = blocks[0].shape
        self._heads = heads
        if self._all_layers:
            grid_rows, grid_cols = _grid_shape(len(blocks), heads)
        else:
            vb = self.plot.getViewBox()
            grid_cols = fitted_columns(heads, vb.width(), vb.height())
            grid_rows = math.ceil(heads / grid_cols)
        self._rows, self._cols = grid_rows, grid_cols
        fy, fx = pool_factors(len(blocks), heads, rows, cols)
        th, tw = math.ceil(rows / fy), math.ceil(cols / fx)
        self._pixels = (th, tw)
        montage = np.zeros((grid_rows * th, grid_cols * tw), np.float32)  # [row, col] of pixels
        for index, block in enumerate(blocks):
            pooled = max_pool(block, fy, fx)  # [head, th, tw]
            for head in range(heads):
                r, c = self._grid_position(index, head)
                montage[r * th : (r + 1) * th, c * tw : (c + 1) * tw] = pooled[head]
        self.image.setImage(np.ascontiguousarray(montage), autoLevels=False)
        self.image.setRect(QRectF(0, 0, grid_cols, grid_rows))  # one unit per thumbnail
        self._draw_lines(grid_rows, grid_cols)
        self._draw_empty(len(blocks), grid_rows, grid_cols)
        self._draw_ablated(ablated)
        self._draw_selection(selected)
        self._draw_labels()
        self._draw_metric()
        self._fit()

    def _show_axes(self, shown: bool, heads: int) -> None:
        """The all-layers grid: layers down the left, heads along the top."""
        for name in ("left", "top"):
            self.plot.showAxis(name, shown)
        if shown:
            self._layer_axis.set_labels([f"L{layer}" for layer in self._layers])
            self._head_axis.set_labels([f"H{head}" for head in range(heads)])

    def _fit(self, *_: object) -> None:
        """Fill the pane: lay one layer's heads out for its shape, then stretch the tiles up to
        MAX_STRETCH from square (beyond that the grid is centred with a margin)."""
        vb = self.plot.getViewBox()
        if self.image.image is None or vb.width() <= 0 or vb.height() <= 0:
            return
        if not self._all_layers and fitted_columns(self._heads, vb.width(), vb.height()) != self._cols:
            self.show_layers(*self._shown)  # calls _fit again with the new shape
            return
        th, tw = self._pixels
        square = tw / th  # x scale / y scale at which the montage's pixels are square
        filled = (vb.width() / self._cols) / (vb.height() / self._rows)
        ratio = min(max(filled, square / MAX_STRETCH), square * MAX_STRETCH)
        vb.setAspectLocked(True, ratio=ratio)
        vb.setRange(QRectF(0, 0, self._cols, self._rows), padding=0.01)  # the montage, not the pens' margins

    # -- geometry ----------------------------------------------------------------------------

    @property
    def columns(self) -> int:
        """Thumbnails per row (heads in the all-layers grid)."""
        return self._cols

    def _grid_position(self, layer_index: int, head: int) -> tuple[int, int]:
        if self._all_layers:
            return layer_index, head
        return divmod(head, self._cols)

    def _tile_rect(self, layer: int, head: int) -> QRectF | None:
        if layer not in self._layers or not 0 <= head < self._heads:
            return None
        r, c = self._grid_position(self._layers.index(layer), head)
        th, tw = self._tile
        return QRectF(c * tw, r * th, tw, th)

    def tile_size(self) -> tuple[float, float]:
        """(width, height) of one thumbnail on screen, in pixels."""
        rect = self.plot.getViewBox().mapViewToScene(QRectF(0, 0, 1, 1)).boundingRect()
        return rect.width(), rect.height()

    def head_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """(layer, head) of the thumbnail under a scene position."""
        if not self._layers or self.image.image is None:
            return None
        point = self.plot.getViewBox().mapSceneToView(scene_pos)
        th, tw = self._tile
        r, c = math.floor(point.y() / th), math.floor(point.x() / tw)
        if self._all_layers:
            layer_index, head = r, c
            if not (0 <= r < len(self._layers) and 0 <= c < self._heads):
                return None
        else:
            layer_index, head = 0, r * self._cols + c
            if not (0 <= c < self._cols and 0 <= head < self._heads and r >= 0):
                return None
        return self._layers[layer_index], head

    def tile_center(self, layer: int, head: int) -> QPointF:
        """Scene position of a thumbnail's centre (for tests that click it)."""
        rect = self._tile_rect(layer, head)
        if rect is None:
            raise ValueError(f"no thumbnail shows layer {layer} head {head}")
        return self.plot.getViewBox().mapViewToScene(rect.center())

    # -- overlays ----------------------------------------------------------------------------

    def _draw_lines(self, grid_rows: int, grid_cols: int) -> None:
        th, tw = self._tile
        path = QPainterPath()
        for c in range(1, grid_cols):
            path.moveTo(c * tw, 0)
            path.lineTo(c * tw, grid_rows * th)
        for r in range(1, grid_rows):
            path.moveTo(0, r * th)
            path.lineTo(grid_cols * tw, r * th)
        self._lines.setPath(path)

    def _draw_empty(self, layer_count: int, grid_rows: int, grid_cols: int) -> None:
        """Cover the tiles no head fills (a 9-head layer on a 5 × 2 grid leaves one): zeros there
        would map to the colour of weight 0 and read as a head that attends nowhere."""
        th, tw = self._tile
        taken = {self._grid_position(index, head) for index in range(layer_count) for head in range(self._heads)}
        path = QPainterPath()
        for r in range(grid_rows):
            for c in range(grid_cols):
                if (r, c) not in taken:
                    path.addRect(QRectF(c * tw, r * th, tw, th))
        self._empty.setPath(path)

    def empty_tiles(self) -> list[QRectF]:
        """View rectangles of the tiles no head fills (painted as background)."""
        return [poly.boundingRect() for poly in self._empty.path().toSubpathPolygons()]

    def _draw_ablated(self, ablated: frozenset[tuple[int, int]]) -> None:
        path = QPainterPath()
        for layer, head in ablated:
            rect = self._tile_rect(layer, head)
            if rect is not None:
                path.moveTo(rect.topLeft())
                path.lineTo(rect.bottomRight())
                path.moveTo(rect.topRight())
                path.lineTo(rect.bottomLeft())
        self._crosses.setPath(path)

    def _draw_selection(self, selected: tuple[int, int] | None) -> None:
        rect = self._tile_rect(*selected) if selected else None
        self._selection.setVisible(rect is not None)
        if rect is not None:
            self._selection.setRect(rect)

    def _draw_labels(self) -> None:
        """One layer's heads each carry "H<n>"; the all-layers grid is labelled by its axes."""
        texts = []
        if not self._all_layers:
            for head in range(self._heads):
                rect = self._tile_rect(self._layers[0], head)
                if rect is not None:  # always: every head has a tile
                    texts.append((f"H{head}", rect))
        self._set_labels(texts)

    def _set_labels(self, texts: list[tuple[str, QRectF]]) -> None:
        while len(self._labels) > len(texts):
            self.plot.removeItem(self._labels.pop())
        font = QFont()
        font.setPointSize(7)
        while len(self._labels) < len(texts):
            label = pg.TextItem(color="w", fill=pg.mkBrush(0, 0, 0, 120), anchor=(0, 0))
            label.setFont(font)
            self.plot.addItem(label)
            self._labels.append(label)
        for label, (name, rect) in zip(self._labels, texts, strict=True):
            label.setText(name)
            label.setPos(rect.topLeft())

    # -- a score per head ----------------------------------------------------------------------

    def show_metric(
        self, values: NDArray[np.float32] | None, title: str = "", span: tuple[float, float] = (0.0, 1.0)
    ) -> None:
        """Colour each thumbnail by a score: values [shown layer, head] (None: no colours), from
        white at span[0] to red at span[1]; NaN (no score) leaves the thumbnail uncoloured."""
        self._metric_values = None if values is None else np.asarray(values, np.float32)
        self._metric_title = title
        self._metric_span = span
        self._draw_metric()

    def metric_value(self, layer: int, head: int) -> float | None:
        """The score a thumbnail is coloured by (None: no scores shown)."""
        if self._metric_values is None or layer not in self._layers:
            return None
        return float(self._metric_values[self._layers.index(layer), head])

    def metric_colour(self, layer: int, head: int) -> tuple[int, int, int, int] | None:
        """The RGBA colour laid over a thumbnail (None: none)."""
        image = self._metric.image
        if self._metric_values is None or image is None or layer not in self._layers:
            return None
        r, c = self._grid_position(self._layers.index(layer), head)
        return tuple(int(v) for v in image[r, c])  # type: ignore[return-value]  # four channels

    def _draw_metric(self) -> None:
        values = self._metric_values
        if values is None or not self._layers or values.shape != (len(self._layers), self._heads):
            self._metric.clear()
            return
        grid_rows, grid_cols = self._rows, self._cols  # as laid out (one layer: fitted to the pane)
        low, high = self._metric_span
        scaled = np.clip((values - low) / ((high - low) or 1.0), 0.0, 1.0)
        colours = METRIC_COLOURS.map(np.nan_to_num(scaled).ravel(), mode="byte").reshape(*values.shape, -1)
        rgba = np.zeros((grid_rows, grid_cols, 4), np.uint8)
        for index in range(len(self._layers)):
            for head in range(self._heads):
                if np.isfinite(values[index, head]):
                    r, c = self._grid_position(index, head)
                    rgba[r, c, :3] = colours[index, head, :3]
                    rgba[r, c, 3] = 255
        th, tw = self._tile
        self._metric.setImage(rgba, autoLevels=False)
        self._metric.setRect(QRectF(0, 0, grid_cols * tw, grid_rows * th))

    def metric_text(self, layer: int, head: int) -> str:
        value = self.metric_value(layer, head)
        if value is None:
            return ""
        shown = "—" if not np.isfinite(value) else f"{value:.3f}"
        return self.tr("layer {0} head {1} · {2}: {3}").format(layer, head, self._metric_title, shown)

    # -- mouse -------------------------------------------------------------------------------

    def tooltip_at(self, scene_pos: QPointF) -> str:
        """The hover text of the thumbnail under a scene position ("" where there is none)."""
        hit = self.head_at(scene_pos)
        if hit is None:
            return ""
        score = self.metric_text(*hit)
        return (
            self.tr("layer {0} · head {1}\n").format(*hit)
            + (f"{score}\n" if score else "")
            + self.tr("click: show it in the large heatmap · right-click: ablate / restore")
        )

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        hit = self.head_at(scene_pos) if self._metric_values is not None else None
        self.hover_text = self.metric_text(*hit) if hit else ""
        text = self.tooltip_at(scene_pos)
        if text:
            QToolTip.showText(QCursor.pos(), text, self)
        else:
            QToolTip.hideText()

    def _on_clicked(self, event: MouseClickEvent) -> None:
        hit = self.head_at(event.scenePos())
        if event.button() == Qt.MouseButton.LeftButton and hit is not None:
            self.head_clicked.emit(*hit)
        elif event.button() == Qt.MouseButton.RightButton:
            own = []
            if hit is not None:
                own.append(
                    (
                        self.tr("Ablate / restore layer {0} head {1}").format(*hit),
                        lambda: self.ablation_toggled.emit(*hit),
                    )
                )
            self.popup_menu(event.screenPos().toPoint(), *own)
