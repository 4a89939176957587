"""The text boxes: a paste never stalls the window.

Qt lays a paragraph out whole, and breaking a long run with no spaces at a word boundary "or
anywhere" is quadratic in the run: a 100,000-character word takes 9 s, 500,000 minutes. So a
text holding such a run is wrapped anywhere (linear), and a paste past what the engine takes at
all (MAX_CHARS: it would be refused after the wait) is not pasted; `refused` says so.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QPlainTextEdit

MAX_CHARS = 100_000  # what the engine takes (engine/session/sessions.py: MAX_TEXT_CHARS)
LONG_RUN = re.compile(r"\S{1000}")  # a "word" this long: wrapped anywhere (word wrapping is quadratic in it)
WORDS = QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere


class TextBox(QPlainTextEdit):
    refused = Signal(int)  # a paste or drop was not taken: the text it would have made is this many characters

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 - Qt override
        text = source.text() if source.hasText() else ""
        selected = len(self.textCursor().selectedText())
        after = len(self.toPlainText()) - selected + len(text)
        if after > MAX_CHARS:
            self.refused.emit(after)
            return
        self._wrap_for(text)
        super().insertFromMimeData(source)

    def setPlainText(self, text: str) -> None:  # noqa: N802 - Qt override
        self._wrap_for(text, replacing=True)
        super().setPlainText(text)

    def _wrap_for(self, text: str, replacing: bool = False) -> None:
        long_run = LONG_RUN.search(text) is not None
        if long_run or replacing:
            self.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere if long_run else WORDS)
