"""Compare to a pinned reference run: each head's Jensen–Shannon divergence between the reference's
attention and the current one, over the tokens both runs have: a list that opens with the heads that
moved most on top and sorts by any column on a header click (numbers as numbers)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from attnlab.app.i18n import translate
from attnlab.engine.analyses import js_divergence
from attnlab.engine.api.attention_store import AttentionSnapshot

MAX_TOKENS = 512  # longer runs are compared with `attnlab compare`, not on the GUI thread
DIVERGENCE_COLUMN = 3

Attention = dict[str, NDArray[np.float32]]  # stack -> [layer, head, query, key]


def pinned(snapshot: AttentionSnapshot) -> Attention:
    """A run's attention, copied out of its store, to compare later runs with."""
    return {stack: snapshot.full(stack) for stack in snapshot.stacks}


def divergences(reference: Attention, current: Attention) -> tuple[dict[str, NDArray[np.float32]], str]:
    """stack -> JS divergence [layer, head] over the shared prefix of queries and keys, and a note
    saying what was compared (empty when everything lined up)."""
    result: dict[str, NDArray[np.float32]] = {}
    notes = []
    for stack in reference.keys() & current.keys():
        a, b = reference[stack], current[stack]
        if a.shape[:2] != b.shape[:2]:
            continue
        queries, keys = min(a.shape[2], b.shape[2]), min(a.shape[3], b.shape[3])
        if (queries, keys) != a.shape[2:] or (queries, keys) != b.shape[2:]:
            notes.append(
                translate("reference_view", "{0}: the first {1} of {2} / {3} tokens").format(
                    translate("EngineMessage", stack), queries, a.shape[2], b.shape[2]
                )
            )
        result[stack] = js_divergence(a[:, :, :queries, :keys], b[:, :, :queries, :keys])
    note = translate("reference_view", "Lengths differ; compared {0}.").format("; ".join(sorted(notes)))
    return result, note if notes else ""


class _Number(QTableWidgetItem):
    """Sorts by value, not by text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return float(self.data(Qt.ItemDataRole.UserRole)) < float(other.data(Qt.ItemDataRole.UserRole))


class ReferenceView(QWidget):
    pin_requested = Signal(bool)  # True: pin the current run; False: forget the reference

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("referenceView")
        self.reference: Attention | None = None
        self.values: dict[str, NDArray[np.float32]] = {}
        self.note = QLabel(self.tr("Pin a run, then change the text, masks or ablations to see how each head moved."))
        self.note.setObjectName("referenceNote")
        self.note.setWordWrap(True)
        self.pin_button = QPushButton(self.tr("Pin as reference"))
        self.pin_button.setObjectName("pinButton")
        self.pin_button.setCheckable(True)
        self.pin_button.setToolTip(self.tr("Keep the current run's attention to compare the next runs with"))
        self.pin_button.toggled.connect(self.pin_requested)
        self.pin_button.toggled.connect(
            lambda on: self.pin_button.setText(self.tr("Pinned: click to unpin") if on else self.tr("Pin as reference"))
        )
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("divergenceTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("stack"), self.tr("layer"), self.tr("head"), self.tr("JS divergence to the reference")]
        )
        self.table.setToolTip(
            self.tr(
                "Jensen–Shannon divergence (bits, 0: same rows, 1: disjoint) between "
                "this head's attention now and in the reference, the mean over query "
                "rows; click a column to sort"
            )
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        # Largest divergence first until the user clicks another header; their choice then stays.
        header.setSortIndicator(DIVERGENCE_COLUMN, Qt.SortOrder.DescendingOrder)
        self._row = row = QHBoxLayout()
        row.addWidget(self.pin_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)

    def add_action(self, action: QAction) -> None:
        """A button for `action` beside the Pin button."""
        button = QToolButton()
        button.setDefaultAction(action)
        self._row.insertWidget(1, button)

    def set_reference(self, reference: Attention | None) -> None:
        self.reference = reference
        self.values = {}
        self.table.setRowCount(0)
        self.note.setText(
            self.tr("Pinned: change the text, masks or ablations to compare.")
            if reference is not None
            else self.tr("Pin a run, then change the text, masks or ablations to see how each head moved.")
        )

    def show_current(self, snapshot: AttentionSnapshot | None) -> None:
        if self.reference is None or snapshot is None:
            return
        if max((snapshot.shape(s)[2] for s in snapshot.stacks), default=0) > MAX_TOKENS:
            self.note.setText(
                self.tr("Longer than {0} tokens: compare exports with `attnlab compare` instead.").format(MAX_TOKENS)
            )
            return
        self.values, note = divergences(self.reference, pinned(snapshot))
        if not self.values:
            self.note.setText(self.tr("Nothing to compare: the reference comes from another model."))
        else:
            self.note.setText(note or self.tr("Same tokens: compared position by position."))
        self.table.setSortingEnabled(False)
        rows = [
            (stack, layer, head, float(v[layer, head]))
            for stack, v in sorted(self.values.items())
            for layer in range(v.shape[0])
            for head in range(v.shape[1])
        ]
        self.table.setRowCount(len(rows))
        for i, (stack, layer, head, value) in enumerate(rows):
            for column, shown in enumerate((stack, layer, head, value)):
                text = f"{shown:.4f}" if column == DIVERGENCE_COLUMN else str(shown)
                item = _Number(text) if column else QTableWidgetItem(stack)
                if column:
                    item.setData(Qt.ItemDataRole.UserRole, shown)
                self.table.setItem(i, column, item)
        self.table.setSortingEnabled(True)  # sorts by the header's sort indicator
