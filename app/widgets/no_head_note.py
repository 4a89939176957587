"""What a bare encoder (MiniLM: attention and hidden states, no language-model head) leaves out.

Without a head there are no candidates and no [MASK] guesses, so the panels that show them are
hidden; this note takes their place and says why, rather than leaving a blank column."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget


def no_head_reason() -> str:
    """Why a bare encoder's tokens cannot be replaced with [MASK] (the greyed action's tooltip)."""
    return QCoreApplication.translate(
        "NoHeadNote",
        "This model has no masked-language-model head (a bare encoder): it cannot guess a [MASK]ed word",
    )


class NoHeadNote(QLabel):
    """Shown in the input column for an encoder without a head, where predictions would be."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("noHeadNote")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setStyleSheet("color: #555; padding: 8px;")
        self.setText(
            self.tr(
                "No predictions: this model is a bare encoder, without a language-model head. It reads the "
                "text and its attention is shown on the right, but it predicts no words, so there are no "
                "candidates and a token cannot be replaced with [MASK]. Knock-outs still work: right-click "
                "a token."
            )
        )
        self.hide()
