"""Help ▸ Keyboard Shortcuts: every key the window answers to, in one table, read from where the keys
are defined (the generation bar's shortcuts, the menus' actions, the attention views' keys)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

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
    for menu in window.menus.values():
        for action in menu.actions():
            if not action.shortcut().isEmpty():
                rows.append((action.shortcut().toString(native), action.text().replace("&", "").rstrip("…")))
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
    action = QAction(translate("keyboard_help", "&Keyboard Shortcuts"), window)
    action.setObjectName("shortcutsAction")
    action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    action.setToolTip(translate("keyboard_help", "List every keyboard shortcut"))
    action.setStatusTip(action.toolTip())
    action.triggered.connect(lambda: show_keyboard_help(window))
    help_menu = window.menus["helpMenu"]
    help_menu.insertAction(help_menu.actions()[0] if help_menu.actions() else None, action)  # type: ignore[arg-type]  # None appends
    return action


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
