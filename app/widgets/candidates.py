"""The candidates table: the top-k tokens with probabilities; double-click one to take it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from attnlab.app.document import CandidateView
from attnlab.app.token_text import display_text

CHOSEN = QColor("#e3f2fd")


def _which(view: CandidateView) -> tuple:
    """What a view is of: a selected row stays selected only while the table shows the same choice."""
    return tuple(c.token_id for c in view.candidates), view.chosen_id, view.position, view.replaces_last


class CandidatesTable(QTableWidget):
    """Emits chosen(token_id, replaces_last) when the user double-clicks a row."""

    chosen = Signal(int, bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 4, parent)
        self.setObjectName("candidatesTable")
        headers = (
            (self.tr("token"), ""),
            (self.tr("probability"), self.tr("The probability now, under the current masks")),
            (
                self.tr("when generated"),
                self.tr("The probability when the token was generated (shown when masks changed it since)"),
            ),
            ("id", ""),
        )
        for column, (title, tip) in enumerate(headers):
            header_item = QTableWidgetItem(title)
            header_item.setToolTip(tip)
            self.setHorizontalHeaderItem(column, header_item)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.setColumnHidden(2, True)
        self._view = CandidateView((), None, False)
        self.cellDoubleClicked.connect(self._on_double_click)
        self.setToolTip(self.tr("Double-click a token to take it instead"))

    def show_candidates(self, view: CandidateView) -> None:
        if _which(view) != _which(self._view):  # another step, an undo, another model: the old pick means nothing
            self.clearSelection()
            self.setCurrentCell(-1, -1)
        self._view = view
        if view.position is None:
            self.setToolTip(self.tr("Double-click a token to take it instead"))
        else:
            self.setToolTip(
                self.tr(
                    "The candidates of token #{0}, now; double-click one to go back there and take it "
                    "(the tokens after it are undone)"
                ).format(view.position)
            )
        if self.rowCount() != len(view.candidates):
            self.setRowCount(len(view.candidates))
        then = view.then or (None,) * len(view.candidates)
        changed = any(t is None or abs(t - c.prob) > 5e-4 for t, c in zip(then, view.candidates, strict=True))
        self.setColumnHidden(2, not (view.then and changed))
        known = [t for t in then if t is not None]
        below = f"< {min(known):.1%}" if known else "—"  # not in the top-k then: less than the least shown
        for row, candidate in enumerate(view.candidates):
            chosen = candidate.token_id == view.chosen_id
            text = display_text(candidate.text, 40)
            was = then[row]
            cells = (
                f"▶ {text}" if chosen else text,
                f"{candidate.prob:.1%}",
                below if was is None else f"{was:.1%}",
                str(candidate.token_id),
            )
            for column, value in enumerate(cells):
                item = self.item(row, column)
                if item is None:  # items are made once and reused: a run refreshes this often
                    item = QTableWidgetItem()
                    if column in (1, 2):
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if column == 3:
                        item.setForeground(QBrush(QColor("#7a7a7a")))
                    self.setItem(row, column, item)
                item.setText(value)
                item.setBackground(QBrush(CHOSEN) if chosen else QBrush())
                if column == 0:
                    item.setToolTip(repr(candidate.text))

    def set_reference_probabilities(self, probs: dict[int, float] | None) -> None:
        """token id -> its probability at the shown position in a pinned reference run (None: unpinned):
        each probability's tooltip compares the two."""
        for row, candidate in enumerate(self._view.candidates):
            item = self.item(row, 1)
            if item is None:
                continue
            reference = None if probs is None else probs.get(candidate.token_id)
            if probs is None:
                item.setToolTip("")
            elif reference is None:
                item.setToolTip(
                    self.tr("p = {0:.1%} now; not among the reference's top candidates here").format(candidate.prob)
                )
            else:
                item.setToolTip(self.tr("p = {0:.1%} now, {1:.1%} in the reference").format(candidate.prob, reference))

    @property
    def replaces_last(self) -> bool:
        return self._view.replaces_last

    def token_ids(self) -> list[int]:
        return [c.token_id for c in self._view.candidates]

    def _on_double_click(self, row: int, _column: int) -> None:
        if 0 <= row < len(self._view.candidates):
            self.chosen.emit(self._view.candidates[row].token_id, self._view.replaces_last)
