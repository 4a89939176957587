"""View ▸ Find Token…: find a token by its text, show it in the token strip, jump the heatmap to its row.

Works on the tokens along the large heatmap's query axis (a decoder's prompt and generated tokens, an
encoder-decoder's decoder tokens on the decoder's strip).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog

from attnlab.app.actions import ActionSpec
from attnlab.app.i18n import translate

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

FIND_SHORTCUT = "Ctrl+F"
AROUND = 32  # tokens shown on each side of a found token when the heatmap jumps to it


def find_token(tokens: Sequence[str], text: str, after: int = -1) -> int | None:
    """The first position after `after` (wrapping around) whose token contains `text`, ignoring case and the
    spaces around it; None when no token does."""
    wanted = text.strip().casefold()
    if not wanted or not tokens:
        return None
    count = len(tokens)
    for offset in range(1, count + 1):
        position = (after + offset) % count
        if wanted in tokens[position].casefold():
            return position
    return None


class TokenFinder:
    """Remembers the last search, so that finding the same text again moves on to the next match."""

    def __init__(self, window: MainWindow):
        self.window = window
        self.text = ""
        self.position = -1

    def find(self, text: str) -> int | None:
        """Find `text` after the last match; reveal it in the strip and the heatmap; say so in the status bar."""
        window = self.window
        queries = window.attention.query_labels()
        if queries is None:
            window.statusBar().showMessage(translate("TokenFinder", "Nothing to search yet: run a text first"), 4000)
            return None
        after = self.position if text == self.text else -1
        position = find_token(queries, text, after)
        self.text, self.position = text, -1 if position is None else position
        if position is None:
            message = translate("TokenFinder", "No token contains {0!r}").format(text.strip())
            window.statusBar().showMessage(message, 4000)
            return None
        self._reveal(position)
        message = translate("TokenFinder", "Token #{0}: {1!r}").format(position, queries[position])
        window.statusBar().showMessage(message, 4000)
        return position

    def _reveal(self, position: int) -> None:
        window = self.window
        window.attention.heatmap.reveal(position, AROUND)
        seq2seq = window.document.kind == "encoder-decoder"
        strip = window.decoder_strip if seq2seq and window.attention.picker.stack != "encoder" else window.token_strip
        strip.select_range(position, position)  # highlighted and scrolled into view


def add_token_find(window: MainWindow) -> TokenFinder:
    """View ▸ Find Token… (Ctrl+F): asks for a text, then finds it (again: the next match)."""
    finder = TokenFinder(window)

    def ask() -> None:
        text, ok = QInputDialog.getText(
            window, translate("token_find", "Find Token"), translate("token_find", "Token text:"), text=finder.text
        )
        if ok and text.strip():
            finder.find(text)

    tip = translate(
        "token_find", "Find a token by its text: the heatmap jumps to its row and the token strip scrolls to it"
    )
    spec = ActionSpec("findTokenAction", translate("token_find", "&Find Token…"), "viewMenu", ask, tip, FIND_SHORTCUT)
    action = window.action_registry.add(spec)
    action.setData(finder)
    return finder
