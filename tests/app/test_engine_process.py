"""The engine in its own process: the window's replies through the boundary equal the in-process engine's,
and an engine killed during a load, a step, a run or an analysis is replaced, the session replayed."""

from __future__ import annotations

import os
import signal
import stat
import time

import numpy as np
import pytest
from conftest import LOAD_TIMEOUT_MS, REPLY_TIMEOUT_MS

from attnlab.app.engine_worker import EngineClient
from attnlab.app.main_window import MainWindow
from attnlab.engine.api.messages import message
from attnlab.engine.server import runtime

MODEL = "tiny-gpt"
TEXT = "The cat sat on the"
REPEATS = int(os.environ.get("ATTNLAB_KILL_REPEATS", "2"))  # each moment, in one window


def _replies(client: EngineClient) -> dict[str, list]:
    got: dict[str, list] = {}
    for name in ("model_loaded", "analysed", "stepped", "run_finished", "errored", "load_failed", "undone"):
        getattr(client, name).connect(lambda *args, n=name: got.setdefault(n, []).append(args))
    return got


def _drive(qtbot, client: EngineClient) -> dict[str, list]:
    got = _replies(client)
    with qtbot.waitSignal(client.model_loaded, timeout=LOAD_TIMEOUT_MS):
        client.load(MODEL)
    with qtbot.waitSignal(client.analysed, timeout=REPLY_TIMEOUT_MS):
        client.analyse(TEXT)
    for _ in range(2):
        with qtbot.waitSignal(client.stepped, timeout=REPLY_TIMEOUT_MS):
            client.step()
    with qtbot.waitSignal(client.undone, timeout=REPLY_TIMEOUT_MS):
        client.undo()
    with qtbot.waitSignal(client.stepped, timeout=REPLY_TIMEOUT_MS):
        client.choose(int(got["stepped"][-1][0].candidates[1].token_id), replace=False)
    with qtbot.waitSignal(client.run_finished, timeout=REPLY_TIMEOUT_MS):
        client.run(4)
    return got


def test_the_engine_process_answers_as_the_engine_thread_does(qtbot):
    """Every reply through the socket (attention sent as new rows only) equals the thread's, in-process."""
    results = {}
    for target in ("thread", "private"):
        client = EngineClient(target=target)
        try:
            results[target] = _drive(qtbot, client)
        finally:
            client.shutdown()
        assert not client.engine_thread.isRunning()
    thread, process = results["thread"], results["private"]
    assert [s[0].token_id for s in process["stepped"]] == [s[0].token_id for s in thread["stepped"]]
    assert process["run_finished"] == thread["run_finished"]
    for ours, theirs in zip(process["stepped"], thread["stepped"], strict=True):
        a, b = ours[0].attention, theirs[0].attention
        assert a.shape("decoder") == b.shape("decoder")
        assert np.array_equal(a.full("decoder"), b.full("decoder"))  # float16 rows, bit for bit
    rows = process["stepped"][-1][0].attention.full("decoder")  # [layer, head, query, key]
    np.testing.assert_allclose(rows.sum(-1), 1.0, atol=2e-3)
    assert not np.triu(rows, 1).any()


def test_the_runtime_folder_and_key_are_private():
    folder = runtime.runtime_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    runtime.authkey(folder)
    assert stat.S_IMODE((folder / "authkey").stat().st_mode) == 0o600


def test_a_peer_without_the_key_is_refused_before_anything_is_decoded(qtbot, tmp_path):
    from multiprocessing import AuthenticationError
    from multiprocessing.connection import Client

    client = EngineClient(target="private")
    try:
        qtbot.waitUntil(lambda: client.engine_process.link.pid is not None, timeout=LOAD_TIMEOUT_MS)
        sockets = [p for p in runtime.runtime_dir().glob("*.sock") if str(client.engine_process.link.pid)]
        assert sockets
        with pytest.raises((AuthenticationError, EOFError, OSError)):
            Client(str(sockets[0]), family="AF_UNIX", authkey=b"x" * 32)
        with qtbot.waitSignal(client.catalog_listed, timeout=REPLY_TIMEOUT_MS):
            client.list_catalog()  # the engine is still there for its own window
    finally:
        client.shutdown()


def _kill(window: MainWindow) -> int:
    pid = window.client.engine_process.link.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    return pid


def _generated(window: MainWindow) -> list[int]:
    return [step.token_id for step in window.document.steps]


def test_an_engine_killed_at_any_moment_is_replaced_and_the_session_replayed(qtbot, fresh_settings, monkeypatch):
    monkeypatch.setenv("ATTNLAB_ENGINE", "private")
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.text_input.setPlainText(TEXT)
    try:
        with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
            window.start(MODEL)
        qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)
        window.set_mark(2, "knockout")
        qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)
        for _ in range(3):
            window.step()
            qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)
        greedy = _generated(window)  # greedy, under the knock-out: what a replay must give again
        pids = set()
        # what the window holds when it learns of the death (after the recovery took its session): a step
        # answered just before the kill may arrive after `held` was read, and is then rightly replayed too
        at_loss: list[list[int]] = []
        window.client.engine_lost.connect(lambda *_: at_loss.append(_generated(window)))
        for moment in ("step", "run", "analysis", "load") * REPEATS:
            before = _generated(window)
            if moment == "step":
                window.step()
            elif moment == "run":
                window.run(200)
                qtbot.waitUntil(_grew(window, len(before)), timeout=REPLY_TIMEOUT_MS)
            elif moment == "analysis":
                window.toggle_ablation("decoder", 0, 1)
                window.toggle_ablation("decoder", 0, 1)
            else:
                window.load(MODEL)
            held = _generated(window)
            with qtbot.waitSignal(window.client.engine_lost, timeout=REPLY_TIMEOUT_MS) as lost:
                pids.add(_kill(window))
            # a step the engine answered before the signal landed (a loaded machine can pause this process
            # between sending it and the kill) leaves the window idle when the death is learnt: then the step is
            # in what it held, and the replay below must bring it back all the same
            answered_first = moment == "step" and lost.args[1] == "idle" and len(at_loss[-1]) == len(before) + 1
            assert lost.args == [
                message("engine_killed", signal="SIGKILL"),
                moment if moment != "analysis" and not answered_first else lost.args[1],
            ]
            assert "SIGKILL" in window.banner.text
            assert window.recovery.replaying and window.sessions.hold_autosave  # no half-replayed autosave
            qtbot.waitUntil(lambda: not window.recovery.replaying, timeout=LOAD_TIMEOUT_MS)
            qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)
            assert window.document.info is not None and window.document.info.name == MODEL
            replayed = _generated(window)
            if moment == "load":  # the load again: as after any load, the text is analysed afresh
                assert replayed == []
            else:  # everything the window held when it died, or (a run) all of it but the step in flight
                assert replayed == at_loss[-1] and at_loss[-1][: len(held)] == held and len(held) >= len(before)
            assert replayed[: len(greedy)] == greedy[: len(replayed)]  # the same continuation, not a new one
            if moment == "load":  # a load starts without masks
                assert window.token_strip.chip(2).mark == ""
                window.set_mark(2, "knockout")
                qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)
            assert window.token_strip.chip(2).mark == "knockout"  # masks came back with the session
            window.step()  # the window goes on with the new engine
            qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)
            assert len(_generated(window)) == len(replayed) + 1
            greedy = _generated(window) if len(_generated(window)) > len(greedy) else greedy
        assert len(pids) == 4 * REPEATS and window.client.engine_deaths == 4 * REPEATS
    finally:
        window.close()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)


def _grew(window: MainWindow, count: int):
    return lambda: len(_generated(window)) > count


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
