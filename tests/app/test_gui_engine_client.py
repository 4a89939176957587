"""The engine thread's protocol with a fake session (no torch): ids, stale replies, errors, stop."""

from __future__ import annotations

import threading

import numpy as np

from attnlab.app.engine_worker import EngineClient
from attnlab.engine.api.attention_store import AttentionStore
from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.results import AnalysisResult, Candidate, ModelInfo, StackInfo, StepResult


def _info(name: str) -> ModelInfo:
    return ModelInfo(
        name=name,
        path=name,
        kind="decoder",
        architecture="Fake",
        device="cpu",
        dtype="float32",
        stacks=(StackInfo("decoder", 1, 1, True),),
        has_mlm_head=False,
        has_nsp_head=False,
        can_generate=True,
        mask_token=None,
        max_positions=None,
        vocab_size=10,
        parameters=0,
    )


class FakeSession:
    """One token per word; every step appends "w". `gate` holds an analysis until the test releases it."""

    def __init__(self, gate: threading.Event | None = None):
        self.gate = gate
        self.store = AttentionStore()
        self.tokens: list[str] = []

    def set_sampling(self, config) -> None:
        self.sampling = config

    @property
    def token_ids(self) -> list[int]:
        return list(range(len(self.tokens)))

    @property
    def finished(self) -> bool:
        return False

    def _result(self) -> AnalysisResult:
        n = len(self.tokens)
        self.store.configure("decoder", 1, 1, True, n, n + 100)
        self.store.write("decoder", 0, 0, np.tril(np.ones((1, n, n), np.float32)) / np.arange(1, n + 1)[:, None])
        self.store.set_rows("decoder", n)
        ids = np.arange(n, dtype=np.int64)
        return AnalysisResult(tuple(self.tokens), ids, (), np.zeros(0, np.int64), self.store.snapshot(), masks=None)

    def prefill(self, text, masks, source=None, replay=(), progress=None):
        if self.gate is not None:
            self.gate.wait(10)
        if not text:
            raise EngineError("the prompt is empty: type some text first")
        self.tokens = text.split()
        return self._result()

    def step(self, choose=None):
        self.tokens.append("w")
        return StepResult(0, "w", len(self.tokens) - 1, (Candidate(0, "w", 1.0),))

    def run(self, n, cancel=None, on_step=None):
        out = []
        for _ in range(n):
            if cancel is not None and cancel.is_set():
                break
            out.append(self.step())
            on_step(out[-1])
            if len(out) == 3 and self.gate is not None:
                self.gate.wait(10)
        return out


def _client(qtbot, session_for):
    def loader(spec, options, progress):
        progress(f"loading {spec}", 0.5)
        if spec == "broken":
            raise EngineError("broken is not a model folder")
        return _info(spec), session_for(spec)

    client = EngineClient(loader=loader, catalog=lambda: ([], None))
    qtbot.waitUntil(client.engine_thread.isRunning, timeout=2000)
    return client


def test_stale_analyses_are_dropped_and_errors_arrive(qtbot):
    gate = threading.Event()
    client = _client(qtbot, lambda spec: FakeSession(gate))
    try:
        shown, errors = [], []
        client.analysed.connect(lambda r: shown.append(r.tokens))
        client.errored.connect(errors.append)
        with qtbot.waitSignal(client.model_loaded):
            client.load("fake")
        client.analyse("one two")  # held in the worker by the gate...
        client.analyse("three")  # ...so its reply is stale by the time it comes
        client.analyse("four five six")
        gate.set()
        qtbot.waitUntil(lambda: not client.busy, timeout=5000)
        assert shown == [("four", "five", "six")]
        with qtbot.waitSignal(client.errored) as error:
            client.analyse("")
        assert "empty" in error.args[0]
    finally:
        client.shutdown()
    assert not client.engine_thread.isRunning()


def test_failed_load_keeps_the_model_and_stop_cancels_a_run(qtbot):
    gate = threading.Event()
    client = _client(qtbot, lambda spec: FakeSession(gate))
    try:
        gate.set()
        with qtbot.waitSignal(client.model_loaded):
            client.load("good")
        with qtbot.waitSignal(client.load_failed) as failed:
            client.load("broken")
        assert "not a model folder" in failed.args[0]
        with qtbot.waitSignal(client.analysed):
            client.analyse("still works")
        gate.clear()
        steps = []
        client.stepped.connect(lambda step, replaced: steps.append(step))
        with qtbot.waitSignal(client.run_finished) as finished:
            client.run(100)
            qtbot.waitUntil(lambda: len(steps) == 3, timeout=5000)
            assert client.running
            client.stop()
            gate.set()
        assert finished.args == [3, "stopped"]
    finally:
        client.shutdown()
