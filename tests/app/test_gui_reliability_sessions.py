"""Issue 23, the window's side of sessions: a refused Open never lets Save overwrite that file; a
restored autosave is never lost (kept on disk until its model is loaded and its tokens replayed;
kept whole when its model cannot load; kept, and said, when it cannot be read); a lowered "max
new tokens" still writes a session that replays; a re-saved session keeps its model's name; files
that crashed the window (nesting, huge numbers, nulls, pipes, devices) are refused with a message,
as an opened file and as an autosave orphan, and the window always starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import LOAD_TIMEOUT_MS
from PySide6.QtCore import Qt

from attnlab.app.autosave import autosave_dir
from attnlab.app.engine_worker import engine_loader
from attnlab.app.main_window import MainWindow
from attnlab.engine.api.saved_session import ModelRef, SessionData, read_session, to_json, write_session


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def _orphan(content: SessionData | dict | bytes) -> Path:
    """An autosave left by a process that is gone."""
    autosave_dir().mkdir(parents=True, exist_ok=True)
    path = autosave_dir() / f"{_dead_pid()}-1.attnlab"
    if isinstance(content, SessionData):
        write_session(content, path)
    elif isinstance(content, dict):
        path.write_text(json.dumps(content))
    else:
        path.write_bytes(content)
    return path


@pytest.fixture
def no_orphans(fresh_settings):
    """Start with an empty autosave folder (other tests' windows leave none, but a killed one may)."""
    folder = autosave_dir()
    if folder.is_dir():
        for path in folder.iterdir():
            path.unlink()
    yield folder
    if folder.is_dir():
        for path in folder.iterdir():
            path.unlink()


def _window(qtbot, loader=None) -> MainWindow:
    window = MainWindow(loader=loader) if loader else MainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def _slow_loader(seconds: float):
    def load(spec, options, progress):
        time.sleep(seconds)  # a model that takes a while to load: the window must not autosave meanwhile
        return engine_loader(spec, options, progress)

    return load


# -- 1: a failed Open ---------------------------------------------------------------------------


def test_a_refused_open_says_why_and_ctrl_s_does_not_overwrite_it(open_window, qtbot, wait_idle, tmp_path):
    from attnlab.engine.cli.export import main as export

    session = tmp_path / "s.attnlab"
    args = ["--model", "tiny-gpt", "--text", "The cat", "--generate", "3", "--temperature", "0.8"]
    assert (
        export([*args, "--seed", "3000000000", "--save-session", str(session), "--out", str(tmp_path / "s.npz")]) == 0
    )
    written = session.read_bytes()

    window = open_window("tiny-gpt", text="my own work")
    assert not window.sessions.open(session)
    assert "seed 3000000000" in window.banner.text and "2147483647" in window.banner.text
    assert window.sessions.path is None and not window.windowTitle().endswith("s.attnlab")
    assert window.text_input.toPlainText() == "my own work"  # nothing changed

    mine = tmp_path / "mine.attnlab"
    assert window.sessions.save(mine)
    assert not window.sessions.open(session)
    assert window.sessions.path == mine.resolve()  # Ctrl+S still writes where it did
    window.text_input.setPlainText("more of my work")
    wait_idle(window)
    window.sessions.save_action.trigger()
    assert session.read_bytes() == written
    assert read_session(mine).text == "more of my work"


# -- 3: restoring an autosave ----------------------------------------------------------------------


def test_a_restored_autosave_stays_on_disk_until_its_model_and_tokens_are_back(qtbot, no_orphans):
    work = SessionData(ModelRef("tiny-gpt"), "the dog ran", generated=(5, 9, 14))
    orphan = _orphan(work)
    window = _window(qtbot, _slow_loader(1.5))
    try:
        with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
            window.start("tiny-bert")  # what the window showed before the user restored
        qtbot.waitUntil(window.is_idle, timeout=LOAD_TIMEOUT_MS)
        assert window.sessions.banner.isVisible()
        qtbot.mouseClick(window.sessions.banner.restore, Qt.MouseButton.LeftButton)
        qtbot.wait(900)  # the slow load is still going; autosave would have written 3× by now
        assert window.client.loading
        on_disk = [read_session(p) for p in no_orphans.glob("*.attnlab")]  # what a kill now would leave
        assert [(d.text, d.generated) for d in on_disk] == [("the dog ran", (5, 9, 14))]
        qtbot.waitUntil(lambda: window.is_idle() and len(window.document.steps) == 3, timeout=LOAD_TIMEOUT_MS)
        mine = window.sessions.autosave_path
        qtbot.waitUntil(lambda: not orphan.exists(), timeout=5_000)  # handed over once this window holds it all
        assert read_session(mine).generated == (5, 9, 14) and read_session(mine).text == "the dog ran"
    finally:
        window.close()


def test_an_orphan_whose_model_cannot_load_is_kept_whole(qtbot, no_orphans, tmp_path):
    work = SessionData(ModelRef(str(tmp_path / "gone")), "the dog ran", generated=(5, 9, 14))
    orphan = _orphan(work)
    window = _window(qtbot)
    try:
        with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
            window.start("tiny-gpt")
        qtbot.waitUntil(window.is_idle, timeout=LOAD_TIMEOUT_MS)
        qtbot.mouseClick(window.sessions.banner.restore, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "could not be loaded" in window.banner.text, timeout=LOAD_TIMEOUT_MS)
        assert "kept whole" in window.banner.text and ".." not in window.banner.text
        assert window.text_input.toPlainText() == "the dog ran"
        qtbot.wait(600)  # autosaves of what the window shows now
        assert read_session(orphan).generated == (5, 9, 14)
    finally:
        window.close()
    assert read_session(orphan).generated == (5, 9, 14)  # a clean close leaves it, to be offered again
    again = _window(qtbot)
    assert again.sessions.banner.isVisible() and "the dog ran" in again.sessions.banner.label.text()
    again.close()


@pytest.mark.parametrize("damage", ["newer", "not-json"])
def test_an_unreadable_orphan_is_kept_and_said(qtbot, no_orphans, damage):
    newer = {**to_json(SessionData(ModelRef("tiny-gpt"), "x")), "schema_version": 99}
    orphan = _orphan(newer if damage == "newer" else b"{ half a sess")
    window = _window(qtbot)
    banner = window.sessions.banner
    assert banner.isVisible() and "cannot be read" in banner.label.text() and str(orphan) in banner.label.text()
    assert ("newer attnlab" in banner.label.text()) == (damage == "newer")
    assert not banner.restore.isVisible() and banner.keep.isVisible() and orphan.exists()
    qtbot.mouseClick(banner.keep, Qt.MouseButton.LeftButton)
    assert not banner.isVisible() and orphan.exists()
    window.close()
    again = _window(qtbot)  # offered again at the next start, until discarded
    assert again.sessions.banner.isVisible()
    qtbot.mouseClick(again.sessions.banner.discard, Qt.MouseButton.LeftButton)
    assert not orphan.exists()
    again.close()


# -- 5 and 6: what a re-saved session says -------------------------------------------------------


def test_lowering_max_new_tokens_still_saves_a_session_that_replays(open_window, qtbot, wait_idle, tmp_path):
    from attnlab.engine.cli.saved_replay import replay_session

    window = open_window("tiny-gpt", text="the cat sat")
    for _ in range(4):
        window.step()
    wait_idle(window)
    assert len(window.document.steps) == 4
    window.sampling.max_new_tokens.setValue(2)
    wait_idle(window)
    path = tmp_path / "lowered.attnlab"
    assert window.sessions.save(path)
    saved = read_session(path)
    assert len(saved.generated) == 4 and saved.sampling.max_new_tokens >= 4
    run, _data = replay_session(str(path), None, None, None)  # what `attnlab export --session` does
    assert [s.token_id for s in run.steps] == list(saved.generated)
    opened = MainWindow()
    qtbot.addWidget(opened)
    with qtbot.waitSignal(opened.model_loaded, timeout=LOAD_TIMEOUT_MS):
        assert opened.sessions.open(path, start=True)
    qtbot.waitUntil(lambda: opened.is_idle() and opened.document.analysis is not None, timeout=LOAD_TIMEOUT_MS)
    assert [s.token_id for s in opened.document.steps] == list(saved.generated)
    opened.close()


def test_a_resaved_session_names_the_model_it_named_not_the_folder_it_loaded(
    qtbot, wait_idle, tmp_path, tiny_folders, no_orphans
):
    """SmolLM2's session names the catalog entry, its path the converted copy in the cache; when the
    window loads it from that path, a re-save must still name the catalog entry."""
    import shutil

    converted = shutil.copytree(tiny_folders["gpt2"], tmp_path / "cache" / "converted" / "abc123")
    first = tmp_path / "first.attnlab"
    write_session(SessionData(ModelRef("SmolLM2-135M-Instruct", str(converted), "decoder"), "the cat"), first)
    window = _window(qtbot)
    try:
        with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
            assert window.sessions.open(first, start=True)
        qtbot.waitUntil(lambda: window.is_idle() and window.document.analysis is not None, timeout=LOAD_TIMEOUT_MS)
        assert window.document.info.path == str(converted)
        window.step()
        wait_idle(window)
        assert window.sessions.save()
        again = read_session(first)
        assert again.model.name == "SmolLM2-135M-Instruct" and again.model.path == str(converted)
        assert len(again.generated) == 1
    finally:
        window.close()


# -- 7 and 11: files that crashed or hung the window -----------------------------------------------


def _valid() -> dict:
    return to_json(SessionData(ModelRef("tiny-gpt"), "the cat"))


BAD_FILES = {
    "knockouts null": lambda: {**_valid(), "masks": {"knockouts": None}},
    "100,000 nested arrays": lambda: '{"format": "attnlab-session", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "5,000-digit integer": lambda: json.dumps(_valid())[:-1] + ', "generated": [' + "7" * 5000 + "]}",
    "seed beyond 2^63": lambda: {**_valid(), "sampling": {"greedy": False, "seed": 2**64}},
    "top-k beyond 2^63": lambda: {**_valid(), "sampling": {"top_k": 2**64}},
    "max new tokens beyond 2^63": lambda: {**_valid(), "sampling": {"max_new_tokens": 2**64 + 1}},
}


def _write_bad(path: Path, kind: str) -> Path:
    content = BAD_FILES[kind]()
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_files_that_crashed_the_window_are_refused_opened_and_as_orphans(
    open_window, qtbot, wait_idle, tmp_path, no_orphans, kind
):
    window = open_window("tiny-gpt", text="my own work")
    bad = _write_bad(tmp_path / "bad.attnlab", kind)
    assert not window.sessions.open(bad)
    assert "The session was not opened" in window.banner.text
    assert window.text_input.toPlainText() == "my own work" and window.sessions.path is None
    window.close()

    orphan = _write_bad(no_orphans / f"{_dead_pid()}-1.attnlab", kind)
    started = _window(qtbot)  # the window always starts
    banner = started.sessions.banner
    assert banner.isVisible() and orphan.exists()
    if banner.restore.isVisible():  # it reads, but asks for what the window cannot hold
        qtbot.mouseClick(banner.restore, Qt.MouseButton.LeftButton)
        assert "The session was not opened" in started.banner.text and orphan.exists()
    started.close()


def test_attnlab_on_a_crashing_file_starts_the_window_and_keeps_saying_why(qtbot, tmp_path, fresh_settings):
    import attnlab.app as app

    bad = _write_bad(tmp_path / "bad.attnlab", "knockouts null")
    window = app.create_main_window(session=str(bad))  # `attnlab bad.attnlab`
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.document.analysis is not None and window.is_idle(), timeout=LOAD_TIMEOUT_MS)
        qtbot.wait(100)
        assert "The session was not opened" in window.banner.text  # the fallback model's first result left it
        assert window.sessions.path is None
    finally:
        window.close()


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/dev/urandom"])
def test_a_pipe_or_a_device_is_refused_at_once(open_window, qtbot, tmp_path, no_orphans, special):
    window = open_window("tiny-gpt", text="my own work")
    path = tmp_path / "special.attnlab"
    if special == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(special)
    started = time.perf_counter()
    assert not window.sessions.open(path)
    assert time.perf_counter() - started < 0.1
    assert "not a regular file" in window.banner.text
    window.close()

    orphan = no_orphans / f"{_dead_pid()}-1.attnlab"
    os.mkfifo(orphan) if special == "fifo" else orphan.symlink_to(special)
    started = time.perf_counter()
    again = _window(qtbot)
    assert time.perf_counter() - started < 5  # builds the window: never waits on the pipe
    assert again.sessions.banner.isVisible() and "not a regular file" in again.sessions.banner.label.text()
    again.close()
