"""GUI test set-up: settings and recent-model lists in a temporary folder, tiny models on disk,
a window factory, and a check that no test leaves the engine thread running."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

import attnlab.app as app  # noqa: F401 - sets PYQTGRAPH_QT_LIB first
from attnlab.app.engine_worker import running_threads
from attnlab.app.main_window import MainWindow

LOAD_TIMEOUT_MS = 60_000
REPLY_TIMEOUT_MS = 20_000


@pytest.fixture(scope="session", autouse=True)
def _private_settings(tmp_path_factory: pytest.TempPathFactory):
    """QSettings, the engine's recent list and the log go to a temporary folder, never the user's."""
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    redirected = {"ATTNLAB_CONFIG": folder / "attnlab", "ATTNLAB_DATA": folder / "data"}  # data: the log
    previous = {variable: os.environ.get(variable) for variable in redirected}
    os.environ.update({variable: str(path) for variable, path in redirected.items()})
    yield folder
    for variable, value in previous.items():
        if value is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = value


@pytest.fixture(autouse=True)
def _no_engine_thread_left():
    """Fail any test that leaves an engine QThread running (set up first, checked last)."""
    yield
    left = running_threads()
    for thread in left:  # don't let one leak poison the next tests
        thread.quit()
        thread.wait(5000)
    assert not left, f"{len(left)} engine thread(s) still running after the test"


@pytest.fixture
def fresh_settings(_private_settings: Path):
    """Start a test from empty settings."""
    from attnlab.app.settings import open_settings

    settings = open_settings()
    settings.clear()
    settings.sync()
    return settings


@pytest.fixture(scope="session")
def tiny_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Tiny random models saved as model folders: gpt2 (decoder), bert (masked LM), bart (seq2seq)."""
    from tiny_models import save, tiny_bart, tiny_bert, tiny_gpt2

    root = tmp_path_factory.mktemp("models")
    builders = {"gpt2": lambda: tiny_gpt2(positions=128), "bert": tiny_bert, "bart": tiny_bart}
    return {name: str(save(*build(), root / name)) for name, build in builders.items()}


@pytest.fixture
def open_window(qtbot, fresh_settings):
    """open_window(model) -> a shown MainWindow with the model loaded and its first analysis drawn."""
    windows: list[MainWindow] = []

    def create(model: str, text: str | None = None, source: str | None = None) -> MainWindow:
        window = MainWindow()
        windows.append(window)
        qtbot.addWidget(window)
        window.show()
        if text is not None:
            window.text_input.setPlainText(text)
        if source is not None:
            window.source_input.setPlainText(source)
        with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
            window.start(model)
        qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)
        return window

    yield create
    for window in windows:
        window.close()


@pytest.fixture
def wait_idle(qtbot):
    """wait_idle(window): until no request is in flight and nothing is waiting to be drawn."""

    def wait(window: MainWindow, timeout: int = REPLY_TIMEOUT_MS) -> None:
        qtbot.waitUntil(window.is_idle, timeout=timeout)

    return wait
