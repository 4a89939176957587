"""The process boundary's cost per step: Step clicked -> StepResult in the window's thread, through an
engine process (the socket, the data-only encoding, only the new attention rows) against the same
engine in a thread of the window's process (no boundary), interleaved, SmolLM2 at 20 and 500 tokens.

python -m benchmarks --only boundary
"""

from __future__ import annotations

import os
import time

from benchmarks.common import Figure, Size, median

STEP_TIMEOUT_S = 120.0


def _wait(application, done: list) -> float:
    start = time.perf_counter()
    while not done:
        application.processEvents()
        if time.perf_counter() - start > STEP_TIMEOUT_S:
            raise TimeoutError("no reply from the engine")
    return time.perf_counter() - start


def _ready(application, client, spec: str, text: str) -> int:
    loaded: list = []
    client.model_loaded.connect(loaded.append)
    client.load_failed.connect(lambda message: loaded.append(RuntimeError(message)))
    client.load(spec)
    _wait(application, loaded)
    if isinstance(loaded[0], Exception):
        raise loaded[0]
    analysed: list = []
    client.analysed.connect(analysed.append)
    client.analyse(text)
    _wait(application, analysed)
    return len(analysed[0].tokens)


def _step(application, client) -> tuple[float, float]:
    """(click -> result in the window's thread, of which the engine's own step) in seconds."""
    stepped: list = []
    connection = client.stepped.connect(lambda result, replaced: stepped.append(result))
    started = time.perf_counter()
    client.step()
    _wait(application, stepped)
    took = time.perf_counter() - started
    client.stepped.disconnect(connection)
    return took, float(stepped[0].seconds)


def boundary(size: Size) -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from attnlab.app.engine_worker import EngineClient
    from benchmarks.models import SMOLLM2

    application = QApplication.instance() or QApplication([])
    spec = SMOLLM2 if size.name == "full" else "tiny-gpt"
    lengths = (20, 500) if size.name == "full" else (20,)
    steps = max(3, size.repeats) * 2 if size.name == "full" else 2
    figures = []
    for length in lengths:
        text = " ".join(["word"] * (length - 1))  # SmolLM2: one token a word, and the start token
        thread, process = EngineClient(target="thread"), EngineClient(target="private")
        try:
            tokens = _ready(application, thread, spec, text)
            _ready(application, process, spec, text)
            local: list[tuple[float, float]] = []
            remote: list[tuple[float, float]] = []
            for i in range(steps):  # interleaved, the order flipped each time
                pair = (thread, process) if i % 2 == 0 else (process, thread)
                for client in pair:
                    (local if client is thread else remote).append(_step(application, client))
        finally:
            thread.shutdown()
            process.shutdown()
        # what is not the engine's own step: the boundary (encoding, socket, decoding) and the hand-over
        overhead = [(total - own) * 1000 for total, own in remote]
        in_thread = [(total - own) * 1000 for total, own in local]
        remote_s, local_s = [total for total, _ in remote], [total for total, _ in local]
        figures.append(
            Figure(
                "boundary",
                f"step through the engine process, {spec} @ {tokens} tokens",
                median(remote_s) * 1000,
                "ms",
                baseline=median(local_s) * 1000,
                baseline_name="the same step, engine in a thread of the window's process",
                ratio=median([r / t for r, t in zip(remote_s, local_s, strict=True)]),
                samples=[r * 1000 for r in remote_s],
            )
        )
        figures.append(
            Figure(
                "boundary",
                f"  added per step @ {tokens} tokens",
                median(overhead),
                "ms",
                baseline=median(in_thread),
                baseline_name="click -> result minus the engine's own step, engine in a thread",
                target="<= 20 ms",
                met=median(overhead) <= 20,
                samples=overhead,
                note="click -> StepResult in the window minus the engine's own step time; new attention rows only",
            )
        )
    return figures
