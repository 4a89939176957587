"""Real mouse events on the token strip's painted chips: at the chip's rectangle, scrolled into view."""

from __future__ import annotations

from PySide6.QtCore import Qt

from attnlab.app.widgets.token_strip import TokenStrip


def click_token(
    qtbot,
    strip: TokenStrip,
    position: int,
    button: Qt.MouseButton = Qt.MouseButton.LeftButton,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """Press and release `button` at the middle of the chip at `position`, as a user would."""
    strip.scroll_to(position)
    rect = strip.chip_rect(position)
    assert strip.viewport().rect().contains(rect), f"token {position} is not in view at {rect}"
    qtbot.mouseClick(strip.viewport(), button, modifier, rect.center())


def hover_token(qtbot, strip: TokenStrip, position: int) -> None:
    strip.scroll_to(position)
    qtbot.mouseMove(strip.viewport(), strip.chip_rect(position).center())
