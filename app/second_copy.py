"""A second copy of attnlab, started while another one runs: it says so, and leaves the first one's state alone.

The first copy owns the settings (instance_lock). The second reads them (model, sampling, language, layout)
from a scratch copy without the remembered texts, so it opens on its model's example rather than on what the
first window left, and whatever it writes (its texts, layout, sampling at close) goes to the scratch copy,
never over the first one's. Its autosave is its own file already (autosave.py names it after the process).
Closing it with work that is not in a session file asks first, since nothing of it is remembered.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMessageBox

from attnlab.app.main_window import EXAMPLES, EXAMPLES_ZH

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

NOT_COPIED = ("input/",)  # the first window's texts: a second window starts on its model's example
OFFSET_PX = 40  # a second window opens this far down and right of where the first was left
_scratch: list[tempfile.TemporaryDirectory[str]] = []  # made when first needed, removed when the process ends


def scratch_settings(settings: QSettings) -> QSettings:
    """A copy of `settings` in a temporary file, less NOT_COPIED: read like the user's, written nowhere that
    lasts."""
    if not _scratch:
        _scratch.append(tempfile.TemporaryDirectory(prefix="attnlab-second-"))
    folder = Path(_scratch[0].name)
    path = folder / f"settings-{len(list(folder.iterdir()))}.ini"
    copy = QSettings(str(path), QSettings.Format.IniFormat)
    for key in settings.allKeys():
        if not key.startswith(NOT_COPIED):
            copy.setValue(key, settings.value(key))
    copy.sync()
    return copy


class SecondCopy(QObject):
    """Marks `window` as a second copy (a banner, a lasting status-bar note) and asks before it closes with
    unsaved work (`ask_on_close`, replaceable by tests: returns Save, Discard or Cancel)."""

    def __init__(self, window: MainWindow, first_pid: int):
        super().__init__(window)
        self.window = window
        self.first_pid = first_pid
        first = self.tr("pid {0}").format(first_pid) if first_pid > 0 else self.tr("another process")
        self.message = self.tr(
            "Another attnlab window is open ({0}). This one starts with its settings but not its text, and "
            "keeps nothing when it closes — no text, settings or layout of its own, so the first window's are "
            "never overwritten. Save a session (File ▸ Save) to keep what you do here."
        ).format(first)
        window.banner.show_message(self.message, "info")
        self.note = QLabel(self.tr("second window: not remembered"))
        self.note.setObjectName("secondCopyNote")
        self.note.setToolTip(self.message)
        self.note.setStyleSheet("color: #0d3c61;")
        window.statusBar().addPermanentWidget(self.note)
        window.move(window.pos().x() + OFFSET_PX, window.pos().y() + OFFSET_PX)  # not exactly over the first
        window.installEventFilter(self)  # after the sessions' filter, so this one sees a close first

    def unsaved_work(self) -> bool:
        """Generated tokens or a text of the user's that no session file holds."""
        window = self.window
        if window.sessions.path is not None:
            return False  # saved as a session (later changes are autosaved; the file is the user's)
        text = window.text_input.toPlainText().strip()
        examples = set(EXAMPLES.values()) | set(EXAMPLES_ZH.values())
        return bool(window.document.steps) or bool(text and text not in examples)

    def ask_on_close(self) -> QMessageBox.StandardButton:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Close this second window?"),
            self.tr(
                "This second attnlab window does not remember its text when it closes (the first window "
                "keeps the settings). Save its work as a session first?"
            ),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setObjectName("secondCopyClose")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        return QMessageBox.StandardButton(box.exec())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is not self.window or event.type() != QEvent.Type.Close or not self.unsaved_work():
            return False
        answer = self.ask_on_close()
        if answer == QMessageBox.StandardButton.Discard:
            return False
        if answer == QMessageBox.StandardButton.Save and self.window.sessions.save_as():
            return False
        if isinstance(event, QCloseEvent):
            event.ignore()
        return True  # cancelled (or the save dialog was): the window stays
