"""The heads table at a real model's size (SmolLM2: 30 layers × 9 heads = 270 rows): filling it while it is
shown measures each column's contents once, not once per cell (that froze the window for 30 s a step)."""

from __future__ import annotations

import numpy as np

from attnlab.app.widgets.heads_table import HeadsTable
from attnlab.engine.analyses.fingerprints import HeadFingerprints
from attnlab.engine.analyses.head_scores import HeadScores

LAYERS, HEADS = 30, 9


class CountingTable(HeadsTable):
    def __init__(self) -> None:
        super().__init__()
        self.measured = 0

    def sizeHintForColumn(self, column: int) -> int:  # noqa: N802 - Qt override
        self.measured += 1
        return super().sizeHintForColumn(column)


def scores(seed: int) -> HeadScores:
    values = np.random.default_rng(seed).random((6, LAYERS, HEADS), dtype=np.float32)
    return HeadScores("decoder", HeadFingerprints(*values), tokens=100, snapshot=None)


def test_a_shown_table_of_270_heads_measures_each_column_a_few_times_per_fill(qtbot):
    table = CountingTable()
    qtbot.addWidget(table)
    table.show()
    qtbot.waitExposed(table)
    for seed in range(3):
        given = scores(seed)
        table.measured = 0
        table.show_scores(given, None)
        qtbot.wait(10)  # the header lays out its sections
        columns = table.columnCount()
        assert table.rowCount() == LAYERS * HEADS and table.measured <= 4 * columns, table.measured
        for layer, head in ((0, 0), (17, 4), (29, 8)):  # every value where it belongs, against the scores given
            assert table.value(layer, head, "prev_token") == given.prints.prev_token[layer, head]
            assert table.text(layer, head, "layer") == str(layer)
    header = table.horizontalHeader()
    widths = [header.sectionSize(c) for c in range(table.columnCount())]
    table.resizeColumnsToContents()
    assert [header.sectionSize(c) for c in range(table.columnCount())] == widths  # columns still fit their contents
