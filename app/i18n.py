"""The interface language: English (the source strings), or Simplified Chinese.

Every user-visible string goes through Qt's translation (`self.tr`, `QCoreApplication.translate`).
The translations are kept in resources/i18n/attnlab_zh_CN.ts and compiled to the .qm shipped
beside it (`make translations`). The language follows the system locale unless the user picked
one (View ▸ Language, saved in the settings); a change applies when attnlab next starts, because
the window's strings are set once, when it is built.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}  # each in its own words: never translated
LANGUAGE_KEY = "ui/language"  # "" or missing: follow the system

_current = ""
_installed: list[QTranslator] = []  # kept alive while installed (Qt does not own them)


def system_language() -> str:
    return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def current_language() -> str:
    """The language the interface shows now ("en" or "zh_CN")."""
    return _current or system_language()


def set_current_language(language: str) -> None:
    """Say which language the interface shows (without loading translations: see install_language)."""
    global _current
    _current = language if language in LANGUAGES else ""


def chosen_language(settings: QSettings) -> str:
    """What the user picked in the settings ("" when they never did: follow the system)."""
    value = settings.value(LANGUAGE_KEY)
    return str(value) if value in LANGUAGES else ""


def save_language(settings: QSettings, language: str) -> None:
    settings.setValue(LANGUAGE_KEY, language if language in LANGUAGES else "")


def translation_file(language: str) -> Path | None:
    """The compiled translation shipped for `language` (package data), or None."""
    path = Path(str(files("attnlab.resources") / "i18n" / f"attnlab_{language}.qm"))
    return path if path.is_file() else None


def install_language(application: QCoreApplication, language: str) -> bool:
    """Translate the app (and Qt's own dialogs and buttons) into `language` from now on.

    Widgets built afterwards show it. English removes the translators. False when the
    translation file is missing (the interface then stays English).
    """
    for translator in _installed:
        application.removeTranslator(translator)
    _installed.clear()
    set_current_language(language)
    if language == "en" or language not in LANGUAGES:
        return language == "en"
    path = translation_file(language)
    ours = QTranslator()
    if path is None or not ours.load(str(path)):
        set_current_language("en")
        return False
    qt = QTranslator()
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        application.installTranslator(qt)
        _installed.append(qt)
    application.installTranslator(ours)
    _installed.append(ours)
    return True


translate = QCoreApplication.translate  # translate(context, text): lupdate reads calls of this name

# Titles kept in English in Qt-free modules (document.STACK_TITLES, colour_scale.SCALES, head_metrics), listed
# here for lupdate; `title` translates them where they are shown.
TITLES = (
    QT_TRANSLATE_NOOP("Titles", "encoder self-attention"),
    QT_TRANSLATE_NOOP("Titles", "decoder self-attention"),
    QT_TRANSLATE_NOOP("Titles", "cross-attention (decoder → encoder)"),
    QT_TRANSLATE_NOOP("Titles", "linear"),
    QT_TRANSLATE_NOOP("Titles", "log"),
    QT_TRANSLATE_NOOP("Titles", "per row"),
    # head_metrics.METRICS: titles and tips
    QT_TRANSLATE_NOOP("Titles", "previous token"),
    QT_TRANSLATE_NOOP("Titles", "Mean weight on the token just before the query"),
    QT_TRANSLATE_NOOP("Titles", "induction"),
    QT_TRANSLATE_NOOP(
        "Titles",
        "Mean weight on the tokens that followed earlier copies of the query's token, over "
        "the queries whose token appeared before (decoder only; — when no token repeats)",
    ),
    QT_TRANSLATE_NOOP("Titles", "probe induction"),
    QT_TRANSLATE_NOOP(
        "Titles",
        "Induction score on seeded random tokens repeated twice: near 1 for an induction "
        'head (press "Induction probe")',
    ),
    QT_TRANSLATE_NOOP("Titles", "sink"),
    QT_TRANSLATE_NOOP("Titles", "Mean weight on the first token (an attention sink)"),
    QT_TRANSLATE_NOOP("Titles", "self"),
    QT_TRANSLATE_NOOP("Titles", "Mean weight on the query's own token"),
    QT_TRANSLATE_NOOP("Titles", "entropy"),
    QT_TRANSLATE_NOOP("Titles", "How spread out a query's attention is: mean −Σ p log p, in nats"),
    QT_TRANSLATE_NOOP("Titles", "distance"),
    QT_TRANSLATE_NOOP("Titles", "How far a head looks: mean Σ p·|query − key|, in tokens"),
)


def title(text: str) -> str:
    """One of TITLES in the interface language."""
    return translate("Titles", text)
