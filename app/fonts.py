"""A font for Chinese (and Japanese, Korean) text that arrives with the app.

Token text is often Chinese, and a machine without a CJK font draws every Han character as a
box. The `manimgx-fonts-cjk` distribution (a dependency) carries Noto Sans CJK as one `.ttc`
(SIL Open Font License 1.1); it is found through the installed distribution's file list, never
by importing the package, and registered only when the system has no font for Han characters.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QGuiApplication

FONT_DISTRIBUTION = "manimgx-fonts-cjk"
FALLBACK_FAMILY = "Noto Sans CJK SC"  # the Simplified Chinese face of the collection: Chinese glyph forms


def cjk_font_file() -> Path | None:
    """The bundled Noto Sans CJK collection, or None when the distribution is not installed."""
    try:
        files = distribution(FONT_DISTRIBUTION).files or []
    except PackageNotFoundError:
        return None
    for file in files:
        if file.name.lower().endswith((".ttc", ".otc")):
            path = Path(str(file.locate()))
            return path if path.is_file() else None
    return None


def system_has_han_font() -> bool:
    return bool(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def install_cjk_fallback(application: QGuiApplication) -> str | None:
    """Register the bundled CJK font when the system has none, and make it the application font's
    fallback (tokens, labels, text boxes and plot axes all start from the application font).

    Returns the family it installed, or None when fonts already cover Han characters (the
    system's, or this font from an earlier call) or the font is missing (Han characters then
    show as boxes; the app still runs).
    """
    if system_has_han_font():
        return None
    path = cjk_font_file()
    if path is None:
        return None
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return None
    family = FALLBACK_FAMILY if FALLBACK_FAMILY in families else families[0]
    font = QFont(application.font())
    primary = QFontInfo(font).family()  # the real family ("DejaVu Sans"), not an alias ("Sans Serif")
    font.setFamilies([primary, family])  # Latin text keeps the system's look; Han falls through to Noto
    application.setFont(font)
    return family
