"""Soak support: any worker exception shows in the banner, goes to the log file with its traceback,
and the window keeps working; a hard crash leaves its stacks in the same log."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from test_gui_engine_client import FakeSession, _info

from attnlab.app.main_window import MainWindow
from attnlab.engine.api.results import Masks
from attnlab.engine.api.user_dirs import log_file

ROOT = Path(__file__).resolve().parents[2]


class ExplodingSession(FakeSession):
    def _result(self):
        return replace(super()._result(), masks=Masks())  # what the window draws needs the masks

    def prefill(self, text, masks, source=None, replay=(), progress=None):
        if text == "boom":
            raise KeyError("a bug in the engine")  # not an EngineError: an unexpected exception
        return super().prefill(text, masks, source, replay)


def test_worker_exception_is_shown_logged_and_survived(qtbot, fresh_settings):
    log = log_file()
    before = log.read_text(encoding="utf-8") if log.exists() else ""
    window = MainWindow(
        loader=lambda spec, options, progress: (_info(spec), ExplodingSession()), catalog=lambda: ([], None)
    )
    qtbot.addWidget(window)
    window.show()
    try:
        window.text_input.setPlainText("one two")
        with qtbot.waitSignal(window.model_loaded, timeout=10_000):
            window.start("fake")
        qtbot.waitUntil(window.is_idle, timeout=10_000)
        with qtbot.waitSignal(window.errored, timeout=10_000) as error:
            window.text_input.setPlainText("boom")
            window.analyse()
        assert "unexpected error (KeyError)" in error.args[0] and str(log) in error.args[0]
        qtbot.waitUntil(window.is_idle, timeout=10_000)
        assert "KeyError" in window.banner.text
        written = log.read_text(encoding="utf-8")[len(before) :]
        assert "engine request Analyse failed" in written
        assert "Traceback (most recent call last)" in written and "KeyError: 'a bug in the engine'" in written
        with qtbot.waitSignal(window.client.analysed, timeout=10_000):
            window.text_input.setPlainText("three four five")
            window.analyse()
        qtbot.waitUntil(window.is_idle, timeout=10_000)
        assert window.token_strip.tokens() == ["three", "four", "five"]
        assert not window.banner.isVisible()
    finally:
        window.close()


def test_a_hard_crash_leaves_its_stack_in_the_log(tmp_path):
    env = {**os.environ, "ATTNLAB_DATA": str(tmp_path)}
    crash = "from app.error_log import open_log; open_log(crashes=True); import ctypes; ctypes.string_at(0)"
    done = subprocess.run([sys.executable, "-c", crash], cwd=ROOT, env=env, capture_output=True, timeout=60)
    assert done.returncode != 0
    text = (tmp_path / "logs" / "attnlab.log").read_text(encoding="utf-8")
    assert "Fatal Python error: Segmentation fault" in text and "<string>" in text
