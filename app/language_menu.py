"""View ▸ Language: the interface language, saved in the settings; it applies at the next start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QActionGroup

from attnlab.app.i18n import LANGUAGES, chosen_language, save_language

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow


def add_language_menu(window: MainWindow) -> None:
    """A Language submenu in the View menu: follow the system, or one language."""
    menu = window.menus["viewMenu"].addMenu(QCoreApplication.translate("LanguageMenu", "&Language"))
    menu.setObjectName("languageMenu")
    menu.setToolTipsVisible(True)
    group = QActionGroup(menu)
    chosen = chosen_language(window.settings)
    for language, title in (("", QCoreApplication.translate("LanguageMenu", "System language")), *LANGUAGES.items()):
        action = menu.addAction(title)
        action.setObjectName(f"language_{language or 'system'}")
        action.setCheckable(True)
        action.setChecked(language == chosen)
        action.setToolTip(QCoreApplication.translate("LanguageMenu", "Takes effect when attnlab restarts"))
        action.triggered.connect(lambda _checked=False, picked=language: _choose(window, picked))
        group.addAction(action)


def _choose(window: MainWindow, language: str) -> None:
    save_language(window.settings, language)
    window.settings.sync()
    message = QCoreApplication.translate("LanguageMenu", "The language changes when attnlab restarts.")
    window.statusBar().showMessage(message, 10_000)
