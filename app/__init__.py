"""attnlab's desktop app: PySide6 + pyqtgraph views over the engine.

Nothing in `app/` imports torch or transformers except `app/engine_worker.py`, and that only
inside the worker's own thread. Engine results (frozen dataclasses of numpy) cross the seam.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

# pyqtgraph picks PyQt6 when it is installed and PySide6 was not imported first.
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

if TYPE_CHECKING:
    from app.main_window import MainWindow


def create_main_window(model: str | None = None, session: str | None = None) -> MainWindow:
    """Build the main window and start loading `model` (a catalog name, a folder or a hub id), or
    open `session` (an .attnlab file: its own model; a file that cannot be read says why, and
    `model` loads instead).

    With no model, the last one used (QSettings) or the catalog's default is loaded. Loading
    runs in the engine thread: the window is returned at once and shows progress meanwhile.
    A QApplication must exist.
    """
    from app.main_window import MainWindow

    window = MainWindow()
    if session is None or not window.sessions.open(session, start=True):
        window.start(model)
    return window
