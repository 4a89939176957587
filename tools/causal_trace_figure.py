"""Draw the causal-tracing maps of an `attnlab export --analyses patching` file as one PNG.

    PYTHONPATH=. .venv/bin/python tools/causal_trace_figure.py run.npz figure.png

Three panels side by side (residual stream, attention output, MLP output), rows = input tokens, columns =
layers, as in Meng et al. 2022's figures; colour = the recovered share (white 0, dark red 1, blue < 0).
Drawn with QPainter offscreen: no plotting library needed.
"""

from __future__ import annotations

import os
import sys

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

CELL_W, CELL_H, LABEL_W, TITLE_H, GAP = 14, 22, 120, 40, 30
PANELS = (("patching_residual", "residual stream"), ("patching_attention", "attention output"), ("patching_mlp", "MLP"))


def colour(value: float) -> QColor:
    if not np.isfinite(value):
        return QColor("#dddddd")
    t = max(-1.0, min(1.0, value))
    far = (140, 10, 30) if t > 0 else (33, 102, 172)
    return QColor(*(round(255 + (f - 255) * abs(t)) for f in far))


def draw(npz: str, out: str) -> None:
    data = np.load(npz)
    tokens = [str(t) for t in data["sequence_tokens"] if True][: data["patching_residual"].shape[1]]
    layers, n = data["patching_residual"].shape
    width = LABEL_W + len(PANELS) * (layers * CELL_W + GAP)
    height = TITLE_H + n * CELL_H + 40
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(QFont("Sans", 9))
    for row, token in enumerate(tokens):
        rect = QRectF(0, TITLE_H + row * CELL_H, LABEL_W - 6, CELL_H)
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, repr(token))
    for i, (name, title) in enumerate(PANELS):
        left = LABEL_W + i * (layers * CELL_W + GAP)
        values = data[name]  # [layer, position]
        painter.drawText(QRectF(left, 4, layers * CELL_W, TITLE_H - 8), Qt.AlignmentFlag.AlignCenter, title)
        for layer in range(layers):
            for position in range(n):
                painter.fillRect(
                    QRectF(left + layer * CELL_W, TITLE_H + position * CELL_H, CELL_W, CELL_H),
                    colour(float(values[layer, position])),
                )
        for layer in range(0, layers, 5):
            painter.drawText(QRectF(left + layer * CELL_W - 6, TITLE_H + n * CELL_H + 2, 26, 16), str(layer))
        painter.drawText(
            QRectF(left, TITLE_H + n * CELL_H + 18, layers * CELL_W, 18), Qt.AlignmentFlag.AlignCenter, "layer"
        )
    painter.end()
    image.save(out)
    del app


if __name__ == "__main__":
    draw(sys.argv[1], sys.argv[2])
