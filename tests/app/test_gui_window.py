"""The window as a whole: the entry points, load progress, the status bar, hover text."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QWidget

import attnlab.app as app
from attnlab.app import gui
from attnlab.app.main_window import MainWindow


def test_create_main_window_loads_and_reports_progress(qtbot, tiny_folders, fresh_settings, wait_idle):
    window = app.create_main_window(tiny_folders["gpt2"])
    qtbot.addWidget(window)
    window.show()
    progress = window.findChild(QWidget, "loadProgress")
    assert isinstance(window, MainWindow) and progress.isVisible()  # loading runs in the engine thread
    assert not window.picker.models.isEnabled()
    with qtbot.waitSignal(window.model_loaded, timeout=60_000):
        pass
    wait_idle(window)
    assert not progress.isVisible() and window.picker.models.isEnabled()
    assert window.findChild(QWidget, "statusModel").text().startswith(window.document.info.name)
    assert window.findChild(QWidget, "statusDevice").text() == "cpu · float32"
    window.step()
    wait_idle(window)
    assert window.findChild(QWidget, "statusTiming").text().startswith("last step ")
    assert window.picker.models.currentData() == window.document.info.name
    window.close()


def test_hovering_the_heatmap_names_query_key_and_weight(open_window, tiny_folders, qtbot):
    window = open_window(tiny_folders["gpt2"], text="the cat sat")
    heatmap = window.findChild(QWidget, "headHeatmap")
    scene = heatmap.plot.getViewBox().mapViewToScene(QPointF(1, 3))
    heatmap._show_hover(scene)
    assert heatmap.hover_text == heatmap.text_at(3, 1)
    assert heatmap.hover_text.startswith("sat (#3) → the (#1): ")
    assert window.statusBar().currentMessage() == heatmap.hover_text


_RUN_AND_QUIT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from attnlab.app import gui
from attnlab.app.main_window import MainWindow

def close_when_loaded():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    if windows and windows[0].document.info is not None and windows[0].is_idle():
        print("shown:", windows[0].document.info.kind, flush=True)
        windows[0].close()
        QApplication.instance().quit()
    else:
        QTimer.singleShot(50, close_when_loaded)

QTimer.singleShot(0, close_when_loaded)
sys.exit(gui.run(sys.argv[1]))
"""


def test_gui_run_shows_the_window_and_returns_on_quit(tiny_folders, _private_settings):
    """In a process of its own: after QApplication.exec() returns from quit(), later tests in the same
    process no longer receive the engine thread's replies."""
    done = subprocess.run(
        [sys.executable, "-c", _RUN_AND_QUIT, tiny_folders["bert"]],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(_private_settings)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "shown: encoder" in done.stdout


def test_no_display_or_missing_xcb_library_gives_a_message_not_a_crash(monkeypatch, capsys):
    if not gui.sys.platform.startswith("linux"):
        return
    assert gui.display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert "no display" in gui.display_problem({})
    wayland = {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    assert gui.display_problem(wayland) is None
    missing = "libxcb-icccm.so.4: cannot open shared object file: No such file or directory"
    problem = gui.display_problem({"DISPLAY": ":0"}, plugin_error=lambda: missing)
    assert missing in problem and "apt install libxcb-cursor0" in problem
    assert gui.display_problem({"DISPLAY": ":0"}, plugin_error=lambda: None) is None
    # The real check loads the plugin this PySide6 ships: it names what is missing, or nothing.
    error = gui.xcb_plugin_error()
    assert error is None or ".so" in error
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.delenv("DISPLAY", raising=False)
    assert gui.run() == 2 and "no display" in capsys.readouterr().err
