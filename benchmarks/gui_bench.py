"""GUI figures (issue 5, items 6-7), measured on the real main window from app/.

- heatmap: a step result leaves the engine thread -> the large heatmap has repainted. The window
  is fed by a stand-in session that replies with synthetic attention of SmolLM2's shape
  (30 layers × 9 heads) at 128, 512 and 2,048 tokens, so the figure is the GUI's cost alone.
- grid: the attention views redrawn (heatmap + head grid) for one layer's heads and for all
  layers × heads.
- stall: the longest gap between ticks of a 1 ms timer on the GUI thread while the real engine
  generates 100 tokens.
- start-up: a fresh process until the window is shown, and until the first heatmap is painted.

Baselines, measured in the same run: bare pyqtgraph (an ImageItem in a plain view given a
ready-made image of the same size), an idle event loop, a bare QMainWindow process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from functools import partial

import numpy as np

from benchmarks.common import Figure, Size, clock, interleaved, median
from benchmarks.qt_support import PaintClock, application, spin, wait_until, watch_errors
from benchmarks.synthetic import SyntheticSession, synthetic_info

HEATMAP_TARGETS_MS = {512: 16.0, 2048: 50.0}
STALL_TARGET_MS = 50.0
WINDOW_SIZE = (1400, 860)


def _window(session=None, loader=None):
    """The real main window over a stand-in session (or a real loader), shown, model loaded."""
    from app.main_window import MainWindow

    application()
    PaintClock.install()
    if loader is None:
        def loader(spec, options, progress):  # noqa: ANN001 - the worker's Loader signature
            return session.info, session

    window = MainWindow(loader=loader, catalog=lambda: ([], None))
    watch_errors(window)
    window.resize(*WINDOW_SIZE)
    window.show()
    loaded = []
    window.model_loaded.connect(loaded.append)
    window.load("benchmark")
    wait_until(lambda: bool(loaded) and window.is_idle())
    return window


def _close(window) -> None:
    window.close()
    window.deleteLater()
    spin(0.05)


class BareImage:
    """The floor: a plain pyqtgraph view the heatmap's size, handed a ready float32 image."""

    def __init__(self, width: int, height: int):
        import pyqtgraph as pg

        from app.plots.colors import LEVELS, lookup_table

        self.view = pg.GraphicsLayoutWidget()
        self.view.resize(width, height)
        plot = self.view.addPlot()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(lookup_table())
        self.image.setLevels(LEVELS)
        plot.addItem(self.image)
        self.view.show()

    def time(self, data: np.ndarray) -> float:
        started = clock()
        self.image.setImage(data, autoLevels=False)
        wait_until(lambda: PaintClock.painted_since(self.image, started))
        return PaintClock.last(self.image) - started

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()


def _display_image(rows: int, limit: int = 512) -> np.ndarray:
    """What a heatmap must draw at most: rows × rows, or limit × limit once pooled."""
    side = min(rows, limit)
    return np.ascontiguousarray(np.random.default_rng(0).random((side, side), dtype=np.float32))


def heatmap_repaint(size: Size) -> list[Figure]:
    """Item 6a: step result sent by the engine thread -> heatmap repainted."""
    layers, heads = size.gui_shape
    session = SyntheticSession(synthetic_info(layers, heads))
    window = _window(session)
    heatmap = window.attention.heatmap
    bare = BareImage(heatmap.width(), heatmap.height())
    figures = []
    try:
        for length in size.gui_lengths:
            session.prepare(length)
            window.analyse()
            wait_until(window.is_idle)
            image = _display_image(length)

            def step() -> float:
                session.sent = 0.0
                window.step()
                wait_until(lambda: session.sent > 0 and PaintClock.painted_since(heatmap.image, session.sent))
                elapsed = PaintClock.last(heatmap.image) - session.sent
                wait_until(window.is_idle)
                return elapsed

            step(), bare.time(image)  # warm-up
            values, bases, ratios = interleaved(step, partial(bare.time, image), max(size.repeats, 3))
            target = HEATMAP_TARGETS_MS.get(length)
            value = median(values) * 1000
            figures.append(
                Figure(
                    "gui-heatmap", f"step -> heatmap repainted @ {length} tokens ({layers}x{heads})", value, "ms",
                    baseline=median(bases) * 1000, baseline_name="bare pyqtgraph ImageItem given the drawn image",
                    ratio=median(ratios), target=f"< {target:g} ms" if target else "",
                    met=value < target if target else None, samples=[v * 1000 for v in values],
                )
            )
    finally:
        bare.close()
        _close(window)
    return figures


def grid_redraw(size: Size) -> list[Figure]:
    """Item 6b: the attention views redrawn for one layer's heads, and for all layers × heads."""
    from PySide6.QtCore import QSignalBlocker

    layers, heads = size.gui_shape
    session = SyntheticSession(synthetic_info(layers, heads))
    window = _window(session)
    panel = window.attention
    figures = []
    lengths = [n for n in size.gui_lengths if n >= 512] or list(size.gui_lengths)
    try:
        for length in lengths:
            session.prepare(length)
            window.analyse()
            wait_until(window.is_idle)
            for all_layers in (False, True):
                with QSignalBlocker(panel.picker.all_layers_box):
                    panel.picker.all_layers_box.setChecked(all_layers)
                tiles = layers * heads if all_layers else heads
                montage = _display_image(1024)
                bare = BareImage(panel.grid.width(), panel.grid.height())

                def redraw() -> float:
                    started = clock()
                    panel.redraw()
                    wait_until(lambda: PaintClock.painted_since(panel.grid.image, started))
                    return PaintClock.last(panel.grid.image) - started

                redraw(), bare.time(montage)  # warm-up
                values, bases, ratios = interleaved(redraw, partial(bare.time, montage), max(size.repeats, 3))
                bare.close()
                what = f"all {layers} layers x {heads} heads" if all_layers else f"one layer ({heads} heads)"
                figures.append(
                    Figure(
                        "gui-grid", f"heatmap + grid, {what} @ {length} tokens", median(values) * 1000, "ms",
                        baseline=median(bases) * 1000, baseline_name="bare pyqtgraph ImageItem given a 1024^2 montage",
                        ratio=median(ratios), note=f"{tiles} thumbnails", samples=[v * 1000 for v in values],
                    )
                )
            panel.picker.all_layers_box.setChecked(False)
    finally:
        _close(window)
    return figures


def _heartbeat(seconds_or_until, interval_ms: int = 1) -> list[float]:
    """perf_counter of every tick of a 1 ms timer on the GUI thread while the loop runs."""
    from PySide6.QtCore import Qt, QTimer

    ticks: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(interval_ms)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    if callable(seconds_or_until):
        wait_until(seconds_or_until, timeout=3600, poll_ms=20)
    else:
        spin(seconds_or_until)
    timer.stop()
    return ticks


def _longest_gap(ticks: list[float]) -> float:
    return float(np.max(np.diff(ticks))) if len(ticks) > 1 else float("nan")


def event_loop_stall(size: Size) -> list[Figure]:
    """Item 6c: longest event-loop stall while the real engine generates `run_steps` tokens."""
    from benchmarks import models
    from engine.session import make_session

    key = size.models[0]
    application()

    def loader(spec, options, progress):  # noqa: ANN001 - runs in the engine thread, like engine_loader
        loaded = models.load(key)
        return loaded.info, make_session(loaded)

    window = _window(loader=loader)
    figures = []
    try:
        window.sampling.max_new_tokens.setValue(max(window.sampling.max_new_tokens.value(), size.run_steps + 8))
        wait_until(window.is_idle)
        stalls, idle, rates = [], [], []
        finished: list[int] = []  # the token count of the run in progress, once it has finished

        def on_finished(count: int, reason: str) -> None:
            finished.append(count)

        for _ in range(max(1, min(size.repeats, 3))):
            window.analyse()
            wait_until(window.is_idle)
            idle.append(_longest_gap(_heartbeat(1.0 if size.name == "full" else 0.2)))
            finished.clear()
            window.client.run_finished.connect(on_finished)
            started = clock()
            window.run(size.run_steps)
            ticks = _heartbeat(lambda: bool(finished) and window.is_idle())
            window.client.run_finished.disconnect(on_finished)
            assert finished[0] == size.run_steps, finished
            stalls.append(_longest_gap(ticks))
            rates.append(size.run_steps / (clock() - started))
        value = median(stalls) * 1000
        figures.append(
            Figure(
                "gui-stall", f"longest stall, {size.run_steps}-step run ({models.TITLES[key]})", value, "ms",
                baseline=median(idle) * 1000, baseline_name="longest gap of the same 1 ms timer, idle loop",
                ratio=median(stalls) / median(idle), target=f"< {STALL_TARGET_MS:g} ms", met=value < STALL_TARGET_MS,
                note=f"{median(rates):.1f} steps/s", samples=[s * 1000 for s in stalls],
            )
        )
    finally:
        _close(window)
    return figures


def _probe(args: list[str]) -> dict:
    env = os.environ.copy()
    env["ATTNLAB_BENCH_T0"] = repr(time.time())
    command = [sys.executable, "-m", "benchmarks.startup_probe", *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"start-up probe failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def startup(size: Size) -> list[Figure]:
    """Item 7: process start -> window shown; -> first heatmap with the default model (converted already)."""
    with tempfile.TemporaryDirectory(prefix="attnlab-bench-") as folder:
        if size.name == "full":
            from engine.catalog import default_model

            spec = default_model()
            launch = ["--model", spec]
        else:  # the smoke test: the app over a stand-in engine, so no torch import in the child
            spec, launch = "synthetic engine", ["--synthetic"]
        runs, bare = [], []

        def app_start() -> float:
            runs.append(_probe([*launch, "--settings", folder]))
            return runs[-1]["shown"]

        def bare_start() -> float:
            bare.append(_probe(["--bare", "--settings", folder]))
            return bare[-1]["shown"]

        repeats = max(1, min(size.repeats, 3))
        values, bases, ratios = interleaved(app_start, bare_start, repeats)
        heatmaps = [r["heatmap"] for r in runs]
        return [
            Figure("startup", "process start -> window shown", median(values) * 1000, "ms",
                   baseline=median(bases) * 1000, baseline_name="process start -> bare QMainWindow shown",
                   ratio=median(ratios), samples=[v * 1000 for v in values]),
            Figure("startup", f"process start -> first heatmap ({spec})", median(heatmaps) * 1000,
                   "ms", baseline=median(bases) * 1000, baseline_name="process start -> bare QMainWindow shown",
                   ratio=median([h / b for h, b in zip(heatmaps, bases, strict=True)]),
                   samples=[h * 1000 for h in heatmaps],
                   note="model already converted; includes loading it and analysing the example text"),
        ]
