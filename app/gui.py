"""Start the desktop app: `attnlab` (see app/cli.py) ends up in `run`."""

from __future__ import annotations

import sys

import app  # noqa: F401 - sets PYQTGRAPH_QT_LIB before pyqtgraph is imported
from app.settings import APPLICATION, ORGANISATION


def run(model: str | None = None) -> int:
    """Create the QApplication, show the main window loading `model`, run the event loop."""
    from PySide6.QtWidgets import QApplication

    application = QApplication.instance() or QApplication(sys.argv)
    application.setOrganizationName(ORGANISATION)
    application.setApplicationName(APPLICATION)
    application.setApplicationDisplayName("attnlab")
    window = app.create_main_window(model)
    window.show()
    return application.exec()
