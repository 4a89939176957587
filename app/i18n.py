"""The interface language: English, or Simplified Chinese when the system locale is Chinese."""

from __future__ import annotations

from PySide6.QtCore import QLocale

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}


def system_language() -> str:
    return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def current_language() -> str:
    """The language the interface shows now ("en" or "zh_CN")."""
    return _current or system_language()


_current = ""


def set_current_language(language: str) -> None:
    global _current
    _current = language if language in LANGUAGES else ""
