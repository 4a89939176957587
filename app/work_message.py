"""Status-bar messages that are true only while some work runs ("reading the text: 2,912 of 2,912
tokens", "Re-running the text … with the new masks"): cleared the moment that work ends, unless the
status bar has moved on to another message meanwhile. A timeout alone leaves them up after they
stopped being true (a short text read in 30 ms under a minute-long "reading the text" line)."""

from __future__ import annotations

from PySide6.QtWidgets import QStatusBar


class WorkMessage:
    def __init__(self, bar: QStatusBar):
        self._bar = bar
        self._shown = ""

    def show(self, message: str, timeout_ms: int = 0) -> None:
        self._shown = message
        self._bar.showMessage(message, timeout_ms)

    def end(self, *_: object) -> None:
        """The work ended: its message goes, if it is still the one shown."""
        if self._shown and self._bar.currentMessage() == self._shown:
            self._bar.clearMessage()
        self._shown = ""
