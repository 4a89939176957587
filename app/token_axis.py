"""An axis that labels integer positions with token strings, thinning them to what fits."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics

from app.token_text import display_text

LABEL_CHARS = 12


class TokenAxis(pg.AxisItem):
    def __init__(self, orientation: str):
        super().__init__(orientation)
        self._labels: list[str] = []
        self._widest = 0

    def set_labels(self, labels: Sequence[str]) -> None:
        self._labels = [display_text(label, limit=LABEL_CHARS) for label in labels]
        metrics = QFontMetrics(self.style.get("tickFont") or QFont())
        sample = self._labels[:: max(1, len(self._labels) // 200)]
        self._widest = max((metrics.horizontalAdvance(s) for s in sample), default=0)
        self._line = metrics.height()
        self.picture = None  # pyqtgraph caches the drawn axis
        self.update()

    def _pixels_per_label(self) -> int:
        if self.orientation in ("left", "right"):
            return getattr(self, "_line", 14) + 2
        return self._widest + 10

    def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802,N803 - pyqtgraph override
        if not self._labels:
            return []
        lo, hi = max(0, math.ceil(minVal)), min(len(self._labels) - 1, math.floor(maxVal))
        if hi < lo:
            return []
        step = max(1, math.ceil((hi - lo + 1) * self._pixels_per_label() / max(size, 1.0)))
        first = math.ceil(lo / step) * step
        return [(float(step), [float(v) for v in range(first, hi + 1, step)])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph override
        return [self._labels[int(v)] if 0 <= int(v) < len(self._labels) else "" for v in values]
