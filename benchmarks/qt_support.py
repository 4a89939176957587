"""Qt plumbing for the GUI figures: one QApplication, private settings, waiting, paint timestamps.

Waiting runs a QEventLoop with a short poll timer rather than spinning processEvents(), so the
GUI thread sleeps (and releases the GIL) like the real app does while the engine thread works.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable

import attnlab.app as app  # noqa: F401 - sets PYQTGRAPH_QT_LIB before pyqtgraph is imported

# isort: split
import pyqtgraph as pg
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

_settings_dir: tempfile.TemporaryDirectory | None = None


def application() -> QApplication:
    """The process's QApplication, with settings and the recent-model list in a temporary folder."""
    global _settings_dir
    if _settings_dir is None:
        _settings_dir = tempfile.TemporaryDirectory(prefix="attnlab-bench-")
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, _settings_dir.name)
        os.environ["ATTNLAB_CONFIG"] = os.path.join(_settings_dir.name, "attnlab")
    existing = QApplication.instance()
    return existing if isinstance(existing, QApplication) else QApplication([])


APP_ERRORS: list[str] = []  # what watched windows reported as errors; a wait stops at the first


def watch_errors(window) -> None:
    """Make every later wait_until fail at once when `window` shows an error, instead of timing out."""
    APP_ERRORS.clear()
    window.errored.connect(APP_ERRORS.append)


def wait_until(condition: Callable[[], bool], timeout: float = 120.0, poll_ms: int = 1) -> None:
    """Run the event loop until `condition()` holds; raise if a watched window reports an error."""
    if condition():
        return
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(poll_ms)
    deadline = time.perf_counter() + timeout

    def check() -> None:
        if condition() or APP_ERRORS or time.perf_counter() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    if APP_ERRORS:
        raise RuntimeError(f"the app reported an error: {APP_ERRORS[-1]}")
    if not condition():
        raise TimeoutError(f"gave up after {timeout:.0f} s waiting for the GUI")


def spin(seconds: float) -> None:
    """Let the event loop run for a while."""
    end = time.perf_counter() + seconds
    wait_until(lambda: time.perf_counter() >= end, timeout=seconds + 5)


class PaintClock:
    """When each pyqtgraph ImageItem last finished painting (perf_counter), keyed by the item.

    Installed by wrapping ImageItem.paint once per process: pyqtgraph renders the image (LUT,
    levels) lazily inside paint, so "painted" includes that work.
    """

    finished: dict[int, float] = {}
    _installed = False

    @classmethod
    def install(cls) -> None:
        if cls._installed:
            return
        original = pg.ImageItem.paint

        def paint(item: pg.ImageItem, *args: object) -> None:
            original(item, *args)
            cls.finished[id(item)] = time.perf_counter()

        pg.ImageItem.paint = paint
        cls._installed = True

    @classmethod
    def painted_since(cls, item: pg.ImageItem, since: float) -> bool:
        return cls.finished.get(id(item), 0.0) > since

    @classmethod
    def last(cls, item: pg.ImageItem) -> float:
        return cls.finished.get(id(item), 0.0)
