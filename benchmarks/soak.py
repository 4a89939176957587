"""Soak loops (issue 10): the window driven for a long time, with its memory and its event loop watched.

- steps: click Step `steps` times, in cycles of `cycle` tokens (the text is analysed afresh at the
  start of each cycle, so the attention never grows past one cycle). The resident memory is read
  at the end of every cycle; a 1 ms timer on the GUI thread records the longest gap between its
  ticks (a stall) over the whole soak.
- repaints: switch layer and head (and, every 10th time, the grid between one layer and all
  layers) and wait for the large heatmap to be painted again, `repaints` times.

Shared by the benchmark (benchmarks.gui_bench.soak, with figures) and the slow GUI test
(tests/app/test_gui_soak.py, with asserts on memory and on the window still working); the
caller passes its own `wait(condition)`, so both wait in the event loop their own way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QObject, Qt, QTimer

Wait = Callable[[Callable[[], bool]], None]  # runs the event loop until the condition holds


def rss_bytes() -> int:
    """The process's resident memory now (Linux: /proc/self/status VmRSS), in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise KeyError("VmRSS")


class Heartbeat:
    """The longest gap between ticks of a 1 ms timer on the GUI thread, while started."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(1)
        self._timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def longest_gap(self) -> float:
        """Seconds; NaN with fewer than two ticks."""
        gaps = [b - a for a, b in zip(self.ticks, self.ticks[1:], strict=False)]
        return max(gaps) if gaps else float("nan")


class PaintCounter(QObject):
    """Counts the paint events a widget receives (a graphics view's viewport: the heatmap drawn)."""

    def __init__(self, widget: QObject) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


@dataclass
class StepSoak:
    steps: int = 0  # Step clicks that added a token
    rss: list[int] = field(default_factory=list)  # bytes, at the end of each cycle
    stalls: list[float] = field(default_factory=list)  # seconds: the longest stall of each cycle
    seconds: float = 0.0

    def longest_stall(self, warm_up_cycles: int = 1) -> float:
        """Seconds: the longest stall after the warm-up cycles (of all cycles when there are no more)."""
        after = self.stalls[warm_up_cycles:] or self.stalls
        return max(after) if after else float("nan")

    def growth(self, warm_up_cycles: int = 1) -> float:
        """Relative RSS growth from the end of the warm-up cycles to the end (0.01 = 1%)."""
        base = self.rss[min(warm_up_cycles, len(self.rss)) - 1]
        return (self.rss[-1] - base) / base


@dataclass
class RepaintSoak:
    repaints: int = 0  # heatmap paints seen
    rss: list[int] = field(default_factory=list)  # bytes: after the warm-up tenth, then at the end
    seconds: float = 0.0

    def growth(self) -> float:
        return (self.rss[-1] - self.rss[0]) / self.rss[0]


def soak_steps(window, steps: int, cycle: int, wait: Wait) -> StepSoak:
    """Click Step `steps` times in cycles of `cycle`, re-analysing the text before each cycle."""
    button = window.generation.step_button
    result = StepSoak()
    heartbeat = Heartbeat()
    started = time.perf_counter()
    heartbeat.start()
    try:
        while result.steps < steps:
            heartbeat.ticks.clear()
            window.analyse()
            wait(lambda: window.is_idle() and not window.document.steps)
            for _ in range(min(cycle, steps - result.steps)):
                before = len(window.document.steps)
                button.click()
                wait(lambda: window.is_idle() and len(window.document.steps) == before + 1)  # noqa: B023 - waited for at once, inside this iteration
                result.steps += 1
            result.rss.append(rss_bytes())
            result.stalls.append(heartbeat.longest_gap())
    finally:
        heartbeat.stop()
    result.seconds = time.perf_counter() - started
    return result


def soak_repaints(window, repaints: int, wait: Wait) -> RepaintSoak:
    """Switch layer and head `repaints` times, waiting each time for the large heatmap to be painted."""
    panel = window.attention
    picker = panel.picker
    layers, heads = picker.layer_box.maximum() + 1, picker.head_box.maximum() + 1
    counter = PaintCounter(panel.heatmap.viewport())
    result = RepaintSoak()
    started = time.perf_counter()
    try:
        for i in range(repaints):
            if i == max(1, repaints // 10):
                result.rss.append(rss_bytes())  # after warm-up
            if i % 10 == 9:
                picker.all_layers_box.setChecked(not picker.all_layers)
            painted = counter.count
            picker.select(layer=(i // heads) % layers, head=i % heads)
            wait(lambda: counter.count > painted and window.is_idle())  # noqa: B023 - waited for at once, inside this iteration
        result.repaints = repaints
        result.rss.append(rss_bytes())
    finally:
        panel.heatmap.viewport().removeEventFilter(counter)
        picker.all_layers_box.setChecked(False)
    result.seconds = time.perf_counter() - started
    return result
