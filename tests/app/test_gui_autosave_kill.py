"""Autosave survives a kill: a window in another process is SIGKILLed in the middle of a run, and
the next window offers to restore its work, which comes back with the same text and tokens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import LOAD_TIMEOUT_MS
from PySide6.QtCore import Qt

from attnlab.app.autosave import autosave_dir
from attnlab.app.main_window import MainWindow
from attnlab.engine.api.saved_session import SessionFileError, read_session

TEXT = "the cat sat"
APP = """
import sys
import attnlab.app as app  # noqa: F401
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])
from attnlab.app.main_window import MainWindow

application = QApplication([])
window = MainWindow()
window.show()
window.text_input.setPlainText(sys.argv[3])
started = []

def run(_result):
    if not started:
        started.append(True)
        window.run(120)

window.client.analysed.connect(run)
window.start(sys.argv[1])
application.exec()
"""


def _autosave_of(pid: int, at_least: int, timeout: float = 120.0):
    path = autosave_dir() / f"{pid}-1.attnlab"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data = read_session(path)
        except SessionFileError:
            data = None  # not written yet (a half-written file is never seen: writes are renames)
        if data is not None and len(data.generated) >= at_least:
            return path
        time.sleep(0.02)
    raise AssertionError(f"no autosave with {at_least} tokens at {path} after {timeout} s")


def test_killed_mid_run_is_offered_for_restore(qtbot, tiny_folders, fresh_settings, _private_settings, tmp_path):
    root = Path(__file__).resolve().parents[2]
    log = (tmp_path / "stderr.txt").open("w")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    process = subprocess.Popen(
        [sys.executable, "-c", APP, tiny_folders["gpt2"], str(_private_settings), TEXT],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        path = _autosave_of(process.pid, at_least=5)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()  # reaped: its pid is gone, so its autosave is an orphan
        log.close()
    saved = read_session(path)
    assert saved.text == TEXT and len(saved.generated) >= 5

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    banner = window.sessions.banner
    assert banner.isVisible() and TEXT in banner.label.text()  # offered, nothing blocks
    with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
        qtbot.mouseClick(banner.restore, Qt.MouseButton.LeftButton)
    count = len(saved.generated)
    qtbot.waitUntil(lambda: window.is_idle() and len(window.document.steps) == count, timeout=LOAD_TIMEOUT_MS)
    assert window.text_input.toPlainText() == TEXT
    assert [step.token_id for step in window.document.steps] == list(saved.generated)
    assert not path.exists() and window.sessions.autosave_path.exists()  # the work is this window's now
    window.close()
    assert not window.sessions.autosave_path.exists()
