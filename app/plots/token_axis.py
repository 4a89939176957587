"""An axis that labels integer positions with token strings, leaving out labels that would overlap."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics

from app.token_text import display_text

LABEL_CHARS = 12
GAP_PX = 6  # between two labels on the horizontal axis


class TokenAxis(pg.AxisItem):
    def __init__(self, orientation: str):
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)  # positions, not quantities: never "query (x0.001)" on an empty plot
        self.setTextPen("#404040")
        self._labels: list[str] = []
        self._widths: list[int] = []
        self._width_of: dict[str, int] = {}  # label -> pixels, kept across updates
        self._metrics = QFontMetrics(QFont())

    def set_labels(self, labels: Sequence[str]) -> None:
        labels = [display_text(label, limit=LABEL_CHARS) for label in labels]
        if labels == self._labels:
            return
        self._labels = labels
        self._metrics = QFontMetrics(self.style.get("tickFont") or QFont())
        for label in labels:
            if label not in self._width_of:
                self._width_of[label] = self._metrics.horizontalAdvance(label)
        self._widths = [self._width_of[label] for label in labels]
        self.picture = None  # pyqtgraph caches the drawn axis
        self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802,N803 - pyqtgraph override
        if not self._labels or size <= 0:
            return []
        minVal, maxVal = min(minVal, maxVal), max(minVal, maxVal)  # an inverted axis passes them reversed
        lo, hi = max(0, math.ceil(minVal)), min(len(self._labels) - 1, math.floor(maxVal))
        if hi < lo or maxVal <= minVal:
            return []
        if self.orientation in ("left", "right"):
            step = max(1, math.ceil((hi - lo + 1) * (self._metrics.height() + 2) / size))
            first = math.ceil(lo / step) * step
            return [(float(step), [float(v) for v in range(first, hi + 1, step)])]
        # Horizontal: keep each label that clears the previous one, so short tokens pack densely.
        px_per_unit = size / (maxVal - minVal)
        narrowest = min(self._widths[lo : hi + 1]) + GAP_PX
        stride = max(1, math.ceil(narrowest / px_per_unit))  # no two labels fit closer than this
        kept, right = [], -math.inf
        for v in range(lo, hi + 1, stride):
            centre = (v - minVal) * px_per_unit
            half = self._widths[v] / 2
            if centre - half < 0 or centre + half > size:
                continue  # pyqtgraph hides a label that leaves the axis; let the next one have the room
            if centre - half >= right + GAP_PX:
                kept.append(float(v))
                right = centre + half
        return [(1.0, kept)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph override
        return [self._labels[int(v)] if 0 <= int(v) < len(self._labels) else "" for v in values]
