"""A second copy of the app (issue 24, 15): it says that another window is open, starts on its own example,
and leaves the first one's saved text, settings and autosave alone when it quits; a killed first copy leaves
no lock behind. The first copy is a real second process holding the lock as the app does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

import attnlab.app as app
from attnlab.app import instance_lock
from attnlab.app import settings as saved
from attnlab.app.autosave import autosave_dir
from attnlab.app.instance_lock import lock_path
from attnlab.app.main_window import EXAMPLES
from attnlab.app.second_copy import SecondCopy

LOAD_TIMEOUT_MS = 60_000
HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from attnlab.app.instance_lock import claim\n"
    "assert claim(Path(sys.argv[1])) is None\n"
    "print('holding', flush=True)\n"
    "time.sleep(600)\n"
)


@pytest.fixture
def first_copy(fresh_settings):
    """Another attnlab process that owns the settings (the test process lets go of them first)."""
    instance_lock.release()
    path = lock_path(fresh_settings.fileName())
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    yield holder
    holder.kill()
    holder.wait()
    instance_lock.release()


def _window(qtbot, model: str):
    window = app.create_main_window(model)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.document.info is not None and window.is_idle(), timeout=LOAD_TIMEOUT_MS)
    return window


def test_a_second_copy_says_so_and_leaves_the_first_ones_text_and_autosave_alone(
    qtbot, fresh_settings, first_copy, monkeypatch, request
):
    saved.save_texts(fresh_settings, "decoder", "the first window's text", "")
    saved.save_last_model(fresh_settings, "tiny-gpt")
    fresh_settings.setValue("sampling/temperature", 0.7)
    fresh_settings.setValue("sampling/greedy", False)
    fresh_settings.sync()
    theirs = autosave_dir() / f"{first_copy.pid}-1.attnlab"  # the first window's autosave, as it writes it
    theirs.parent.mkdir(parents=True, exist_ok=True)
    theirs.write_bytes(b"the first window's unsaved session")
    # the data folder is the whole run's: once the holder is gone this file would be an orphan in later tests
    request.addfinalizer(lambda: theirs.unlink(missing_ok=True))
    settings_file = Path(fresh_settings.fileName())
    before = settings_file.read_bytes()

    window = _window(qtbot, "tiny-gpt")
    note = window.findChild(SecondCopy)
    assert note is not None, "a second copy should know it is one"
    assert f"Another attnlab window is open (pid {first_copy.pid})" in window.banner.text
    assert note.note.isVisible() and "not remembered" in note.note.text()  # stays said after the banner goes
    assert window.text_input.toPlainText() == EXAMPLES["decoder"]  # its own example, not the first one's text
    assert window.sampling.config().temperature == pytest.approx(0.7)  # the settings are read
    assert not window.sessions.banner.isVisible()  # the first window's autosave is no orphan to restore
    window.grab().save("/tmp/attnlab-second-copy.png")

    window.text_input.setPlainText("what I typed in the second window")
    qtbot.waitUntil(window.is_idle)
    asked: list[str] = []
    answers = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard])

    def answer(self: SecondCopy) -> QMessageBox.StandardButton:
        asked.append(self.window.text_input.toPlainText())
        return next(answers)

    monkeypatch.setattr(SecondCopy, "ask_on_close", answer)
    window.close()
    assert window.isVisible(), "Cancel keeps the second window open"
    window.close()
    assert not window.isVisible() and asked == ["what I typed in the second window"] * 2

    assert settings_file.read_bytes() == before  # not one byte of the first copy's settings written
    assert saved.texts(fresh_settings, "decoder") == ("the first window's text", "")
    assert theirs.read_bytes() == b"the first window's unsaved session"
    assert not window.sessions.autosave_path.exists()  # its own autosave went with it


def test_a_killed_first_copy_leaves_no_lock_behind(qtbot, fresh_settings, first_copy):
    os.kill(first_copy.pid, signal.SIGKILL)  # as a crash or `kill -9` ends it
    first_copy.wait()
    window = _window(qtbot, "tiny-gpt")
    assert window.findChild(SecondCopy) is None  # the first copy now
    assert "Another attnlab window" not in window.banner.text
    path = lock_path(fresh_settings.fileName())
    assert path.read_text().strip() == str(os.getpid())  # and says so to the next one
    window.close()
