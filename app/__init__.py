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
    from attnlab.app.main_window import MainWindow


def create_main_window(model: str | None = None, session: str | None = None) -> MainWindow:
    """Build the main window and start loading `model` (a catalog name, a folder or a hub id), or
    open `session` (an .attnlab file: its own model; a file that cannot be read says why, and
    `model` loads instead).

    With no model, the last one used (QSettings) or the catalog's default is loaded. Loading
    runs in the engine thread: the window is returned at once and shows progress meanwhile.
    A QApplication must exist. First the interface language is installed (the settings' choice,
    else the system's: app/i18n.py) and, without a system font for Han characters, the bundled
    CJK font becomes the application font's fallback (app/fonts.py).

    The first copy of attnlab to start owns the user's settings (app/instance_lock.py); a window made
    while another process holds them says so and writes none of them (app/second_copy.py).
    """
    from PySide6.QtWidgets import QApplication

    from attnlab.app.fonts import install_cjk_fallback
    from attnlab.app.i18n import chosen_language, install_language, system_language
    from attnlab.app.instance_lock import claim, lock_path
    from attnlab.app.main_window import MainWindow
    from attnlab.app.second_copy import SecondCopy, scratch_settings
    from attnlab.app.settings import open_settings

    application = QApplication.instance()
    if isinstance(application, QApplication):
        install_language(application, chosen_language(open_settings()) or system_language())
        install_cjk_fallback(application)

    settings = open_settings()
    first_pid = claim(lock_path(settings.fileName()))
    if first_pid is not None:  # another copy runs: this one reads its settings and overwrites none of them
        settings = scratch_settings(settings)
    window = MainWindow(settings=settings)
    if first_pid is not None:
        SecondCopy(window, first_pid)  # the window, its parent, keeps it
    if session is None or not window.sessions.open(session, start=True):
        window.start(model)
    return window
