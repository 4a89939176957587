"""A non-blocking offer to restore the work of a window that did not close properly."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

STYLE = "QFrame#restoreBanner { background: #fff4ce; border: 1px solid #c9a227; color: #4d3800; border-radius: 4px; }"


class RestoreBanner(QFrame):
    restore_requested = Signal()
    discard_requested = Signal()
    keep_requested = Signal()  # an unreadable autosave: leave the file where it is, offer the next

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("restoreBanner")
        self.setStyleSheet(STYLE)
        self.label = QLabel()
        self.label.setObjectName("restoreText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.restore = QPushButton(self.tr("Restore"))
        self.restore.setObjectName("restoreButton")
        self.restore.setToolTip(self.tr("Open the unsaved session again: its model, text, masks and generated tokens"))
        self.discard = QPushButton(self.tr("Discard"))
        self.discard.setObjectName("discardButton")
        self.discard.setToolTip(self.tr("Delete the unsaved session for good"))
        self.keep = QPushButton(self.tr("Keep the File"))
        self.keep.setObjectName("keepButton")
        self.keep.setToolTip(self.tr("Leave the unreadable file where it is (it is offered again next time)"))
        self.keep.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.restore)
        row.addWidget(self.keep)
        row.addWidget(self.discard)
        self.restore.clicked.connect(self.restore_requested)
        self.discard.clicked.connect(self.discard_requested)
        self.keep.clicked.connect(self.keep_requested)
        self.hide()

    def offer(self, text: str, restorable: bool = True) -> None:
        """Show `text`; an autosave that cannot be read (restorable False) can only be discarded or left."""
        self.label.setText(text)
        self.restore.setVisible(restorable)
        self.keep.setVisible(not restorable)
        self.show()
