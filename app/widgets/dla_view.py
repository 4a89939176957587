"""Direct logit attribution as a layer × head map plus an MLP column, in diverging colours.

Red: the component pushes the target's logit up; blue: down (the logit difference to the alternative
when one is chosen). Clicking a head ablates it for real (the window re-runs); the map is then marked
out of date until it is computed again.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attnlab.app.token_text import display_text
from attnlab.app.widgets.prediction_view import importance_colour
from attnlab.engine.api.results import Candidate, LogitAttribution


class DlaView(QWidget):
    compute_requested = Signal(object)  # the alternative token id, or None
    head_clicked = Signal(str, int, int)  # stack, layer, head: toggle its ablation

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dlaView")
        self.result: LogitAttribution | None = None
        self.alternative = QComboBox()
        self.alternative.setObjectName("dlaAlternative")
        self.alternative.setToolTip(self.tr("Compare with another candidate: the map then shows logit differences"))
        self.compute_button = QPushButton(self.tr("Compute"))
        self.compute_button.setObjectName("dlaButton")
        self.compute_button.setToolTip(
            self.tr("Attribute the predicted token's logit to every head, MLP and the embeddings")
        )
        self.compute_button.clicked.connect(lambda: self.compute_requested.emit(self.alternative.currentData()))
        self.note = QLabel(self.tr("Which heads write the predicted token: press Compute."))
        self.note.setObjectName("dlaNote")
        self.note.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setObjectName("dlaTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setDefaultSectionSize(56)
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.cellClicked.connect(self._on_clicked)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("versus")))
        row.addWidget(self.alternative, 1)
        row.addWidget(self.compute_button)
        column = QVBoxLayout(self)
        column.addLayout(row)
        column.addWidget(self.note)
        column.addWidget(self.table, 1)
        self.set_candidates(())

    def set_candidates(self, candidates: tuple[Candidate, ...]) -> None:
        """The alternatives to offer: the current candidates after the first (the target)."""
        chosen = self.alternative.currentData()
        self.alternative.clear()
        self.alternative.addItem(self.tr("(no alternative: the logit)"), None)
        for candidate in candidates[1:]:
            self.alternative.addItem(display_text(candidate.text, 24), candidate.token_id)
        index = self.alternative.findData(chosen)
        self.alternative.setCurrentIndex(max(index, 0))

    def mark_out_of_date(self) -> None:
        if self.result is not None and not self.note.property("stale"):
            self.note.setProperty("stale", True)
            self.note.setText(self.note.text() + self.tr(" Out of date: Compute again for the current input."))

    def show_result(self, result: LogitAttribution) -> None:
        """Fill the map: rows layers, columns heads then the MLP."""
        self.result = result
        self.note.setProperty("stale", False)
        layers, heads = result.heads.shape
        self.table.setRowCount(layers)
        self.table.setColumnCount(heads + 1)
        self.table.setHorizontalHeaderLabels([str(h) for h in range(heads)] + [self.tr("MLP")])
        self.table.setVerticalHeaderLabels([str(layer) for layer in range(layers)])
        values = np.concatenate([result.heads, result.mlp[:, None]], axis=1)  # [layer, head + 1]
        scale = float(np.abs(values).max(initial=0.0))
        for layer in range(layers):
            for column in range(heads + 1):
                value = float(values[layer, column])
                item = QTableWidgetItem(f"{value:+.2f}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(importance_colour(value, scale)))
                if column < heads:
                    tip = self.tr("layer {0} head {1}: {2:+.4f} (click to ablate or restore)").format(
                        layer, column, value
                    )
                else:
                    tip = self.tr("layer {0} MLP: {1:+.4f}").format(layer, value)
                item.setToolTip(tip)
                self.table.setItem(layer, column, item)
        what = display_text(result.target_text, 24)
        if result.alternative_id >= 0:
            what = self.tr("{0} − {1}").format(what, display_text(result.alternative_text, 24))
        cross = 0.0 if result.cross_heads is None else float(result.cross_heads.sum())
        self.note.setText(
            self.tr(
                "{0} at position {1}: logit {2:.3f} = heads {3:+.3f} + MLPs {4:+.3f} + embeddings {5:+.3f} "
                "+ biases {6:+.3f}{7} (rest {8:.1e})"
            ).format(
                what,
                result.position,
                result.logit,
                float(result.heads.sum()),
                float(result.mlp.sum()),
                result.embed,
                result.bias,
                self.tr(" + cross-attention {0:+.3f}").format(cross) if result.cross_heads is not None else "",
                result.error,
            )
        )

    def _on_clicked(self, layer: int, column: int) -> None:
        if self.result is not None and column < self.result.heads.shape[1]:
            self.head_clicked.emit(self.result.stack, layer, column)
