"""An ImageItem whose cells stay sharp in vector figures (SVG, PDF).

pg.ImageItem paints its image at one pixel per cell. Into an SVG or a PDF that embeds a 12 × 12
raster and leaves the enlarging to whoever opens the file, and most renderers smooth it: the cells
blur into each other. Painted onto a vector device, a CellImage embeds its image enlarged by whole
factors without smoothing (each cell a uniform block) to at least SHARPNESS times the size it is
drawn at, so any renderer shows square cells. On screen and into PNGs it paints as pg.ImageItem does.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPaintEngine, QPainter

VECTOR_ENGINES = (QPaintEngine.Type.SVG, QPaintEngine.Type.Pdf)
SHARPNESS = 2.0  # embedded pixels per drawn (logical) pixel, at least: crisp up to 2× zoom
MAX_SIDE = 2048  # pixels a side of an enlarged image: a zoomed-in view does not embed a giant one


def block_factor(cells: int, drawn: float) -> int:
    """How many pixels each of `cells` cells gets along one side, drawn `drawn` logical pixels long."""
    wanted = math.ceil(SHARPNESS * drawn / cells)
    return max(1, min(wanted, MAX_SIDE // cells))


def enlarged(image: QImage, columns: int, rows: int) -> QImage:
    """`image` with each pixel repeated into a block `columns` wide and `rows` high (exactly: QImage's
    own unsmoothed scaling steps in fixed point and makes some blocks a pixel wider than others)."""
    argb = image.convertToFormat(QImage.Format.Format_ARGB32)
    words = np.frombuffer(argb.constBits(), np.uint32, argb.height() * argb.bytesPerLine() // 4)
    pixels = words.reshape(argb.height(), -1)[:, : argb.width()]  # [row, column] of ARGB words
    blocks = np.ascontiguousarray(np.repeat(np.repeat(pixels, rows, axis=0), columns, axis=1))
    height, width = blocks.shape
    return QImage(blocks.data, width, height, 4 * width, QImage.Format.Format_ARGB32).copy()


class CellImage(pg.ImageItem):
    qimage: QImage | None  # pg.ImageItem's: the colours it paints, one pixel per cell

    def paint(self, painter: QPainter, *args: object) -> None:
        engine = painter.paintEngine()
        if self.image is None or engine is None or engine.type() not in VECTOR_ENGINES:
            super().paint(painter, *args)
            return
        self.render()  # the colours, now: the enlarged copy is made from them
        original = self.qimage
        if original is None or original.isNull():
            return
        width, height = original.width(), original.height()
        drawn = painter.transform().mapRect(QRectF(0, 0, width, height))  # in the device's logical pixels
        columns, rows = block_factor(width, drawn.width()), block_factor(height, drawn.height())
        self.qimage = enlarged(original, columns, rows)
        try:
            super().paint(painter, *args)
        finally:
            self.qimage = original
