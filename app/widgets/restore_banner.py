"""A non-blocking offer to restore the work of a window that did not close properly."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

STYLE = "QFrame#restoreBanner { background: #fff4ce; border: 1px solid #c9a227; color: #4d3800; border-radius: 4px; }"


class RestoreBanner(QFrame):
    restore_requested = Signal()
    discard_requested = Signal()

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
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.restore)
        row.addWidget(self.discard)
        self.restore.clicked.connect(self.restore_requested)
        self.discard.clicked.connect(self.discard_requested)
        self.hide()

    def offer(self, text: str) -> None:
        self.label.setText(text)
        self.show()
