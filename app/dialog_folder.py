"""Where the save, export and open dialogs start: the folder last used for one of them, else the user's
documents folder — never the folder the app happened to be started from (a clone of the repository)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

KEY = "dialogs/last_folder"


def start_folder(settings: QSettings) -> str:
    last = settings.value(KEY)
    if isinstance(last, str) and last and Path(last).is_dir():
        return last
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents if documents and Path(documents).is_dir() else str(Path.home())


def start_path(settings: QSettings, name: str) -> str:
    """`name` (a suggested file name) in the start folder."""
    return os.path.join(start_folder(settings), name)


def remember_folder(settings: QSettings, chosen: str | os.PathLike[str]) -> None:
    """The folder of a file the user chose in a dialog: where the next dialog starts."""
    folder = Path(chosen).expanduser().parent
    if folder.is_dir():
        settings.setValue(KEY, str(folder))
