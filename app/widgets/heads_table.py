"""The heads table: one row per (layer, head) with every head score; sort by any column, click a
row to show that head."""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from attnlab.app import i18n
from attnlab.app.head_metrics import METRICS, format_value, metric_values
from attnlab.engine.analyses.head_scores import HeadScores

VALUE = Qt.ItemDataRole.UserRole  # the exact float32 value behind a cell's three decimals


class _Number(QTableWidgetItem):
    """Sorts by value; "—" (NaN, no score) always sorts below every number."""

    def __init__(self, value: float, text: str):
        super().__init__(text)
        self.setData(VALUE, value)
        self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(VALUE), other.data(VALUE)
        if math.isnan(mine) or math.isnan(theirs):
            return math.isnan(mine) and not math.isnan(theirs)
        return mine < theirs


class HeadsTable(QTableWidget):
    """Emits head_chosen(layer, head) when the user clicks a row (or moves to it with the keys)."""

    head_chosen = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 0, parent)
        self.setObjectName("headsTable")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(20)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setSortingEnabled(True)
        self.setToolTip(
            self.tr("Every head's scores on this text; click a column header to sort, a row to show that head")
        )
        self.columns: list[str] = []  # "layer", "head", then metric names
        self.leading = ""  # the score that colours the grid: shown next to "head", never scrolled out of sight
        self.currentCellChanged.connect(self._on_current_changed)

    def show_scores(self, scores: HeadScores | None, probe: HeadScores | None) -> None:
        """Fill the table from the text's scores and the probe's (either may be None)."""
        names = [name for name in METRICS if metric_values(name, scores, probe) is not None]
        source = scores or probe
        if source is None:
            self.setRowCount(0)
            return
        layers, heads = source.prints.entropy.shape
        columns = ["layer", "head", *names]
        header = self.horizontalHeader()
        order = (
            (self.columns[header.sortIndicatorSection()], header.sortIndicatorOrder())
            if self.columns and 0 <= header.sortIndicatorSection() < len(self.columns)
            else None
        )
        current = self.current_head()
        with QSignalBlocker(self):
            self.setSortingEnabled(False)  # filling a sorted table moves rows under the loop
            # Columns fit their contents once, after the fill: refitting on each of the 270 × 8 cells of a real
            # model's table measured every column again for each (30 s on the GUI thread at each step).
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            if columns != self.columns:
                self.columns = columns
                self.setColumnCount(len(columns))
                for column, name in enumerate(columns):
                    plain = {"layer": self.tr("layer"), "head": self.tr("head")}.get(name, name)
                    item = QTableWidgetItem(i18n.title(METRICS[name].title) if name in METRICS else plain)
                    item.setToolTip(i18n.title(METRICS[name].tip) if name in METRICS else "")
                    self.setHorizontalHeaderItem(column, item)
            self.setRowCount(layers * heads)
            values = {name: metric_values(name, scores, probe) for name in names}
            for row in range(layers * heads):
                layer, head = divmod(row, heads)
                self.setItem(row, 0, _Number(float(layer), str(layer)))
                self.setItem(row, 1, _Number(float(head), str(head)))
                for column, name in enumerate(names, start=2):
                    value = float(values[name][layer, head])  # type: ignore[index]  # not None: in names
                    self.setItem(row, column, _Number(value, format_value(value)))
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            self.setSortingEnabled(True)
            if order is not None and order[0] in columns:
                self.sortItems(columns.index(order[0]), order[1])
            if current is not None:
                self._select(*current)
        self.lead_with(self.leading)

    def lead_with(self, name: str) -> None:
        """Show the column of score `name` right after "head" (the table is narrow: the others may be scrolled
        to), whatever order the scores come in."""
        self.leading = name
        if name not in self.columns:
            return
        header = self.horizontalHeader()
        visual = header.visualIndex(self.columns.index(name))
        if visual != 2:
            header.moveSection(visual, 2)

    def sort_by(self, name: str, descending: bool = True) -> None:
        if name in self.columns:
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            self.sortItems(self.columns.index(name), order)

    def row_of(self, layer: int, head: int) -> int | None:
        for row in range(self.rowCount()):
            if self._head(row) == (layer, head):
                return row
        return None

    def value(self, layer: int, head: int, name: str) -> float:
        """The exact value shown for one head and score (NaN: "—")."""
        row = self.row_of(layer, head)
        if row is None or name not in self.columns:
            raise KeyError(f"no {name} for layer {layer} head {head} in the table")
        item = self.item(row, self.columns.index(name))
        return float(item.data(VALUE)) if item is not None else float("nan")

    def text(self, layer: int, head: int, name: str) -> str:
        row = self.row_of(layer, head)
        item = None if row is None else self.item(row, self.columns.index(name))
        if item is None:
            raise KeyError(f"no {name} for layer {layer} head {head} in the table")
        return item.text()

    def current_head(self) -> tuple[int, int] | None:
        row = self.currentRow()
        return self._head(row) if row >= 0 else None

    def select_head(self, layer: int, head: int) -> None:
        """Mark the row of the head shown (no head_chosen: it is shown already)."""
        with QSignalBlocker(self):
            self._select(layer, head)

    def _select(self, layer: int, head: int) -> None:
        row = self.row_of(layer, head)
        if row is not None:
            self.setCurrentCell(row, self.currentColumn() if self.currentColumn() >= 0 else 0)
            self.scrollTo(self.model().index(row, 0))

    def _head(self, row: int) -> tuple[int, int] | None:
        layer, head = self.item(row, 0), self.item(row, 1)
        if layer is None or head is None:
            return None
        return int(layer.data(VALUE)), int(head.data(VALUE))

    def _on_current_changed(self, row: int, _column: int, previous_row: int, _previous_column: int) -> None:
        if row >= 0 and row != previous_row:
            hit = self._head(row)
            if hit is not None:
                self.head_chosen.emit(*hit)
