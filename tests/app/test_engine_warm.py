"""Warm reuse: a later window connects to the running engine of this user and version, which kept its
model; `attnlab engine --status` says so and `--stop` ends it."""

from __future__ import annotations

import subprocess
import sys
import time

from conftest import LOAD_TIMEOUT_MS, REPLY_TIMEOUT_MS

from attnlab.app.engine_worker import EngineClient


def _engine(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attnlab.engine.server", *args], capture_output=True, text=True, timeout=60
    )


def test_a_second_window_finds_the_model_loaded_and_the_engine_stops_when_asked(qtbot, monkeypatch):
    monkeypatch.setenv("ATTNLAB_ENGINE_IDLE", "120")  # it outlives its first window
    first = EngineClient(target="local")
    try:
        with qtbot.waitSignal(first.model_loaded, timeout=LOAD_TIMEOUT_MS):
            first.load("tiny-gpt")
        pid = first.engine_process.link.pid
    finally:
        first.shutdown()
    status = _engine("--status")
    assert status.returncode == 0 and "tiny-gpt loaded" in status.stdout and str(pid) in status.stdout
    second = EngineClient(target="local")
    try:
        started = time.monotonic()
        with qtbot.waitSignal(second.model_loaded, timeout=REPLY_TIMEOUT_MS) as loaded:
            second.load("tiny-gpt")
        took = time.monotonic() - started
        assert second.engine_process.link.pid == pid and second.engine_process.link.model == "tiny-gpt"
        assert loaded.args[0].name == "tiny-gpt" and took < 5.0  # no imports, no load: the engine kept it
        with qtbot.waitSignal(second.analysed, timeout=REPLY_TIMEOUT_MS) as analysed:
            second.analyse("The cat sat")
        assert analysed.args[0].attention.shape("decoder")[2] == len(analysed.args[0].tokens)
    finally:
        second.shutdown()
    stopped = _engine("--stop")
    assert stopped.returncode == 0 and "stopping" in stopped.stdout
    deadline = time.monotonic() + 10
    while _engine("--status").returncode == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "no engine is running" in _engine("--status").stdout
