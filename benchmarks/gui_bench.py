"""GUI figures (issue 5, items 6-7), measured on the real main window from app/.

- heatmap: a step result leaves the engine thread -> the large heatmap has repainted. The window
  is fed by a stand-in session that replies with synthetic attention of SmolLM2's shape
  (30 layers × 9 heads) at 128, 512 and 2,048 tokens, so the figure is the GUI's cost alone.
- grid: the attention views redrawn (heatmap + head grid) for one layer's heads and for all
  layers × heads.
- stall: the longest gap between ticks of a 1 ms timer on the GUI thread while the real engine
  generates 100 tokens.
- start-up: a fresh process until the window is shown, and until the first heatmap is painted.
- click (issue 10): a click on Step -> the heatmap repainted with the new row, next to the
  engine's own step time, on the real engine (SmolLM2 at ~20 and ~500 tokens).
- soak (issue 10): 1,000 Step clicks on the tiny GPT (RSS growth after warm-up, longest stall),
  then 5,000 heatmap repaints while switching layers and heads (RSS growth); see benchmarks.soak.

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
    from attnlab.app.main_window import MainWindow

    application()
    PaintClock.install()
    if loader is None:

        def loader(spec, options, progress):
            return session.info, session

    window = MainWindow(loader=loader, catalog=lambda: ([], None))
    watch_errors(window)
    window.resize(*WINDOW_SIZE)
    window.show()
    loaded: list[object] = []
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

        from attnlab.app.plots.colors import LEVELS, lookup_table

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
                    "gui-heatmap",
                    f"step -> heatmap repainted @ {length} tokens ({layers}x{heads})",
                    value,
                    "ms",
                    baseline=median(bases) * 1000,
                    baseline_name="bare pyqtgraph ImageItem given the drawn image",
                    ratio=median(ratios),
                    target=f"< {target:g} ms" if target else "",
                    met=value < target if target else None,
                    samples=[v * 1000 for v in values],
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
                        "gui-grid",
                        f"heatmap + grid, {what} @ {length} tokens",
                        median(values) * 1000,
                        "ms",
                        baseline=median(bases) * 1000,
                        baseline_name="bare pyqtgraph ImageItem given a 1024^2 montage",
                        ratio=median(ratios),
                        note=f"{tiles} thumbnails",
                        samples=[v * 1000 for v in values],
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
    from attnlab.engine.session.sessions import make_session
    from benchmarks import models

    key = size.models[0]
    application()

    def loader(spec, options, progress):
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
                "gui-stall",
                f"longest stall, {size.run_steps}-step run ({models.TITLES[key]})",
                value,
                "ms",
                baseline=median(idle) * 1000,
                baseline_name="longest gap of the same 1 ms timer, idle loop",
                ratio=median(stalls) / median(idle),
                target=f"< {STALL_TARGET_MS:g} ms",
                met=value < STALL_TARGET_MS,
                note=f"{median(rates):.1f} steps/s",
                samples=[s * 1000 for s in stalls],
            )
        )
    finally:
        _close(window)
    return figures


def _real_window(key: str):
    """The real main window over the real engine with benchmark model `key`, loaded and idle."""
    from attnlab.engine.session.sessions import make_session
    from benchmarks import models

    application()

    def loader(spec, options, progress):
        loaded = models.load(key)
        return loaded.info, make_session(loaded)

    window = _window(loader=loader)
    wait_until(window.is_idle)
    return window


def click_to_redrawn(size: Size) -> list[Figure]:
    """Issue 10, defect 12: a click on Step -> the heatmap repainted with the new row, next to the
    engine's own time for that step (StepResult.seconds); the target is overhead ≤ 20 ms.

    Measured on the real window over the real engine (SmolLM2 at full size, the tiny GPT in the
    smoke test), the click sent with QTest.mouseClick to the `stepButton`, in two rhythms:
    "settled" (every view drawn and 100 ms idle before each click) and "rapid" (the next click as
    soon as the heatmap shows the previous token, as a user stepping through a text does). Each
    repeat also splits the time: click -> step result on the GUI thread, -> the heatmap's redraw
    starts, show_matrix itself, -> the ImageItem painted. Waits poll every 25 ms (times come from signals and paint
    stamps, not from the polls) so the benchmark does not take the GIL from the engine thread.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QAbstractButton

    from benchmarks import models

    key = size.models[0]
    window = _real_window(key)
    loaded = models.load(key)
    heatmap = window.attention.heatmap
    image = heatmap.image
    button = window.findChild(QAbstractButton, "stepButton")
    assert button is not None, "no stepButton in the window"
    repeats = max(size.repeats, 3)
    figures = []
    received: list[tuple[float, float]] = []  # (perf_counter on the GUI thread, StepResult.seconds)
    shown: list[float] = []  # perf_counter when the heatmap was handed a matrix
    handed: list[float] = []  # perf_counter when show_matrix returned
    updated: list[float] = []
    show_matrix = heatmap.show_matrix

    def timed_show_matrix(*args, **kwargs) -> None:
        shown.append(clock())
        show_matrix(*args, **kwargs)
        handed.append(clock())

    def on_stepped(step, replaced: bool) -> None:
        received.append((clock(), step.seconds))

    def on_updated() -> None:
        updated.append(clock())

    parts: list[tuple[str, float, float]] = []  # (name, start, end) of each redraw part, if the pump is there
    pump_parts = getattr(getattr(window, "_redraw", None), "_parts", None)  # the RedrawPump's parts, to split
    originals = dict(pump_parts) if isinstance(pump_parts, dict) else {}

    def timed_part(name: str, draw):
        def run() -> None:
            begun = clock()
            draw()
            parts.append((name, begun, clock()))

        return run

    for name, draw in originals.items():
        pump_parts[name] = timed_part(name, draw)  # type: ignore[index]  # a dict: `originals` is empty otherwise
    heatmap.show_matrix = timed_show_matrix  # the panel looks it up per call
    window.client.stepped.connect(on_stepped)  # after the window's own slot: the document has the step
    window.view_updated.connect(on_updated)
    try:
        window.sampling.max_new_tokens.setValue(max(window.sampling.max_new_tokens.value(), 4 * repeats + 8))
        rows: list[tuple[float, ...]] = []
        everything: list[float] = []  # click -> view_updated (settled clicks)
        rounds: list[list[tuple[str, float, float]]] = []  # per click: (part, start after result, cost)

        def click(settle: bool) -> None:
            steps = len(window.document.steps)
            received.clear()
            shown.clear()
            handed.clear()
            parts.clear()
            updated.clear()
            if settle:
                wait_until(window.is_idle, poll_ms=25)
                spin(0.1)
            started = clock()
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)

            def painted() -> bool:
                if not received:
                    return False
                drawn = [t for t in shown if t > received[0][0]]
                return bool(drawn) and PaintClock.painted_since(image, drawn[0])

            wait_until(painted, poll_ms=25)
            assert len(window.document.steps) == steps + 1, "the click did not add one step"
            arrived, seconds = received[0]
            index = next(i for i, t in enumerate(shown) if t > arrived)
            drawn, returned = shown[index], handed[index]
            done = PaintClock.last(image)
            rows.append(
                (done - started, seconds, arrived - started, drawn - arrived, returned - drawn, done - returned)
            )
            if settle:  # every view drawn, and how the redraw round went
                wait_until(lambda: window.is_idle() and bool(updated) and updated[-1] > arrived, poll_ms=25)
                everything.append(updated[-1] - started)
                rounds.append([(n, b - arrived, e - b) for n, b, e in parts if b > arrived])

        for length in size.click_lengths:
            for rapid in (False, True):
                window.text_input.setPlainText(models.prompt(loaded, length))
                window.analyse()
                wait_until(window.is_idle, poll_ms=25)
                spin(0.2)
                click(True)  # warm-up
                rows.clear()
                everything.clear()
                rounds.clear()
                for _ in range(repeats):
                    click(not rapid)
                wait_until(window.is_idle, poll_ms=25)
                totals, engine, to_gui, to_draw, in_show, to_paint = (list(c) for c in zip(*rows, strict=True))
                overheads = [t - e for t, e in zip(totals, engine, strict=True)]
                overhead = median(overheads) * 1000
                rhythm = "rapid clicks" if rapid else "settled"
                title = f"{models.TITLES[key]} @ {length} tokens, {rhythm}"
                figures.append(
                    Figure(
                        "gui-click",
                        f"click Step -> heatmap redrawn, {title}",
                        median(totals) * 1000,
                        "ms",
                        baseline=median(engine) * 1000,
                        baseline_name="the engine's own step time (StepResult.seconds)",
                        ratio=median([t / e for t, e in zip(totals, engine, strict=True)]),
                        samples=[t * 1000 for t in totals],
                        note=(
                            f"click -> step result on the GUI thread {median(to_gui) * 1000:.1f} ms, "
                            f"-> heatmap redraw starts {median(to_draw) * 1000:.1f} ms, "
                            f"show_matrix {median(in_show) * 1000:.1f} ms, "
                            f"-> ImageItem painted {median(to_paint) * 1000:.1f} ms"
                        ),
                    )
                )
                figures.append(
                    Figure(
                        "gui-click",
                        f"overhead (redrawn - engine step), {title}",
                        overhead,
                        "ms",
                        target="<= 20 ms",
                        met=overhead <= 20.0,
                        samples=[o * 1000 for o in overheads],
                    )
                )
                if everything:
                    late = [t - e for t, e in zip(everything, engine, strict=True)]
                    split = ""
                    if rounds and all(len(r) == len(rounds[0]) for r in rounds):
                        split = "; after the step result, part: starts at / takes (ms): " + ", ".join(
                            f"{name} {median([r[i][1] for r in rounds]) * 1000:.0f}"
                            f" / {median([r[i][2] for r in rounds]) * 1000:.0f}"
                            for i, (name, _, _) in enumerate(rounds[0])
                        )
                    figures.append(
                        Figure(
                            "gui-click",
                            f"click Step -> every view drawn (view_updated), {title}",
                            median(everything) * 1000,
                            "ms",
                            baseline=median(engine) * 1000,
                            baseline_name="the engine's own step time (StepResult.seconds)",
                            ratio=median([t / e for t, e in zip(everything, engine, strict=True)]),
                            samples=[t * 1000 for t in everything],
                            note=f"overhead {median(late) * 1000:.1f} ms{split}",
                        )
                    )
    finally:
        window.client.stepped.disconnect(on_stepped)
        window.view_updated.disconnect(on_updated)
        del heatmap.show_matrix
        if isinstance(pump_parts, dict):
            pump_parts.update(originals)
        _close(window)
    return figures


def _probe(args: list[str], runtime: str | None = None) -> dict:
    env = os.environ.copy()
    if runtime is not None:  # the engine process's folder: cold (none running) or warm (one kept its model)
        env.update(ATTNLAB_RUNTIME_DIR=runtime, ATTNLAB_ENGINE_IDLE="600")
        env.pop("ATTNLAB_ENGINE", None)
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
            from attnlab.engine.models.catalog import default_model

            spec = default_model()
            launch = ["--model", spec]
        else:  # the smoke test: the app over a stand-in engine, so no torch import in the child
            spec, launch = "synthetic engine", ["--synthetic"]
        runs, bare = [], []
        runtime = os.path.join(folder, "runtime")
        os.makedirs(runtime, mode=0o700)

        def stop_engine() -> None:
            subprocess.run(
                [sys.executable, "-m", "attnlab.engine.server", "--stop"],
                env={**os.environ, "ATTNLAB_RUNTIME_DIR": runtime},
                capture_output=True,
                timeout=60,
                check=False,
            )
            time.sleep(0.5)

        def app_start() -> float:
            stop_engine()  # cold: no engine running, torch imported afresh in a new engine process
            runs.append(_probe([*launch, "--settings", folder], runtime))
            return runs[-1]["shown"]

        def bare_start() -> float:
            bare.append(_probe(["--bare", "--settings", folder]))
            return bare[-1]["shown"]

        repeats = max(1, min(size.repeats, 3))
        values, bases, ratios = interleaved(app_start, bare_start, repeats)
        warm = []
        if size.name == "full":
            _probe([*launch, "--settings", folder], runtime)  # leaves the engine running with the model
            warm = [_probe([*launch, "--settings", folder], runtime) for _ in range(repeats)]
        stop_engine()
        warm_figures = (
            [
                Figure(
                    "startup",
                    f"warm: window shown -> first heatmap ({spec})",
                    median([w["heatmap"] - w["shown"] for w in warm]) * 1000,
                    "ms",
                    target="<= 1000 ms",
                    met=median([w["heatmap"] - w["shown"] for w in warm]) <= 1.0,
                    samples=[(w["heatmap"] - w["shown"]) * 1000 for w in warm],
                    note="an engine of this user kept the model loaded (the previous launch's)",
                ),
                Figure(
                    "startup",
                    f"warm: process start -> first heatmap ({spec})",
                    median([w["heatmap"] for w in warm]) * 1000,
                    "ms",
                    samples=[w["heatmap"] * 1000 for w in warm],
                ),
            ]
            if warm
            else []
        )
        heatmaps = [r["heatmap"] for r in runs]
        after = [r["heatmap"] - r["shown"] for r in runs]
        tokens = [r["tokens"] - r["shown"] for r in runs if "tokens" in r]
        early = (
            [
                Figure(
                    "startup",
                    f"window shown -> its text's tokens in the strip ({spec})",
                    median(tokens) * 1000,
                    "ms",
                    samples=[t * 1000 for t in tokens],
                    note="from tokenizer.json while the model loads" if size.name == "full" else "",
                )
            ]
            if tokens
            else []
        )
        return [
            Figure(
                "startup",
                "process start -> window shown",
                median(values) * 1000,
                "ms",
                baseline=median(bases) * 1000,
                baseline_name="process start -> bare QMainWindow shown",
                ratio=median(ratios),
                samples=[v * 1000 for v in values],
            ),
            *early,
            Figure(
                "startup",
                f"cold: process start -> first heatmap ({spec})",
                median(heatmaps) * 1000,
                "ms",
                baseline=median(bases) * 1000,
                baseline_name="process start -> bare QMainWindow shown",
                ratio=median([h / b for h, b in zip(heatmaps, bases, strict=True)]),
                samples=[h * 1000 for h in heatmaps],
                note="model already converted; includes loading it and analysing the example text",
            ),
            Figure(
                "startup",
                f"window shown -> first heatmap ({spec})",
                median(after) * 1000,
                "ms",
                target=f"<= {FIRST_HEATMAP_TARGET_S * 1000:g} ms",
                met=median(after) <= FIRST_HEATMAP_TARGET_S,
                samples=[a * 1000 for a in after],
                note=f"load average {_load_average()}",
            ),
            *warm_figures,
            *_breakdown(runs, spec),
        ]


FIRST_HEATMAP_TARGET_S = 3.0  # issue 14
# phases of the start-up probe's JSON (engine/startup.py and the loader), in the order they run
PHASES = ("import torch", "import transformers", "import model code", "import engine", "load")


def _load_average() -> str:
    """The machine's 1-minute load average now: start-up figures on a busy machine read high."""
    try:
        return f"{os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} cores"
    except OSError:
        return "unknown"


def _breakdown(runs: list[dict], spec: str) -> list[Figure]:
    """Where the seconds to the first heatmap went: each engine phase (median over the runs), then
    the first analysis's forward. Their sum is the floor of a start that imports the engine in-process."""
    if not any(r.get("phases") for r in runs):
        return []  # the synthetic engine imports nothing
    figures = []
    for name in PHASES:
        spans = [r["phases"][name] for r in runs if name in r.get("phases", {})]
        if spans:
            seconds = [end - start for start, end in spans]
            figures.append(
                Figure(
                    "startup",
                    f"  {name} ({spec})",
                    median(seconds) * 1000,
                    "ms",
                    samples=[t * 1000 for t in seconds],
                    note=f"ends {median([end for _, end in spans]):.1f} s after process start",
                )
            )
    forwards = [r["forward"] for r in runs if "forward" in r]
    if forwards:
        figures.append(
            Figure(
                "startup",
                f"  first forward: the first analysis ({spec})",
                median(forwards) * 1000,
                "ms",
                samples=[t * 1000 for t in forwards],
            )
        )
    if forwards:
        floor = sum(f.value for f in figures)
        figures.append(
            Figure(
                "startup",
                f"  sum of the engine phases above ({spec})",
                floor,
                "ms",
                note="the in-process floor from model load request to heatmap: imports + load + forward",
            )
        )
    return figures


SOAK_GROWTH_TARGET = 0.05  # RSS growth after warm-up
SOAK_STALL_TARGET_MS = 100.0


def soak(size: Size) -> list[Figure]:
    """Issue 10's soak: `soak_steps` Step clicks on the tiny GPT through the real window (cycles of
    `soak_cycle` tokens), then `soak_repaints` heatmap repaints while switching layers and heads.
    Figures: RSS growth after the first cycle, the longest event-loop stall, the repaints' growth."""
    from benchmarks import models
    from benchmarks.soak import soak_repaints, soak_steps

    key = "tiny-gpt" if size.name == "full" else size.models[0]
    window = _real_window(key)
    loaded = models.load(key)

    def wait(condition) -> None:
        wait_until(condition, poll_ms=5)

    try:
        window.sampling.max_new_tokens.setValue(max(window.sampling.max_new_tokens.value(), size.soak_cycle + 8))
        window.text_input.setPlainText(models.prompt(loaded, 16))
        steps = soak_steps(window, size.soak_steps, size.soak_cycle, wait)
        repaints = soak_repaints(window, size.soak_repaints, wait)
    finally:
        _close(window)
    mib = 1024 * 1024
    title = f"{models.TITLES[key]}, {steps.steps} Step clicks in cycles of {size.soak_cycle}"
    stall = steps.longest_stall() * 1000
    limit = 1 + SOAK_GROWTH_TARGET
    return [
        Figure(
            "gui-soak",
            f"RSS at the end, {title}",
            steps.rss[-1] / mib,
            "MiB",
            baseline=steps.rss[0] / mib,
            baseline_name="RSS after the first cycle (warm-up), same run",
            ratio=1 + steps.growth(),
            target=f"<= {limit:g}x",
            met=1 + steps.growth() <= limit,
            note=f"growth {steps.growth():+.2%}; {steps.steps / steps.seconds:.1f} steps/s",
            samples=[r / mib for r in steps.rss],
        ),
        Figure(
            "gui-soak",
            f"longest event-loop stall after the first cycle, {title}",
            stall,
            "ms",
            target=f"< {SOAK_STALL_TARGET_MS:g} ms",
            met=stall < SOAK_STALL_TARGET_MS,
            note=f"first cycle (warm-up): {steps.stalls[0] * 1000:.0f} ms",
            samples=[s * 1000 for s in steps.stalls],
        ),
        Figure(
            "gui-soak",
            f"RSS after {repaints.repaints} heatmap repaints (layers and heads switched)",
            repaints.rss[-1] / mib,
            "MiB",
            baseline=repaints.rss[0] / mib,
            baseline_name="RSS after the first tenth of the repaints, same run",
            ratio=1 + repaints.growth(),
            target=f"<= {limit:g}x",
            met=1 + repaints.growth() <= limit,
            note=f"growth {repaints.growth():+.2%}; {repaints.repaints / repaints.seconds:.0f} repaints/s",
            samples=[r / mib for r in repaints.rss],
        ),
    ]
