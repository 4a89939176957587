"""Redrawing the window one part per event-loop turn, paced, so streaming tokens never stall input.

Drawing every view at once holds the event loop for the sum of the parts plus their painting,
and that is what a user feels as a stall while a run streams tokens in. The pump draws one stale
part, then waits at least twice as long as it took (and PART_GAP_MS) before the next.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

PART_GAP_MS = 8  # at least this long between two parts, for input and painting


class RedrawPump(QObject):
    finished = Signal()  # every part is drawn and nothing is stale

    def __init__(self, parts: dict[str, Callable[[], None]], parent: QObject | None = None):
        super().__init__(parent)
        self._parts = parts
        self._stale: list[str] = []
        self._drawn_at = 0.0  # perf_counter() when the last full round ended
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._draw_next)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def schedule(self, pause_ms: float) -> None:
        """Mark every part stale; start a round `pause_ms` after the last one ended, unless one runs."""
        for name in self._parts:
            if name not in self._stale:
                self._stale.append(name)  # a part already waiting keeps its turn
        if not self._timer.isActive():
            since = (time.perf_counter() - self._drawn_at) * 1000
            self._timer.start(int(max(0.0, pause_ms - since)))

    def draw_all(self) -> None:
        """Everything, now."""
        self.stop()
        for draw in self._parts.values():
            draw()
        self._round_done()

    def stop(self) -> None:
        self._timer.stop()
        self._stale.clear()

    def _draw_next(self) -> None:
        if not self._stale:
            return
        started = time.perf_counter()
        self._parts[self._stale.pop(0)]()
        cost = (time.perf_counter() - started) * 1000
        if self._stale:
            self._timer.start(int(max(PART_GAP_MS, 2 * cost)))
        else:
            self._round_done()

    def _round_done(self) -> None:
        self._drawn_at = time.perf_counter()
        self.finished.emit()
