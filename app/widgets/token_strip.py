"""The token strip: one chip per token; click to mask it, right-click for the other kinds.

Chips are named `token_<i>` by their position after tokenisation (specials included), the
position masks refer to. Generated tokens continue the numbering; which kinds of mark they
take is set apart (a decoder's can be knocked out, nothing can turn them into [MASK]).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QContextMenuEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QMenu, QScrollArea, QWidget

from app.document import changed_a_lot
from app.token_text import display_text, looks_special
from app.widgets.flow_layout import FlowLayout

MAX_GROWN_HEIGHT = 160  # the strip grows with its chips up to this height, then scrolls
MAX_CHIPS = 2000  # a huge paste would need tens of thousands of widgets
KIND_TITLES = {  # translated where shown (TokenStrip's context)
    "mask": QT_TRANSLATE_NOOP("TokenStrip", "Replace with [MASK]"),
    "knockout": QT_TRANSLATE_NOOP("TokenStrip", "Knock out of attention"),
}

# (background, border, text) per state; chips paint themselves: a style sheet per chip made
# adding one cost milliseconds, which a fast run cannot afford.
COLORS = {
    "": ("#f7f7f7", "#c4c4c4", "#1e1e1e"),
    "generated": ("#e3f2fd", "#64b5f6", "#0d3c61"),
    "special": ("#f7f7f7", "#c4c4c4", "#7a7a7a"),
    "mask": ("#ffe0b2", "#e65100", "#4e2600"),
    "knockout": ("#eeeeee", "#c62828", "#9e9e9e"),
}
PAD_X, PAD_Y = 5, 2
BAR = 3  # height of the probability bar at a generated chip's bottom
BAR_COLOR = "#1e88e5"
CHANGED_COLOR = "#d81b60"  # bar and outline of a token whose probability changed a lot since it was generated
SELECTED_COLOR = "#263238"


class TokenChip(QWidget):
    """One token; named token_<i>. mark: "" | "mask" | "knockout"."""

    clicked = Signal(int)
    menu_requested = Signal(int, object)  # position, global QPoint

    def __init__(self, position: int, token: str, generated: bool, parent: QWidget):
        super().__init__(parent)
        self.position = position
        self.mark = ""
        self.prob_now: float | None = None
        self.prob_then: float | None = None
        self.prob_reference: float | None = None  # its probability at this position in a pinned reference run
        self.selected = False
        self.setObjectName(f"token_{position}")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        self.set_token(token, generated)

    def set_token(self, token: str, generated: bool) -> None:
        self.token = token
        self.generated = generated
        self.special = looks_special(token)
        self._text = display_text(token, limit=40)
        metrics = self.fontMetrics()
        extra = BAR if generated else 0
        self._size = QSize(
            metrics.horizontalAdvance(self._text) + 2 * PAD_X + 2, metrics.height() + 2 * PAD_Y + 2 + extra
        )
        self._update_tooltip()
        self.updateGeometry()
        self.update()

    def text(self) -> str:
        return self._text

    def set_mark(self, mark: str) -> None:
        if self.mark != mark:
            self.mark = mark
            self._update_tooltip()
            self.update()

    def set_probability(self, now: float | None, then: float | None) -> None:
        """The token's probability now and when it was generated: a bar (now) and, when the two
        differ a lot, the bar and outline in another colour."""
        if (now, then) != (self.prob_now, self.prob_then):
            self.prob_now, self.prob_then = now, then
            self._update_tooltip()
            self.update()

    def set_reference_probability(self, reference: float | None) -> None:
        if reference != self.prob_reference:
            self.prob_reference = reference
            self._update_tooltip()

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self.update()

    @property
    def changed(self) -> bool:
        return changed_a_lot(self.prob_now, self.prob_then)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self._size

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self._size

    def _state(self) -> str:
        return self.mark or ("generated" if self.generated else "special" if self.special else "")

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        background, border, ink = COLORS[self._state()]
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        changed = self.changed
        if self.selected:
            border = SELECTED_COLOR
        elif changed:
            border = CHANGED_COLOR
        pen = QPen(QColor(border))
        pen.setStyle(Qt.PenStyle.DashLine if self.mark == "mask" else Qt.PenStyle.SolidLine)
        pen.setWidthF(2.0 if self.selected or changed else 1.0)
        painter.setPen(pen)
        painter.setBrush(QColor(background))
        inset = pen.widthF() / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset), 3, 3)
        text_rect = self.rect().adjusted(0, 0, 0, -BAR if self.generated else 0)
        if self.generated and self.prob_now is not None:
            span = self.width() - 4
            top = self.height() - BAR - 1.5
            if self.prob_then is not None:  # a pale track as long as it was when generated
                track = QColor(CHANGED_COLOR if changed else BAR_COLOR)
                track.setAlphaF(0.25)
                painter.fillRect(QRectF(2, top, max(span * min(1.0, self.prob_then), 1.0), BAR), track)
            width = span * max(0.0, min(1.0, self.prob_now))
            painter.fillRect(QRectF(2, top, max(width, 1.0), BAR), QColor(CHANGED_COLOR if changed else BAR_COLOR))
        font = painter.font()
        font.setItalic(self.special)
        font.setBold(self.mark == "mask")
        font.setStrikeOut(self.mark == "knockout")
        painter.setFont(font)
        painter.setPen(QColor(ink))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, self._text)

    def _update_tooltip(self) -> None:
        state = {"mask": self.tr(" · masked with [MASK]"),
                 "knockout": self.tr(" · knocked out of attention")}.get(self.mark, "")
        origin = self.tr(" · generated") if self.generated else ""
        prob = ""
        if self.prob_now is not None:
            prob = self.tr("\np = {0:.1%} now").format(self.prob_now)
            if self.prob_then is not None:
                prob += self.tr(", {0:.1%} when generated").format(self.prob_then)
        if self.prob_reference is not None:
            shown = self.tr(", {0:.1%} in the reference") if prob else self.tr("\np = {0:.1%} in the reference")
            prob += shown.format(self.prob_reference)
        hint = ""
        if self.generated:
            hint = self.tr("\nclick: its candidates · right-click: knock out, regenerate from here")
        self.setToolTip(f"#{self.position} {self.token!r}{origin}{state}{prob}{hint}")

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.position)
            event.accept()
        else:
            super().mousePressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        self.menu_requested.emit(self.position, event.globalPos())


class TokenStrip(QScrollArea):
    """Shows tokens as chips; emits mark_requested(position, kind) with kind "mask", "knockout" or ""."""

    mark_requested = Signal(int, str)
    token_selected = Signal(int)  # a generated token's position, or -1: the user clicked elsewhere
    regenerate_requested = Signal(int)  # a generated token's position

    def __init__(self, parent: QWidget | None = None, name: str = "tokenStrip"):
        super().__init__(parent)
        self.setObjectName(name)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.StyledPanel)
        self._body = QWidget()
        self._layout = FlowLayout(self._body)
        self.setWidget(self._body)
        self._chips: list[TokenChip] = []
        self._more = QLabel(self._body)
        self._more.setObjectName("moreTokens")
        self._more.setStyleSheet("color: #7a7a7a; padding: 1px 4px;")
        self._more.hide()
        self._loading = QLabel(self.tr("loading the model…"), self._body)
        self._loading.setObjectName("tokensLoading")
        self._loading.setToolTip(
            self.tr(
                "These tokens come from the model's tokenizer alone: attention follows once the model "
                "is loaded")
        )
        self._loading.setStyleSheet("color: #7a7a7a; font-style: italic; padding: 1px 4px;")
        self._loading.hide()
        self._tokens: list[tuple[str, bool]] = []
        self._total = 0
        self._inputs = 0  # chips before this position are input tokens, the rest generated
        self._click_kind: str | None = None
        self._kinds: tuple[str, ...] = ()
        self._generated_kinds: tuple[str, ...] = ()
        self._marks: dict[int, str] = {}
        self._probs: list[tuple[float | None, float | None]] = []
        self._selected: int | None = None
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
        for chip in self._chips:
            self._set_cursor(chip)

    def set_tokens(self, tokens: Sequence[str], generated: Sequence[str] = ()) -> None:
        """Show `tokens` (maskable) followed by `generated` ones; reuses chips that did not change."""
        wanted = [(t, False) for t in tokens] + [(t, True) for t in generated]
        self._inputs = len(tokens)
        self._total = len(wanted)
        wanted = wanted[:MAX_CHIPS]
        same = 0
        while same < min(len(wanted), len(self._tokens)) and wanted[same] == self._tokens[same]:
            same += 1
        for chip in self._chips[same:]:
            self._layout.removeWidget(chip)
            chip.deleteLater()
        del self._chips[same:]
        self._layout.removeWidget(self._more)
        self._layout.removeWidget(self._loading)
        # Chips added to a visible strip are shown one by one, each re-laying out all the others:
        # add many while the body is hidden, then lay out once.
        bulk = len(wanted) - same > 8 and self._body.isVisible()
        if bulk:
            self._body.hide()
        for position in range(same, len(wanted)):
            chip = TokenChip(position, *wanted[position], parent=self._body)
            chip.clicked.connect(self._on_click)
            chip.menu_requested.connect(self._on_menu)
            chip.set_mark(self._marks.get(position, ""))
            chip.set_selected(position == self._selected)
            chip.setEnabled(not self.loading)
            self._set_cursor(chip)
            self._layout.addWidget(chip)
            self._chips.append(chip)
        if bulk:
            self._body.show()
        self._tokens = wanted
        hidden = self._total - len(wanted)
        self._more.setText(self.tr("… {0:,} more tokens not shown").format(hidden))
        self._more.setVisible(hidden > 0)
        if hidden > 0:
            self._layout.addWidget(self._more)
        if self.loading:
            self._layout.addWidget(self._loading)
        self._body.updateGeometry()
        self.updateGeometry()  # the strip grows with its lines, up to MAX_GROWN_HEIGHT

    @property
    def loading(self) -> bool:
        """The tokens are the tokenizer's alone: greyed, not clickable, marked "loading" until the model is there."""
        return not self._loading.isHidden()

    def set_loading(self, loading: bool) -> None:
        if loading == self.loading:
            return
        self._loading.setVisible(loading)
        if loading:
            self._layout.addWidget(self._loading)
        else:
            self._layout.removeWidget(self._loading)
        for chip in self._chips:
            chip.setEnabled(not loading)
        self._body.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        width = self.viewport().width() or 300
        content = self._layout.heightForWidth(width) + 2 * self.frameWidth()
        return QSize(super().sizeHint().width(), max(self.minimumHeight(), min(content, MAX_GROWN_HEIGHT)))

    def set_probabilities(self, probs: Sequence[tuple[float | None, float | None]]) -> None:
        """(now, when generated) per generated token, in order."""
        self._probs = list(probs)
        for index, chip in enumerate(self._chips[self._inputs :]):
            chip.set_probability(*(self._probs[index] if index < len(self._probs) else (None, None)))

    def set_reference_probabilities(self, probs: dict[int, float]) -> None:
        """position -> the token's probability there in a pinned reference run (shown in the tooltips)."""
        for chip in self._chips:
            chip.set_reference_probability(probs.get(chip.position))

    def set_selected(self, position: int | None) -> None:
        """Outline the generated token whose candidates are shown (None: none)."""
        self._selected = position
        for chip in self._chips[self._inputs :]:
            chip.set_selected(chip.position == position)

    def set_marks(self, marks: dict[int, str]) -> None:
        """position -> "mask" | "knockout"; positions not named are unmarked."""
        self._marks = dict(marks)
        for chip in self._chips:
            chip.set_mark(marks.get(chip.position, ""))

    # -- reading -----------------------------------------------------------------------------

    def chip(self, position: int) -> TokenChip | None:
        return self._chips[position] if 0 <= position < len(self._chips) else None

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
        for kind in ("mask", "knockout"):
            action = menu.addAction(self.tr(str(KIND_TITLES[kind])))
            action.setObjectName(f"action_{kind}")
            action.setCheckable(True)
            action.setChecked(current == kind)
            action.setEnabled(kind in allowed)
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
        menu.setToolTipsVisible(True)
        return menu

    def _set_cursor(self, chip: TokenChip) -> None:
        clickable = chip.generated or self._click_kind in self.kinds_at(chip.position)
        chip.setCursor(Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor)

    # -- events ------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override: a click between chips
        if event.button() == Qt.MouseButton.LeftButton:
            self.token_selected.emit(-1)
        super().mousePressEvent(event)

    def _on_scrolled(self, value: int) -> None:
        self._follow = value >= self.verticalScrollBar().maximum()

    def _on_range_changed(self, _low: int, high: int) -> None:
        if self._follow:
            self.verticalScrollBar().setValue(high)

    def _on_click(self, position: int) -> None:
        if position >= self._inputs:  # a generated token: show what it was chosen from
            self.token_selected.emit(position)
            return
        if self._click_kind not in self.kinds_at(position):
            return
        current = self._marks.get(position, "")
        self.mark_requested.emit(position, "" if current else self._click_kind)

    def _on_menu(self, position: int, global_pos: QPoint) -> None:
        menu = self.menu_for(position)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(global_pos)
