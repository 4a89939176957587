"""Start the desktop app: `attnlab` (see app/cli.py) ends up in `run`."""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import attnlab.app as app
from attnlab.app.settings import APPLICATION, ORGANISATION

XCB_PACKAGES = (
    "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 "
    "libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0"
)  # Debian/Ubuntu names of what Qt's X11 plugin links


def xcb_plugin_error() -> str | None:
    """Why Qt's X11 plugin would not load (the dynamic loader's words: a missing library), or None."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return None  # a Qt laid out otherwise: let it speak for itself
    try:
        ctypes.CDLL(str(plugin))  # loads its libraries, as Qt is about to
    except OSError as error:
        return str(error)
    return None


def display_problem(
    environ: Mapping[str, str] | None = None, plugin_error: Callable[[], str | None] = xcb_plugin_error
) -> str | None:
    """Why Qt could not open a window here, said before Qt aborts the process over it; None if it can.

    On Linux, Qt's X11 plugin needs several system xcb libraries (not all desktops have
    libxcb-cursor, for one), and any plugin needs a display; without them Qt kills the process.
    """
    env = os.environ if environ is None else environ
    platform = env.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or (platform and not platform.startswith("xcb")):
        return None
    wayland = bool(env.get("WAYLAND_DISPLAY")) and env.get("XDG_SESSION_TYPE") == "wayland"
    if not platform and wayland:
        return None
    if not env.get("DISPLAY"):
        return (
            "attnlab found no display to open its window on: start it from a desktop session "
            "(QT_QPA_PLATFORM=offscreen runs it without one, for scripts and tests)"
        )
    error = plugin_error()
    if error:
        return (
            f"attnlab's window needs system libraries that Qt's X11 plugin links, and one is missing "
            f"({error}). Debian/Ubuntu: sudo apt install {XCB_PACKAGES}; Fedora: sudo dnf install "
            "xcb-util-cursor xcb-util-wm xcb-util-keysyms xcb-util-image xcb-util-renderutil libxkbcommon-x11"
        )
    return None


def run(model: str | None = None, session: str | None = None) -> int:
    """Create the QApplication, show the main window loading `model` (or opening `session`), run the event loop."""
    problem = display_problem()
    if problem:
        print(f"attnlab: {problem}", file=sys.stderr)
        return 2
    from PySide6.QtWidgets import QApplication

    from attnlab.app.error_log import open_log

    open_log(crashes=True)  # a hard crash (segfault, abort) leaves every thread's stack in the log

    existing = QApplication.instance()
    application = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    application.setOrganizationName(ORGANISATION)
    application.setApplicationName(APPLICATION)
    application.setApplicationDisplayName("attnlab")
    window = app.create_main_window(model, session)
    window.show()
    return application.exec()
