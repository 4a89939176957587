"""The token strip: every token of the text as a chip; click to mask it, right-click for the other kinds.

Chips are painted, not widgets: a 10,000-token document would need 10,000 widgets. One scroll area
lays the chips out in rows like words (WordWrap, from their text widths), paints only the rows in
view, and finds the chip under the mouse from its position. Positions count tokens after tokenisation
(specials included), the positions masks refer to; generated tokens continue the numbering, and the
kinds of mark they take are set apart (a decoder's can be knocked out, nothing turns them into [MASK]).

The chip at a position is `strip.chip(i)` (what it shows) at `strip.chip_rect(i)` (where, in the
viewport); a press and release on it is a click, a drag or a shift-click selects a range of tokens
(`range_selected`), and the keyboard moves a current token (arrows, Home/End, Space to click, Shift to
extend the range, the menu key for its menu).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleEvent,
    QColor,
    QContextMenuEvent,
    QFocusEvent,
    QFont,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QMenu, QToolTip, QWidget

from attnlab.app.document import changed_a_lot
from attnlab.app.i18n import translate
from attnlab.app.token_text import display_text, looks_special
from attnlab.app.widgets.flow_layout import WordWrap

MAX_GROWN_HEIGHT = 160  # the strip grows with its rows up to this height, then scrolls
KIND_TITLES = {  # translated where shown (TokenStrip's context)
    "mask": QT_TRANSLATE_NOOP("TokenStrip", "Replace with [MASK]"),
    "knockout": QT_TRANSLATE_NOOP("TokenStrip", "Knock out of attention"),
}

KEYS = (  # the strip's keys, for Help ▸ Keyboard Shortcuts (translated there, context "keyboard_help")
    (
        QT_TRANSLATE_NOOP("keyboard_help", "Arrow keys, Home / End"),
        QT_TRANSLATE_NOOP("keyboard_help", "token strip: move to another token (Shift: select a range of tokens)"),
    ),
    (
        QT_TRANSLATE_NOOP("keyboard_help", "Space / Enter"),
        QT_TRANSLATE_NOOP("keyboard_help", "token strip: click the token (mask, knock out, or its candidates)"),
    ),
    (
        QT_TRANSLATE_NOOP("keyboard_help", "Menu / Shift+F10"),
        QT_TRANSLATE_NOOP("keyboard_help", "token strip: the token's menu"),
    ),
)

# (background, border, text) per state
COLORS = {
    "": ("#f7f7f7", "#c4c4c4", "#1e1e1e"),
    "generated": ("#e3f2fd", "#64b5f6", "#0d3c61"),
    "special": ("#f7f7f7", "#c4c4c4", "#7a7a7a"),
    "mask": ("#ffe0b2", "#e65100", "#4e2600"),
    "knockout": ("#eeeeee", "#c62828", "#9e9e9e"),
}
PAD_X, PAD_Y = 5, 2
SPACING, MARGIN = 3, 4  # between chips; around them
BAR = 3  # height of the probability bar at a generated chip's bottom
BAR_COLOR = "#1e88e5"
CHANGED_COLOR = "#d81b60"  # bar and outline of a token whose probability changed a lot since it was generated
SELECTED_COLOR = "#263238"
RANGE_COLOR = "#90caf9"  # behind the tokens of the selected range
LOADING_OPACITY = 0.55  # the tokenizer's tokens, before the model is there


@dataclass(frozen=True)
class TokenChip:
    """What the chip at one position shows: a snapshot (ask the strip again after a change)."""

    position: int
    token: str
    text: str  # as drawn: whitespace made visible, long tokens cut
    generated: bool
    special: bool
    mark: str  # "" | "mask" | "knockout"
    prob_now: float | None  # a generated token's probability under the current masks
    prob_then: float | None  # ... when it was generated
    prob_reference: float | None  # its probability at this position in a pinned reference run
    selected: bool  # the generated token whose candidates are shown
    in_range: bool  # inside the range the user selected
    enabled: bool  # False while the tokens are the tokenizer's alone
    tooltip: str = ""
    score: float | None = None  # the score the strip is coloured by (attribution), None: not coloured
    score_scale: float = 1.0  # |score| at which the colour saturates

    @property
    def name(self) -> str:
        return f"token_{self.position}"

    @property
    def changed(self) -> bool:
        return changed_a_lot(self.prob_now, self.prob_then)

    @property
    def state(self) -> str:
        return self.mark or ("generated" if self.generated else "special" if self.special else "")


def paint_chip(painter: QPainter, rect: QRect, chip: TokenChip, font: QFont) -> None:
    """One chip in `rect`: a rounded box in its state's colours, a generated token's probability bar
    (a pale track as long as when it was generated), its text in `font` styled by its mark."""
    background, border, ink = COLORS[chip.state]
    if chip.score is not None:
        background = score_colour(chip.score, chip.score_scale).name()
    changed = chip.changed
    if chip.selected:
        border = SELECTED_COLOR
    elif changed:
        border = CHANGED_COLOR
    pen = QPen(QColor(border))
    pen.setStyle(Qt.PenStyle.DashLine if chip.mark == "mask" else Qt.PenStyle.SolidLine)
    pen.setWidthF(2.0 if chip.selected or changed else 1.0)
    painter.setPen(pen)
    painter.setBrush(QColor(background))
    inset = pen.widthF() / 2
    painter.drawRoundedRect(QRectF(rect).adjusted(inset, inset, -inset, -inset), 3, 3)
    if chip.generated and chip.prob_now is not None:
        span = rect.width() - 4
        top = rect.y() + rect.height() - BAR - 1.5
        colour = QColor(CHANGED_COLOR if changed else BAR_COLOR)
        if chip.prob_then is not None:
            track = QColor(colour)
            track.setAlphaF(0.25)
            painter.fillRect(QRectF(rect.x() + 2, top, max(span * min(1.0, chip.prob_then), 1.0), BAR), track)
        width = span * max(0.0, min(1.0, chip.prob_now))
        painter.fillRect(QRectF(rect.x() + 2, top, max(width, 1.0), BAR), colour)
    font = QFont(font)
    font.setItalic(chip.special)
    font.setBold(chip.mark == "mask")
    font.setStrikeOut(chip.mark == "knockout")
    painter.setFont(font)
    painter.setPen(QColor(ink))
    painter.drawText(rect.adjusted(0, 0, 0, -BAR if chip.generated else 0), Qt.AlignmentFlag.AlignCenter, chip.text)


def score_colour(value: float, scale: float) -> QColor:
    """Diverging: blue (negative) through white to red (positive), saturated at ±scale."""
    t = max(-1.0, min(1.0, value / scale)) if scale > 0 and math.isfinite(value) else 0.0
    far = (178, 24, 43) if t > 0 else (33, 102, 172)
    return QColor(*(round(255 + (f - 255) * abs(t)) for f in far))


class TokenStrip(QAbstractScrollArea):
    """Shows tokens as chips; emits mark_requested(position, kind) with kind "mask", "knockout" or ""."""

    _held_height: int | None = None  # see hold_height

    mark_requested = Signal(int, str)
    token_selected = Signal(int)  # a generated token's position, or -1: the user clicked elsewhere
    regenerate_requested = Signal(int)  # a generated token's position
    range_selected = Signal(int, int)  # first, last position (inclusive) of tokens the user selected
    corrupt_requested = Signal(int)  # the token's menu ▸ Corrupt with…: patch against noise on it

    def __init__(self, parent: QWidget | None = None, name: str = "tokenStrip"):
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.setAccessibleName(self.tr("Tokens"))
        self._wrap = WordWrap(SPACING, MARGIN)
        self._tokens: list[tuple[str, bool]] = []  # (token, generated) per position
        self._texts: list[str] = []  # as drawn
        self._widths: list[int] = []
        self._advances: dict[str, int] = {}  # character -> its width in the viewport's font
        self._height = 0  # of an input chip; a generated one has the bar below
        self._inputs = 0  # positions before this are input tokens, the rest generated
        self._click_kind: str | None = None
        self._kinds: tuple[str, ...] = ()
        self._unavailable: dict[str, str] = {}  # kind -> why its menu action is greyed ("" or absent: no reason)
        self._generated_kinds: tuple[str, ...] = ()
        self._marks: dict[int, str] = {}
        self._probs: list[tuple[float | None, float | None]] = []
        self._reference: dict[int, float] = {}
        self._scores: dict[int, float] = {}  # position -> score the chips are coloured by
        self._score_label = ""
        self._selected: int | None = None
        self._range: tuple[int, int] | None = None
        self._current = -1  # the keyboard's token
        self._anchor = -1  # where a shift-click or shift-arrow range starts
        self._pressed: int | None = None  # the chip under a left press, until it is released
        self._dragged = False
        self._loading = False
        self._loading_rect = QRect()  # the "loading the model…" note after the last chip (content coordinates)
        self._measure()
        # Follow generation: while the view is at the bottom, new chips keep it at the bottom;
        # once the user scrolls up, it stays where they put it until they scroll back down.
        self._follow = True
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)

    # -- configuration -----------------------------------------------------------------------

    def set_kinds(self, click_kind: str | None, kinds: Sequence[str], generated_kinds: Sequence[str] = ()) -> None:
        """What a left click does (None: nothing) and which kinds the context menu offers,
        on input tokens and on generated ones."""
        self._click_kind, self._kinds, self._generated_kinds = click_kind, tuple(kinds), tuple(generated_kinds)

    def set_unavailable(self, kind: str, reason: str) -> None:
        """Why the menu's `kind` action is greyed (its tooltip); "" says nothing."""
        self._unavailable[kind] = reason

    def set_tokens(self, tokens: Sequence[str], generated: Sequence[str] = ()) -> None:
        """Show `tokens` (maskable) followed by `generated` ones; measures and lays out only from the
        first token that changed."""
        wanted = [(t, False) for t in tokens] + [(t, True) for t in generated]
        same, limit = 0, min(len(wanted), len(self._tokens))
        while same < limit and wanted[same] == self._tokens[same]:
            same += 1
        new = wanted[same:]
        texts = [display_text(token, limit=40) for token, _ in new]
        advance, pad = self._advance, 2 * PAD_X + 2
        self._tokens[same:] = new
        self._texts[same:] = texts
        self._widths[same:] = [advance(text) + pad for text in texts]
        self._inputs = len(tokens)
        count = len(wanted)
        self._current = min(self._current, count - 1)
        self._anchor = min(self._anchor, count - 1)
        if self._range is not None and self._range[1] >= count:
            self._range = None
        self._lay_out(same)

    @property
    def loading(self) -> bool:
        """The tokens are the tokenizer's alone: greyed, not clickable, marked "loading" until the model is there."""
        return self._loading

    def set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self._lay_out(len(self._tokens))

    def set_probabilities(self, probs: Sequence[tuple[float | None, float | None]]) -> None:
        """(now, when generated) per generated token, in order."""
        self._probs = list(probs)
        self.viewport().update()

    def set_reference_probabilities(self, probs: dict[int, float]) -> None:
        """position -> the token's probability there in a pinned reference run (shown in the tooltips)."""
        self._reference = dict(probs)

    def set_scores(self, scores: dict[int, float], label: str = "") -> None:
        """Colour the chips by a score per position (diverging, scaled to the largest |score|; the value on
        hover under `label`); an empty dict: plain chips again."""
        self._scores, self._score_label = dict(scores), label
        self.viewport().update()

    def set_selected(self, position: int | None) -> None:
        """Outline the generated token whose candidates are shown (None: none)."""
        self._selected = position
        self.viewport().update()

    def set_marks(self, marks: dict[int, str]) -> None:
        """position -> "mask" | "knockout"; positions not named are unmarked."""
        self._marks = dict(marks)
        self.viewport().update()

    def select_range(self, first: int, last: int) -> None:
        """Highlight tokens first..last and scroll `last` into view (as a program: no signal)."""
        count = len(self._tokens)
        if not count:
            return
        first, last = sorted((max(0, min(first, count - 1)), max(0, min(last, count - 1))))
        self._range = (first, last)
        self._anchor, self._current = first, last
        self.scroll_to(last)
        self._describe_current()
        self.viewport().update()

    # -- reading -----------------------------------------------------------------------------

    def count(self) -> int:
        return len(self._tokens)

    def chip(self, position: int) -> TokenChip | None:
        """What the chip at `position` shows, tooltip included; None past the tokens."""
        if not 0 <= position < len(self._tokens):
            return None
        chip = self._chip(position)
        return replace(chip, tooltip=self._tooltip(chip))

    def chip_rect(self, position: int) -> QRect:
        """Where the chip at `position` is, in the viewport's coordinates (off it when scrolled away)."""
        return self._content_rect(position).translated(0, -self.verticalScrollBar().value())

    def position_at(self, point: QPoint) -> int | None:
        """The position of the chip at `point` in the viewport's coordinates, or None between chips."""
        y = point.y() + self.verticalScrollBar().value() - MARGIN
        if y < 0:
            return None
        row = y // self._pitch()
        position = self._wrap.at(row, point.x(), self._widths)
        if position is None or y - row * self._pitch() >= self._chip_height(position):
            return None
        return position

    def selection(self) -> tuple[int, int] | None:
        """(first, last) of the highlighted range, or None."""
        return self._range

    def current(self) -> int:
        """The keyboard's token (-1: none yet)."""
        return self._current

    def tokens(self) -> list[str]:
        return [t for t, _ in self._tokens]

    def mark(self, position: int) -> str:
        return self._marks.get(position, "")

    def kinds_at(self, position: int) -> tuple[str, ...]:
        """The kinds of mark the token at `position` can take."""
        return self._kinds if position < self._inputs else self._generated_kinds

    def menu_for(self, position: int) -> QMenu:
        """The context menu of one chip (tests trigger its actions directly)."""
        menu = QMenu(self)
        allowed = self.kinds_at(position)
        current = self._marks.get(position, "")
        menu.setToolTipsVisible(True)  # a greyed action says why it is greyed
        for kind in ("mask", "knockout"):
            action = menu.addAction(self.tr(str(KIND_TITLES[kind])))
            action.setObjectName(f"action_{kind}")
            action.setCheckable(True)
            action.setChecked(current == kind)
            action.setEnabled(kind in allowed)
            if kind not in allowed and self._unavailable.get(kind):
                action.setToolTip(self._unavailable[kind])
            toggled = "" if current == kind else kind
            action.triggered.connect(lambda _=False, k=toggled: self.mark_requested.emit(position, k))
        menu.addSeparator()
        clear = menu.addAction(self.tr("Clear"))
        clear.setObjectName("action_clear")
        clear.setEnabled(bool(current))
        clear.triggered.connect(lambda: self.mark_requested.emit(position, ""))
        if position >= self._inputs and not allowed:
            menu.addSeparator()
            menu.addAction(self.tr("Generated tokens cannot be masked")).setEnabled(False)
        if position >= self._inputs:
            menu.addSeparator()
            again = menu.addAction(self.tr("Regenerate from here"))
            again.setObjectName("action_regenerate")
            again.setToolTip(
                self.tr("Undo back to before this token and generate one token again, under the current masks")
            )
            again.triggered.connect(lambda: self.regenerate_requested.emit(position))
        menu.addSeparator()
        corrupt = menu.addAction(self.tr("Corrupt with…"))
        corrupt.setObjectName("action_corrupt")
        corrupt.setToolTip(self.tr("Activation patching: add noise to this token's embedding in the corrupted run"))
        corrupt.triggered.connect(lambda: self.corrupt_requested.emit(position))
        menu.addSeparator()
        show = menu.addAction(self.tr("Show in the heatmap"))
        show.setObjectName("action_show")
        show.setToolTip(self.tr("Select this token (or the selected range it is in) and show its rows in the heatmap"))
        show.triggered.connect(lambda: self._select_around(position))
        menu.setToolTipsVisible(True)
        return menu

    # -- layout ------------------------------------------------------------------------------

    def _measure(self) -> None:
        """Chip sizes come from the viewport's font: measured again when it changes."""
        metrics = self.viewport().fontMetrics()
        self._advances.clear()
        self._height = metrics.height() + 2 * PAD_Y + 2
        self._widths = [self._advance(text) + 2 * PAD_X + 2 for text in self._texts]

    def _advance(self, text: str) -> int:
        """The text's width as the sum of its characters' (each measured once): shaping every text of a long
        document costs ~10 µs a token; the sum may differ from the shaped width by a pixel or two, which the
        chip's padding takes."""
        try:
            return sum(map(self._advances.__getitem__, text))
        except KeyError:  # a character not seen yet
            metrics = self.viewport().fontMetrics()
            for char in set(text) - self._advances.keys():
                self._advances[char] = metrics.horizontalAdvance(char)
            return sum(map(self._advances.__getitem__, text))

    def _chip_height(self, position: int) -> int:
        return self._height + (BAR if self._tokens[position][1] else 0)

    def _pitch(self) -> int:
        """From one row's top to the next: all rows are as tall as a generated chip once there is one."""
        return self._height + (BAR if len(self._tokens) > self._inputs else 0) + SPACING

    def _available(self) -> int:
        """The width to lay out in: the viewport's, less the scroll bar's even while it is hidden, so that
        the bar appearing never moves the chips (nor makes them need it no more)."""
        bar = self.verticalScrollBar()
        return max(1, self.viewport().width() - (0 if bar.isVisibleTo(self) else bar.sizeHint().width()))

    def _lay_out(self, start: int) -> None:
        """Place chips from `start` on (all of them when the width changed), then the loading note."""
        wrap = self._wrap
        wrap.lay_out(self._widths, self._available(), start)
        self._loading_rect = QRect()
        if self._loading:
            width = self.viewport().fontMetrics().horizontalAdvance(self.tr("loading the model…")) + 2 * PAD_X
            x, row = wrap.end(self._widths)
            if x + width > wrap.available - MARGIN and x > MARGIN:
                x, row = MARGIN, row + 1
            self._loading_rect = QRect(x, MARGIN + row * self._pitch(), width, self._height)
        self._update_scroll()
        self.viewport().update()
        self.updateGeometry()  # the strip grows with its rows, up to MAX_GROWN_HEIGHT

    def _content_height(self) -> int:
        rows = self._wrap.row_count()
        bottom = MARGIN + rows * self._pitch() - SPACING if rows else MARGIN
        if self._loading:
            bottom = max(bottom, self._loading_rect.bottom() + 1)
        return bottom + MARGIN

    def _content_rect(self, position: int) -> QRect:
        return QRect(
            self._wrap.xs[position],
            MARGIN + self._wrap.rows[position] * self._pitch(),
            self._widths[position],
            self._chip_height(position),
        )

    def _update_scroll(self) -> None:
        bar, view = self.verticalScrollBar(), self.viewport().height()
        bar.setPageStep(view)
        bar.setSingleStep(self._pitch())
        bar.setRange(0, max(0, self._content_height() - view))

    def scroll_to(self, position: int) -> None:
        """Scroll the least that shows the chip at `position` whole."""
        if not 0 <= position < len(self._tokens):
            return
        rect, bar = self._content_rect(position), self.verticalScrollBar()
        view = self.viewport().height()
        if rect.top() - MARGIN < bar.value():
            bar.setValue(rect.top() - MARGIN)
        elif rect.bottom() + 1 + MARGIN > bar.value() + view:
            bar.setValue(rect.bottom() + 1 + MARGIN - view)

    def hold_height(self, held: bool) -> None:
        """While held (a Run), the strip keeps its height and scrolls, so the Step/Run/Stop buttons under it
        stay where the pointer is; released, it grows with its rows again."""
        self._held_height = self.height() if held else None
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        if self._held_height is not None:
            return QSize(super().sizeHint().width(), self._held_height)
        content = self._content_height() + 2 * self.frameWidth()
        return QSize(super().sizeHint().width(), max(self.minimumHeight(), min(content, MAX_GROWN_HEIGHT)))

    # -- what a chip shows -------------------------------------------------------------------

    def _chip(self, position: int) -> TokenChip:
        token, generated = self._tokens[position]
        now = then = None
        if generated and position - self._inputs < len(self._probs):
            now, then = self._probs[position - self._inputs]
        low, high = self._range if self._range is not None else (1, 0)
        return TokenChip(
            position,
            token,
            self._texts[position],
            generated,
            looks_special(token),
            self._marks.get(position, ""),
            now,
            then,
            self._reference.get(position),
            generated and position == self._selected,
            low <= position <= high,
            not self._loading,
            score=self._scores.get(position),
            score_scale=max((abs(v) for v in self._scores.values() if math.isfinite(v)), default=1.0) or 1.0,
        )

    def _tooltip(self, chip: TokenChip) -> str:
        state = {
            "mask": translate("TokenChip", " · masked with [MASK]"),
            "knockout": translate("TokenChip", " · knocked out of attention"),
        }.get(chip.mark, "")
        origin = translate("TokenChip", " · generated") if chip.generated else ""
        prob = ""
        if chip.prob_now is not None:
            prob = translate("TokenChip", "\np = {0:.1%} now").format(chip.prob_now)
            if chip.prob_then is not None:
                prob += translate("TokenChip", ", {0:.1%} when generated").format(chip.prob_then)
        if chip.prob_reference is not None:
            shown = (
                translate("TokenChip", ", {0:.1%} in the reference")
                if prob
                else translate("TokenChip", "\np = {0:.1%} in the reference")
            )
            prob += shown.format(chip.prob_reference)
        if chip.score is not None:
            prob += translate("TokenChip", "\n{0}: {1:.4f}").format(self._score_label, chip.score)
        hint = ""
        if chip.generated:
            hint = translate("TokenChip", "\nclick: its candidates · right-click: knock out, regenerate from here")
        return f"#{chip.position} {chip.token!r}{origin}{state}{prob}{hint}"

    def _clickable(self, position: int) -> bool:
        generated = self._tokens[position][1]
        return not self._loading and (generated or self._click_kind in self.kinds_at(position))

    # -- painting ----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override: the viewport's
        offset = self.verticalScrollBar().value()
        exposed = event.rect().translated(0, offset)
        pitch = self._pitch()
        shown = self._wrap.items_in((exposed.top() - MARGIN) // pitch, (exposed.bottom() - MARGIN) // pitch)
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(0, -offset)
        font = self.viewport().font()
        if self._range is not None:
            low, high = self._range
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(RANGE_COLOR))
            for position in range(max(low, shown.start), min(high + 1, shown.stop)):
                painter.drawRoundedRect(QRectF(self._content_rect(position)).adjusted(-2, -2, 2, 2), 4, 4)
        if self._loading:
            painter.setOpacity(LOADING_OPACITY)
        for position in shown:
            paint_chip(painter, self._content_rect(position), self._chip(position), font)
        painter.setOpacity(1.0)
        if self.hasFocus() and 0 <= self._current < len(self._tokens):
            pen = QPen(QColor(SELECTED_COLOR))
            pen.setStyle(Qt.PenStyle.DotLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(self._content_rect(self._current)).adjusted(-1.5, -1.5, 1.5, 1.5))
        if self._loading:
            italic = QFont(font)
            italic.setItalic(True)
            painter.setFont(italic)
            painter.setPen(QColor("#7a7a7a"))
            painter.drawText(self._loading_rect, Qt.AlignmentFlag.AlignCenter, self.tr("loading the model…"))

    # -- events ------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self._available() != self._wrap.available:
            self._lay_out(0)
        else:
            self._update_scroll()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._measure()
            self._lay_out(0)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt override: tooltips per chip
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            position = self.position_at(event.pos())
            if position is not None:
                QToolTip.showText(
                    event.globalPos(), self._tooltip(self._chip(position)), self.viewport(), self.chip_rect(position)
                )
            elif self._loading and self._loading_rect.translated(0, -self.verticalScrollBar().value()).contains(
                event.pos()
            ):
                QToolTip.showText(
                    event.globalPos(),
                    self.tr(
                        "These tokens come from the model's tokenizer alone: attention follows once the model is loaded"
                    ),
                    self.viewport(),
                )
            elif self.toolTip():
                QToolTip.showText(event.globalPos(), self.toolTip(), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        self.viewport().update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        position = self.position_at(event.position().toPoint())
        self._pressed, self._dragged = None, False
        if position is None:  # between chips
            self.token_selected.emit(-1)
        elif event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self._anchor >= 0:
            self._select(self._anchor, position)
        else:
            self._pressed = position
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        position = self.position_at(event.position().toPoint())
        if self._pressed is not None and event.buttons() & Qt.MouseButton.LeftButton:
            if position is not None and (self._dragged or position != self._pressed):
                self._dragged = True
                low, high = sorted((self._pressed, position))
                self._range = (low, high)
                self.viewport().update()
            return
        clickable = position is not None and self._clickable(position)
        cursor = Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor
        if self.viewport().cursor().shape() != cursor:
            self.viewport().setCursor(cursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pressed, self._pressed = self._pressed, None
        if pressed is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        if self._dragged and self._range is not None:
            self._select(pressed, self._range[1] if self._range[0] == pressed else self._range[0])
        elif self.position_at(event.position().toPoint()) == pressed:
            self._set_current(pressed)
            self._anchor = pressed
            self._click(pressed)
        event.accept()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        position = self.position_at(event.pos())
        if position is not None and not self._loading:
            self._set_current(position)
            self._popup(position, event.globalPos())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        count, key = len(self._tokens), event.key()
        if not count:
            super().keyPressEvent(event)
            return
        current = max(self._current, 0)
        rows_in_view = max(1, self.viewport().height() // self._pitch())
        moves: dict[int, Callable[[], int]] = {
            Qt.Key.Key_Left: lambda: current - 1,
            Qt.Key.Key_Right: lambda: current + 1,
            Qt.Key.Key_Up: lambda: self._row_step(current, -1),
            Qt.Key.Key_Down: lambda: self._row_step(current, 1),
            Qt.Key.Key_PageUp: lambda: self._row_step(current, -rows_in_view),
            Qt.Key.Key_PageDown: lambda: self._row_step(current, rows_in_view),
            Qt.Key.Key_Home: lambda: 0,
            Qt.Key.Key_End: lambda: count - 1,
        }
        if key in moves:
            target = max(0, min(count - 1, moves[key]()))
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self._select(self._anchor if self._anchor >= 0 else current, target)
            else:
                self._anchor = target
                self._set_current(target)
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._current >= 0:
            if not self._loading:
                self._click(self._current)
        elif (
            key == Qt.Key.Key_Menu or (key == Qt.Key.Key_F10 and event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        ) and self._current >= 0:
            if not self._loading:
                rect = self.chip_rect(self._current)
                self._popup(self._current, self.viewport().mapToGlobal(rect.bottomLeft()))
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        if self._current < 0 and self._tokens:
            shown = self._wrap.items_in(self.verticalScrollBar().value() // self._pitch(), len(self._tokens))
            self._current = shown.start if shown else 0
        self._describe_current()
        self.viewport().update()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.viewport().update()

    # -- what the user did -------------------------------------------------------------------

    def _row_step(self, position: int, rows: int) -> int:
        """The token `rows` rows down (up when negative) nearest the middle of the one at `position`."""
        wrap = self._wrap
        row = max(0, min(wrap.row_count() - 1, wrap.rows[position] + rows))
        middle = wrap.xs[position] + self._widths[position] // 2
        items = wrap.items_in(row, row)
        return min(items, key=lambda i: abs(wrap.xs[i] + self._widths[i] // 2 - middle))

    def _set_current(self, position: int) -> None:
        self._current = position
        self.scroll_to(position)
        self._describe_current()
        self.viewport().update()

    def _describe_current(self) -> None:
        """Screen readers read the current token as the strip's description."""
        if 0 <= self._current < len(self._tokens):
            self.setAccessibleDescription(self._tooltip(self._chip(self._current)))
            if QAccessible.isActive():
                QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.DescriptionChanged))

    def _select(self, first: int, last: int) -> None:
        """The user selected tokens first..last (in either order): highlight them and say so."""
        self._range = (min(first, last), max(first, last))
        self._anchor = first
        self._set_current(last)
        self.range_selected.emit(*self._range)

    def _select_around(self, position: int) -> None:
        low, high = self._range if self._range is not None else (1, 0)
        if low <= position <= high:
            self.range_selected.emit(low, high)
        else:
            self._select(position, position)

    def _click(self, position: int) -> None:
        if position >= self._inputs:  # a generated token: show what it was chosen from
            self.token_selected.emit(position)
            return
        if self._click_kind not in self.kinds_at(position):
            return
        current = self._marks.get(position, "")
        self.mark_requested.emit(position, "" if current else self._click_kind)

    def _popup(self, position: int, global_pos: QPoint) -> None:
        menu = self.menu_for(position)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(global_pos)

    def _on_scrolled(self, value: int) -> None:
        self._follow = value >= self.verticalScrollBar().maximum()

    def _on_range_changed(self, _low: int, high: int) -> None:
        if self._follow:
            self.verticalScrollBar().setValue(high)
