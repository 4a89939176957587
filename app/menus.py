"""The window's menu bar: File, View, Learn and Help, each a named QMenu others add actions to.

Features declare their actions (app/actions.py: ActionSpec) in their own modules and add them to
the registry this module makes, by menu objectName (fileMenu, viewMenu, lessonsMenu, helpMenu);
this module only builds the bar and the actions that belong to no feature (open a text file,
quit, about).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from attnlab.app.actions import ActionRegistry, ActionSpec
from attnlab.app.i18n import translate

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

TEXT_FILE_LIMIT = 4 * 1024 * 1024  # bytes: a bigger .txt is refused with its size (the box would crawl)


def build_menus(window: MainWindow) -> ActionRegistry:
    """Create the four menus on `window`'s menu bar and the registry of their actions."""
    bar = window.menuBar()
    menus: dict[str, QMenu] = {}
    titles = (
        ("fileMenu", translate("menus", "&File")),
        ("viewMenu", translate("menus", "&View")),
        ("lessonsMenu", translate("menus", "&Learn")),
        ("helpMenu", translate("menus", "&Help")),
    )
    for name, title in titles:
        menu = bar.addMenu(title)
        menu.setObjectName(name)
        menus[name] = menu
    registry = ActionRegistry(window, menus)
    for spec in (
        ActionSpec(
            "openTextAction",
            translate("menus", "Open &Text File…"),
            "fileMenu",
            lambda: _open_text_file(window),
            translate("menus", "Load a .txt file as the text"),
            "Ctrl+Shift+O",
        ),
        ActionSpec(
            "quitAction",
            translate("menus", "&Quit"),
            "fileMenu",
            window.close,
            translate("menus", "Close attnlab"),
            QKeySequence.StandardKey.Quit,
            separator_before=True,
        ),
        ActionSpec(
            "aboutAction",
            translate("menus", "&About attnlab"),
            "helpMenu",
            lambda: show_about(window),
            translate("menus", "What attnlab is, and its version"),
        ),
    ):
        registry.add(spec)
    return registry


def make_action(parent: QObject, text: str, name: str, tip: str, shortcut: QKeySequence | None = None) -> QAction:
    """A named action whose tooltip and status tip say what it does."""
    action = QAction(text, parent)
    action.setObjectName(name)
    action.setStatusTip(tip)
    action.setToolTip(tip)
    if shortcut is not None:
        action.setShortcut(shortcut)
    return action


def read_text_file(path: Path) -> str:
    """The text of a .txt file; ValueError with a message that says what to do when it is not usable."""
    size = path.stat().st_size
    if size > TEXT_FILE_LIMIT:
        raise ValueError(
            translate(
                "menus", "{0} is {1:.1f} MB; attnlab opens text files up to {2:.0f} MB — open a part of it instead"
            ).format(path.name, size / 1e6, TEXT_FILE_LIMIT / 1e6)
        )
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            translate(
                "menus", "{0} is not UTF-8 text (byte {1} cannot be decoded): save it as UTF-8 and open it again"
            ).format(path.name, error.start)
        ) from None


def _open_text_file(window: MainWindow) -> None:
    name, _ = QFileDialog.getOpenFileName(
        window, translate("menus", "Open a text file"), "", translate("menus", "Text files (*.txt);;All files (*)")
    )
    if name:
        window.open_text_file(Path(name))


def show_about(window: MainWindow) -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("attnlab")
    except PackageNotFoundError:
        number = translate("menus", "(not installed)")
    QMessageBox.about(
        window,
        translate("menus", "About attnlab"),
        translate(
            "menus",
            "<b>attnlab</b> {0}<p>A desktop playground for looking inside transformer language "
            "models: step through generation, mask tokens, ablate heads and watch every attention head "
            "update.</p><p>Licensed under the Apache License 2.0.</p>",
        ).format(number),
    )
