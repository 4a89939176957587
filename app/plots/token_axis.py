"""An axis that labels integer positions with token strings.

Vertical axes thin their labels out to one per line of text. The horizontal (key) axis writes
its labels level while they all fit side by side, and turns them upright (rotated 90°) when
they would not: an upright label needs only a line's height of width, so far fewer are left out.
With NUMBERED_FROM tokens or more in view, a thinned-out label (vertical or upright) starts with its
position ("#1986 the"), so that a long document's axis says where it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter

from attnlab.app.token_text import display_text

LABEL_CHARS = 12
GAP_PX = 6  # between two labels on the horizontal axis
UPRIGHT_PX = 80  # the longest an upright label may be (taller would take the heatmap's room)
NUMBERED_FROM = 100  # tokens in view from which a thinned-out axis numbers its labels (a short text keeps the room)
UPRIGHT_SHARE = 0.12  # ... and at most this share of the view's height (a short pane keeps its plot)


class TokenAxis(pg.AxisItem):
    """Labels at integer positions; `offset` moves label i to i + offset (0.5: the centre of cell i
    when cell i spans [i, i + 1], as the head grid's tiles do)."""

    def __init__(self, orientation: str, offset: float = 0.0):
        super().__init__(orientation)
        self._offset = offset
        self.enableAutoSIPrefix(False)  # positions, not quantities: never "query (x0.001)" on an empty plot
        self.setTextPen("#404040")
        self._labels: list[str] = []
        self._widths: list[int] = []
        self._width_of: dict[str, int] = {}  # label -> pixels, kept across updates
        self._metrics = QFontMetrics(QFont())
        self.upright = False  # horizontal axis: the labels are drawn rotated (they did not fit level)
        self._upright_texts: list[tuple[float, str]] = []  # (x in pixels, label) drawn by drawPicture
        self.numbered = False  # the labels drawn skip tokens: each says its position too

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

    def _span(self, low: float, high: float) -> tuple[float, float, int, int] | None:
        """(min, max, first label, last label) in view, or None when no label is in view."""
        low, high = min(low, high), max(low, high)  # an inverted axis passes them reversed
        low, high = low - self._offset, high - self._offset  # in label indices from here on
        lo, hi = max(0, math.ceil(low)), min(len(self._labels) - 1, math.floor(high))
        if not self._labels or hi < lo or high <= low:
            return None
        return low, high, lo, hi

    def _every_nth(self, lo: int, hi: int, size: float) -> list[float]:
        """One label per line of text along the axis (vertical axes, upright labels)."""
        step = max(1, math.ceil((hi - lo + 1) * (self._metrics.height() + 2) / size))
        first = math.ceil(lo / step) * step
        return [float(v) for v in range(first, hi + 1, step)]

    def _level(self, low: float, high: float, lo: int, hi: int, size: float) -> list[float]:
        """Level labels: keep each one that clears the previous one, so short tokens pack densely."""
        px_per_unit = size / (high - low)
        narrowest = min(self._widths[lo : hi + 1]) + GAP_PX
        stride = max(1, math.ceil(narrowest / px_per_unit))  # no two labels fit closer than this
        kept, right = [], -math.inf
        for v in range(lo, hi + 1, stride):
            centre = (v - low) * px_per_unit
            half = self._widths[v] / 2
            if centre - half < 0 or centre + half > size:
                continue  # pyqtgraph hides a label that leaves the axis; let the next one have the room
            if centre - half >= right + GAP_PX:
                kept.append(float(v))
                right = centre + half
        return kept

    def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802,N803 - pyqtgraph override
        span = self._span(minVal, maxVal) if size > 0 else None
        if span is None:
            self.upright = self.numbered = False  # no labels (a stale True would draw labels of another size)
            return []
        low, high, lo, hi = span  # in label indices
        if self.orientation in ("left", "right"):
            chosen = self._every_nth(lo, hi, size)
        else:
            level = self._level(low, high, lo, hi, size)
            upright = self._every_nth(lo, hi, size)
            self.upright = self.orientation == "bottom" and len(level) < hi - lo + 1 and len(upright) > len(level)
            chosen = upright if self.upright else level
        # Level labels keep their width (they were spaced by it); the others have a line's room to say where.
        self.numbered = (
            hi - lo + 1 >= NUMBERED_FROM
            and len(chosen) < hi - lo + 1
            and (self.orientation in ("left", "right") or self.upright)
        )
        return [(1.0, [v + self._offset for v in chosen])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph override
        indices = [round(v - self._offset) for v in values]
        if self.numbered:
            return [f"#{i} {self._labels[i]}" if 0 <= i < len(self._labels) else "" for i in indices]
        return [self._labels[i] if 0 <= i < len(self._labels) else "" for i in indices]

    # -- upright labels ----------------------------------------------------------------------

    def generateDrawSpecs(self, p: QPainter):  # noqa: N802 - pyqtgraph override
        """Level labels as pyqtgraph draws them; upright ones placed here, drawn by drawPicture."""
        self._upright_texts = []
        if self.orientation != "bottom":
            return super().generateDrawSpecs(p)
        low, high = self.range
        ticks = self.tickValues(low, high, self.geometry().width())  # decides `upright` for this size
        if not ticks or not self.upright:
            return super().generateDrawSpecs(p)
        self.style["showValues"] = False  # ticks only: pyqtgraph would size the axis for level text
        try:
            specs = super().generateDrawSpecs(p)
        finally:
            self.style["showValues"] = True
        if specs is None:
            return None
        axis_spec, tick_specs, _ = specs
        values = ticks[0][1]
        strings = self.tickStrings(values, 1.0, 1.0)
        xs = [tick[1].x() for tick in tick_specs]
        self._upright_texts = list(zip(xs, strings, strict=False))
        longest = max((self._metrics.horizontalAdvance(s) for s in strings), default=0)
        self._updateMaxTextSize(min(longest, self._upright_room()) + 2)
        return axis_spec, tick_specs, []

    def drawPicture(self, p: QPainter, axisSpec, tickSpecs, textSpecs) -> None:  # noqa: N802,N803 - override
        super().drawPicture(p, axisSpec, tickSpecs, textSpecs)
        if not self._upright_texts:
            return
        top = max(0, self.style["tickLength"]) + self.style["tickTextOffset"][1]
        height, room = self._metrics.height(), self._upright_room()
        for x, text in self._upright_texts:
            shown = self._metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
            p.save()
            p.translate(QPointF(x, top))
            p.rotate(-90)  # reads bottom to top, ending at the axis
            p.drawText(
                QRectF(-room, -height / 2, room, height),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                shown,
            )
            p.restore()

    def _upright_room(self) -> int:
        """Pixels an upright label may take: UPRIGHT_PX, less in a short view."""
        views = self.scene().views() if self.scene() is not None else []
        if not views:
            return UPRIGHT_PX
        return max(3 * self._metrics.height() // 2, min(UPRIGHT_PX, int(views[0].height() * UPRIGHT_SHARE)))

    @property
    def drawn_labels(self) -> list[str]:
        """The labels drawn last time (upright or level), for tests."""
        if self.upright:
            return [text for _, text in self._upright_texts]
        vertical = self.orientation in ("left", "right")
        size = self.geometry().height() if vertical else self.geometry().width()
        low, high = self.range
        ticks = self.tickValues(low, high, size)
        return self.tickStrings(ticks[0][1], 1.0, 1.0) if ticks else []
