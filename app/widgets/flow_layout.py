"""Left to right, wrapped like words: a layout for widgets (Qt has none built in), and the same
arithmetic for painted items (WordWrap), which need no widget each."""

from __future__ import annotations

from bisect import bisect_right

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 3):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._heights: dict[int, int] = {}  # width -> height, until the items change
        self.setContentsMargins(4, 4, 4, 4)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        if width not in self._heights:
            self._heights[width] = self._arrange(QRect(0, 0, width, 0), move=False)
        return self._heights[width]

    def invalidate(self) -> None:
        self._heights.clear()
        super().invalidate()

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Lay the items out in `rect` (or only measure); returns the height used."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line_height > 0:
                x, y = area.x(), y + line_height + self._spacing
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


class WordWrap:
    """Where items of known widths go when laid out in rows like words, without a widget per item.

    A row starts at `margin`; an item that would pass `available - margin` starts the next row (unless it
    is alone in its row). Appending items re-lays out only from the first changed one, so a text that grows
    by a token costs that token.
    """

    def __init__(self, spacing: int = 3, margin: int = 4):
        self.spacing, self.margin = spacing, margin
        self.xs: list[int] = []  # left edge of each item
        self.rows: list[int] = []  # row of each item
        self.starts: list[int] = []  # first item of each row
        self.available = -1

    def lay_out(self, widths: list[int], available: int, start: int = 0) -> None:
        """Place items `start:` (all of them when the width changed); items before `start` stay where they are."""
        if available != self.available:
            self.available, start = available, 0
        start = min(start, len(self.xs))
        del self.xs[start:], self.rows[start:]
        if start:
            x, row = self.xs[start - 1] + widths[start - 1] + self.spacing, self.rows[start - 1]
            del self.starts[row + 1 :]
        else:
            x, row = self.margin, 0
            self.starts = [0] if widths else []
        right, spacing, margin = available - self.margin, self.spacing, self.margin
        xs, rows, starts = self.xs, self.rows, self.starts
        for index in range(start, len(widths)):
            width = widths[index]
            if x + width > right and x > margin:
                x, row = margin, row + 1
                starts.append(index)
            xs.append(x)
            rows.append(row)
            x += width + spacing

    def row_count(self) -> int:
        return len(self.starts)

    def items_in(self, first_row: int, last_row: int) -> range:
        """The items of rows first_row..last_row (clipped to the rows there are)."""
        first_row, last_row = max(0, first_row), min(last_row, len(self.starts) - 1)
        if first_row > last_row:
            return range(0)
        end = self.starts[last_row + 1] if last_row + 1 < len(self.starts) else len(self.xs)
        return range(self.starts[first_row], end)

    def at(self, row: int, x: int, widths: list[int]) -> int | None:
        """The item of `row` that covers `x`, or None."""
        items = self.items_in(row, row)
        if not items:
            return None
        index = bisect_right(self.xs, x, items.start, items.stop) - 1
        return index if index >= items.start and x < self.xs[index] + widths[index] else None

    def end(self, widths: list[int]) -> tuple[int, int]:
        """(x, row) where an item appended after the last one would start, before wrapping."""
        if not self.xs:
            return self.margin, 0
        return self.xs[-1] + widths[-1] + self.spacing, self.rows[-1]
