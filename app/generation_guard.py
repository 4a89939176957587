"""Step, Run and a chosen candidate continue the prompt the engine holds: refused when that is
not the text in the box (it is blank, or the engine refused it), so that a generation never
silently continues the previous prompt and a session never pairs a new text with old tokens.

The engine thread refuses the same when a Step was queued behind an analysis that then failed
(NOT_ANALYSED); the window shows that in the status bar, leaving the real reason in the banner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

# An engine message (a template in app/engine_messages.py, translated there).
NOT_ANALYSED = "nothing to continue: the text was not analysed (the message above says why)"


def is_not_analysed(message: str) -> bool:
    return message in (NOT_ANALYSED, QCoreApplication.translate("EngineMessage", NOT_ANALYSED))


def refuse_to_continue(window: MainWindow) -> bool:
    """True, and a word to the user, when continuing now would continue another text than the box's."""
    info = window.document.info
    if info is None:
        return False  # the engine says "load a model"
    seq2seq = info.kind == "encoder-decoder"
    box = window.source_input if seq2seq else window.text_input
    if not box.toPlainText().strip():
        why = QCoreApplication.translate("Generation", "Nothing to continue: type a prompt first.")
        if seq2seq:
            why = QCoreApplication.translate("Generation", "Nothing to continue: type a source text first.")
    elif window.views_stale:
        why = QCoreApplication.translate(
            "Generation", "Nothing to continue: the text was refused (the message above says why); change it first."
        )
    else:
        return False
    if window.banner.level == "error":  # the reason stays where it is
        window.statusBar().showMessage(why, 8000)
    else:
        window._show_message(why, "info", origin="input")
    return True
