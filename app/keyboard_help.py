"""Help ▸ Keyboard Shortcuts: every key the window answers to, in one table, read from where the keys
are defined (the generation bar's shortcuts, the action registry's actions, the attention views' keys)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from attnlab.app.actions import ActionSpec
from attnlab.app.attention_keys import HELP as VIEW_KEYS
from attnlab.app.i18n import translate
from attnlab.app.widgets.generation_bar import SHORTCUTS
from attnlab.app.widgets.token_strip import KEYS as STRIP_KEYS

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

GENERATION_TITLES = {  # translated where shown
    "step": QT_TRANSLATE_NOOP("keyboard_help", "Step: one token"),
    "run": QT_TRANSLATE_NOOP("keyboard_help", "Run: generate N tokens"),
    "stop": QT_TRANSLATE_NOOP("keyboard_help", "Stop a run"),
    "undo": QT_TRANSLATE_NOOP("keyboard_help", "Undo the last token"),
}


def shortcut_rows(window: MainWindow) -> list[tuple[str, str]]:
    """(keys, what they do), in the order the table shows them."""
    native = QKeySequence.SequenceFormat.NativeText
    rows = [
        (QKeySequence(keys).toString(native), translate("keyboard_help", str(GENERATION_TITLES[name])))
        for name, keys in SHORTCUTS.items()
    ]
    rows += window.action_registry.shortcut_rows()
    rows.append(
        (
            translate("keyboard_help", "Tab / Shift+Tab"),
            translate("keyboard_help", "next / previous control (also out of a text box)"),
        )
    )
    rows.extend(
        (translate("keyboard_help", str(keys)), translate("keyboard_help", str(what)))
        for keys, what in (*VIEW_KEYS, *STRIP_KEYS)
    )
    return rows


def add_keyboard_help(window: MainWindow) -> QAction:
    """Add Help ▸ Keyboard Shortcuts (F1) to `window`'s menus."""
    spec = ActionSpec(
        "shortcutsAction",
        translate("keyboard_help", "&Keyboard Shortcuts"),
        "helpMenu",
        lambda: show_keyboard_help(window),
        translate("keyboard_help", "List every keyboard shortcut"),
        QKeySequence.StandardKey.HelpContents,
        before="aboutAction",
    )
    return window.action_registry.add(spec)


def show_keyboard_help(window: MainWindow) -> None:
    body = "".join(
        f"<tr><td><b>{escape(keys)}</b>&nbsp;&nbsp;</td><td>{escape(what)}</td></tr>"
        for keys, what in shortcut_rows(window)
    )
    title = translate("keyboard_help", "Keyboard shortcuts")
    box = QMessageBox(
        QMessageBox.Icon.NoIcon, title, f"<table>{body}</table>", QMessageBox.StandardButton.Close, window
    )
    box.setObjectName("shortcutsDialog")
    box.open()
