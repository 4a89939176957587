"""The token strip: one chip per token; click to mask it, right-click for the other kinds.

Chips are named `token_<i>` by their position after tokenisation (specials included), the
position masks refer to. Generated tokens continue the numbering but cannot be masked.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QMouseEvent
from PySide6.QtWidgets import QLabel, QMenu, QScrollArea, QWidget

from app.flow_layout import FlowLayout
from app.token_text import display_text, looks_special
from engine.results import Masks

MAX_CHIPS = 2000  # a huge paste would need tens of thousands of widgets
KIND_TITLES = {"mask": "Replace with [MASK]", "knockout": "Knock out of attention"}

STYLE = """
QLabel[chip="true"] { border: 1px solid #c4c4c4; border-radius: 3px; padding: 1px 4px;
                      background: #f7f7f7; color: #1e1e1e; }
QLabel[chip="true"][special="true"] { color: #7a7a7a; font-style: italic; }
QLabel[chip="true"][generated="true"] { background: #e3f2fd; border-color: #64b5f6; }
QLabel[chip="true"][mark="mask"] { background: #ffe0b2; border: 1px dashed #e65100; font-weight: bold; }
QLabel[chip="true"][mark="knockout"] { background: #eeeeee; color: #9e9e9e; border: 1px solid #c62828;
                                       text-decoration: line-through; }
QLabel#moreTokens { color: #7a7a7a; padding: 1px 4px; }
"""


class TokenChip(QLabel):
    clicked = Signal(int)
    menu_requested = Signal(int, object)  # position, global QPoint

    def __init__(self, position: int, token: str, generated: bool, parent: QWidget):
        super().__init__(parent)
        self.position = position
        self.setObjectName(f"token_{position}")
        self.setProperty("chip", True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.set_token(token, generated)

    def set_token(self, token: str, generated: bool) -> None:
        self.token = token
        self.generated = generated
        self.setText(display_text(token, limit=40))
        self.setProperty("generated", generated)
        self.setProperty("special", looks_special(token))
        self.setCursor(Qt.CursorShape.ArrowCursor if generated else Qt.CursorShape.PointingHandCursor)
        self._update_tooltip("")

    def set_mark(self, mark: str) -> None:
        if self.property("mark") == mark:
            return
        self.setProperty("mark", mark)
        self._update_tooltip(mark)
        self.style().unpolish(self)
        self.style().polish(self)

    def _update_tooltip(self, mark: str) -> None:
        state = {"mask": " · masked with [MASK]", "knockout": " · knocked out of attention"}.get(mark, "")
        origin = " · generated" if self.generated else ""
        self.setToolTip(f"#{self.position} {self.token!r}{origin}{state}")

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
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

    def __init__(self, parent: QWidget | None = None, name: str = "tokenStrip"):
        super().__init__(parent)
        self.setObjectName(name)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.StyledPanel)
        self._body = QWidget()
        self._body.setStyleSheet(STYLE)
        self._layout = FlowLayout(self._body)
        self.setWidget(self._body)
        self._chips: list[TokenChip] = []
        self._more = QLabel(self._body)
        self._more.setObjectName("moreTokens")
        self._more.hide()
        self._tokens: list[tuple[str, bool]] = []
        self._total = 0
        self._maskable = 0
        self._click_kind: str | None = None
        self._kinds: tuple[str, ...] = ()
        self._marks: dict[int, str] = {}

    # -- configuration -----------------------------------------------------------------------

    def set_kinds(self, click_kind: str | None, kinds: Sequence[str]) -> None:
        """What a left click does (None: nothing) and which kinds the context menu offers."""
        self._click_kind, self._kinds = click_kind, tuple(kinds)

    def set_tokens(self, tokens: Sequence[str], generated: Sequence[str] = ()) -> None:
        """Show `tokens` (maskable) followed by `generated` ones; reuses chips that did not change."""
        wanted = [(t, False) for t in tokens] + [(t, True) for t in generated]
        self._maskable = len(tokens)
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
        for position in range(same, len(wanted)):
            chip = TokenChip(position, *wanted[position], parent=self._body)
            chip.clicked.connect(self._on_click)
            chip.menu_requested.connect(self._on_menu)
            chip.set_mark(self._marks.get(position, ""))
            self._layout.addWidget(chip)
            self._chips.append(chip)
        self._tokens = wanted
        hidden = self._total - len(wanted)
        self._more.setText(f"… {hidden:,} more tokens not shown")
        self._more.setVisible(hidden > 0)
        if hidden > 0:
            self._layout.addWidget(self._more)
        self._body.updateGeometry()

    def set_marks(self, masks: Masks) -> None:
        marks = {p: "knockout" for p in masks.knockout_positions}
        marks.update({p: "mask" for p in masks.mask_positions})
        self._marks = marks
        for chip in self._chips:
            chip.set_mark(marks.get(chip.position, ""))

    # -- reading -----------------------------------------------------------------------------

    def chip(self, position: int) -> TokenChip | None:
        return self._chips[position] if 0 <= position < len(self._chips) else None

    def tokens(self) -> list[str]:
        return [t for t, _ in self._tokens]

    def mark(self, position: int) -> str:
        return self._marks.get(position, "")

    def menu_for(self, position: int) -> QMenu:
        """The context menu of one chip (tests trigger its actions directly)."""
        menu = QMenu(self)
        maskable = position < self._maskable
        current = self._marks.get(position, "")
        for kind in ("mask", "knockout"):
            action = menu.addAction(KIND_TITLES[kind])
            action.setObjectName(f"action_{kind}")
            action.setCheckable(True)
            action.setChecked(current == kind)
            action.setEnabled(maskable and kind in self._kinds)
            action.triggered.connect(lambda _=False, k=kind: self.mark_requested.emit(position, "" if current == k else k))
        menu.addSeparator()
        clear = menu.addAction("Clear")
        clear.setObjectName("action_clear")
        clear.setEnabled(bool(current))
        clear.triggered.connect(lambda: self.mark_requested.emit(position, ""))
        if not maskable:
            menu.addSeparator()
            menu.addAction("Generated tokens cannot be masked").setEnabled(False)
        return menu

    # -- events ------------------------------------------------------------------------------

    def _on_click(self, position: int) -> None:
        if position >= self._maskable or self._click_kind is None:
            return
        current = self._marks.get(position, "")
        self.mark_requested.emit(position, "" if current else self._click_kind)

    def _on_menu(self, position: int, global_pos: object) -> None:
        menu = self.menu_for(position)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(global_pos)
