"""An outline of the generation's branches: switch (double-click), rename (edit), delete, redo."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

VISIBLE_ROWS = 3


class BranchList(QWidget):
    switch_requested = Signal(int)  # branch index
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)
    redo_requested = Signal()
    compare_requested = Signal(int)  # branch index: compare it with the branch shown

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("branchList")
        self.current = -1  # the branch shown
        self.title = QLabel(self.tr("Branches"))
        self.redo_button = QPushButton(self.tr("Redo"))
        self.redo_button.setObjectName("redoButton")
        self.redo_button.setToolTip(
            self.tr("Take the current branch's next token again ({0})").format(self._redo_key())
        )
        self.redo_button.clicked.connect(self.redo_requested)
        self.list = QListWidget()
        self.list.setObjectName("branchOutline")
        self.list.setToolTip(
            self.tr(
                "Each alternative you took is a branch: double-click to switch, F2 to rename, right-click to delete"
            )
        )
        # a double-click switches (as the tooltip says); renaming is F2 or the menu's, never a double-click
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.itemActivated.connect(lambda item: self.switch_requested.emit(self.list.row(item)))
        self.list.itemChanged.connect(self._on_item_changed)
        self.redo = QAction(self.tr("Redo"), self)
        self.redo.setObjectName("redoAction")
        self.redo.setShortcut(QKeySequence(QKeySequence.StandardKey.Redo))
        self.redo.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.redo.triggered.connect(self.redo_requested)
        self.addAction(self.redo)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.redo_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(header)
        column.addWidget(self.list)
        self._filling = False

    @staticmethod
    def _redo_key() -> str:
        return QKeySequence(QKeySequence.StandardKey.Redo).toString(QKeySequence.SequenceFormat.NativeText)

    def show_branches(self, rows: list[tuple[str, str]], current: int, can_redo: bool) -> None:
        """rows: (name, what the branch says: shown as its tooltip) per branch."""
        self._filling = True
        self.current = current
        self.list.clear()
        for index, (name, summary) in enumerate(rows):
            item = QListWidgetItem(name)
            item.setToolTip(summary)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            if index == current:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
        if 0 <= current < self.list.count():
            self.list.setCurrentRow(current)
        rows_shown = min(max(self.list.count(), 1), VISIBLE_ROWS)  # more scroll: the candidates keep their room
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * rows_shown + 2 * self.list.frameWidth())
        self._filling = False
        self.redo_button.setEnabled(can_redo)
        self.redo.setEnabled(can_redo)

    def names(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if not self._filling:
            self.rename_requested.emit(self.list.row(item), item.text())

    def _menu(self, point: QPoint) -> None:
        item = self.list.itemAt(point)
        if item is None:
            return
        row = self.list.row(item)
        menu = QMenu(self)
        menu.addAction(self.tr("Switch to this branch"), lambda: self.switch_requested.emit(row))
        menu.addAction(self.tr("Rename"), lambda: self.list.editItem(item))
        menu.addAction(self.tr("Delete"), lambda: self.delete_requested.emit(row))
        compare = menu.addAction(self.tr("Compare with the branch shown"), lambda: self.compare_requested.emit(row))
        compare.setEnabled(row != self.current)
        compare.setToolTip(
            self.tr(
                "Pin the branch shown as the reference, switch to this one and show the "
                "difference (Explain the prediction ▸ Compare to a reference)"
            )
        )
        menu.exec(self.list.mapToGlobal(point))
