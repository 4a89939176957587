"""Explain the prediction: the logit lens (layer × position, each layer's top-1 token coloured by its
probability, the top-k on hover) and the head-importance map (layer × head, Δ log p of the predicted
token when the head is ablated; click a head to ablate it for real)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from attnlab.app.token_text import display_text
from attnlab.engine.api.results import HeadImportance, LensResult


def _blend(white: float, colour: tuple[int, int, int]) -> QColor:
    """`colour` at strength 1 - white, towards white (0: the full colour, 1: white)."""
    w = min(max(white, 0.0), 1.0)
    return QColor(*(round(c + (255 - c) * w) for c in colour))


def probability_colour(p: float) -> QColor:
    return _blend(1 - p, (33, 113, 181))  # white → blue


def importance_colour(value: float, scale: float) -> QColor:
    """Diverging, zero white: red where the head helps the prediction, blue where it works against it."""
    strength = abs(value) / scale if scale > 0 else 0.0
    return _blend(1 - strength, (203, 24, 29) if value > 0 else (33, 113, 181))


def _table(name: str, tip: str) -> QTableWidget:
    table = QTableWidget()
    table.setObjectName(name)
    table.setToolTip(tip)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.horizontalHeader().setDefaultSectionSize(64)
    table.verticalHeader().setDefaultSectionSize(22)
    return table


class PredictionView(QWidget):
    """Shows engine results; asks for nothing itself (its owner sends the requests)."""

    importance_requested = Signal()  # the user asked for the importance map
    cancel_requested = Signal()
    head_clicked = Signal(str, int, int)  # stack, layer, head: toggle its ablation

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("predictionView")
        self.lens: LensResult | None = None
        self.importance: HeadImportance | None = None
        self.tabs = QTabWidget()
        self.tabs.setObjectName("predictionTabs")
        for button in self.tabs.tabBar().findChildren(QToolButton):  # the tab bar's own scroll arrows
            button.setToolTip(self.tr("Show more tabs"))

        self.lens_note = QLabel(self.tr("The logit lens of the current input appears here."))
        self.lens_note.setWordWrap(True)
        self.lens_table = _table(
            "lensTable",
            self.tr(
                "Each layer's residual stream read through the model's final norm and output head: "
                "its most likely token, darker = more probable; hover for the top-k"
            ),
        )
        self.lens_progress = QProgressBar()  # busy while the lens is computed, in the dock, never the status bar
        self.lens_progress.setObjectName("lensProgress")
        self.lens_progress.setRange(0, 0)
        self.lens_progress.setFormat(self.tr("Computing the logit lens of the current input…"))
        self.lens_progress.setTextVisible(True)
        self.lens_progress.hide()
        lens_page = QWidget()
        column = QVBoxLayout(lens_page)
        column.addWidget(self.lens_note)
        column.addWidget(self.lens_progress)
        column.addWidget(self.lens_table, 1)
        self.tabs.addTab(lens_page, self.tr("Logit lens"))

        self.importance_note = QLabel(self.tr("Which heads the predicted token depends on: press Compute."))
        self.importance_note.setObjectName("importanceNote")
        self.importance_note.setWordWrap(True)
        self.compute_button = QPushButton(self.tr("Compute"))
        self.compute_button.setObjectName("importanceButton")
        self.compute_button.setToolTip(
            self.tr("A fast gradient estimate first, then the exact map (one ablation per head)")
        )
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("importanceCancel")
        self.cancel_button.setToolTip(self.tr("Stop computing the exact map"))
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setObjectName("importanceProgress")
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.importance_table = _table(
            "importanceTable",
            self.tr(
                "Δ log p of the predicted token when the head is ablated (red: the head helps "
                "it); click a head to ablate it, click again to restore it"
            ),
        )
        self.importance_table.cellClicked.connect(self._on_head_clicked)
        self.importance_legend = QLabel(self._legend_text())
        self.importance_legend.setObjectName("importanceLegend")
        self.importance_legend.setWordWrap(True)
        self.importance_legend.hide()  # until there is a map to read
        buttons = QHBoxLayout()
        buttons.addWidget(self.compute_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress, 1)
        importance_page = QWidget()
        column = QVBoxLayout(importance_page)
        column.addWidget(self.importance_note)
        column.addLayout(buttons)
        column.addWidget(self.importance_table, 1)
        column.addWidget(self.importance_legend)
        self.tabs.addTab(importance_page, self.tr("Head importance"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.compute_button.clicked.connect(self.importance_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)

    # -- the logit lens ------------------------------------------------------------------------
    def set_lens_computing(self, computing: bool) -> None:
        self.lens_progress.setVisible(computing)

    def clear_lens(self) -> None:
        """Another text or model: the lens shown is of an input that is gone, so none is shown until recomputed."""
        self.lens = None
        self.lens_table.setRowCount(0)
        self.lens_table.setColumnCount(0)
        self.lens_note.setText(self.tr("The logit lens of the current input appears here."))

    def show_lens(self, lens: LensResult) -> None:
        self.lens = lens
        self.set_lens_computing(False)
        entries, positions, _ = lens.topk_ids.shape
        table = self.lens_table
        table.setRowCount(entries)
        table.setColumnCount(positions)
        table.setHorizontalHeaderLabels([f"{i} {display_text(t)}" for i, t in enumerate(lens.tokens, lens.start)])
        labels = [self.tr("embeddings")] + [self.tr("layer {0}").format(layer) for layer in range(entries - 1)]
        labels[-1] += self.tr(" (output)")
        table.setVerticalHeaderLabels(labels)
        for entry in range(entries):
            for position in range(positions):
                texts = lens.topk_texts[entry][position]
                probs = lens.topk_probs[entry, position]
                item = QTableWidgetItem(display_text(texts[0]))
                item.setBackground(QBrush(probability_colour(float(probs[0]))))
                item.setForeground(QBrush(QColor("white" if probs[0] > 0.6 else "black")))
                item.setToolTip(
                    self.tr("{0}, position {1}:\n").format(labels[entry], lens.start + position)
                    + "\n".join(f"{display_text(t)!s:<16} {p:.1%}" for t, p in zip(texts, probs.tolist(), strict=True))
                )
                table.setItem(entry, position, item)
        what = self.tr("each [MASK] slot's filler") if lens.stack == "encoder" else self.tr("the next token")
        shown = self.tr(" (the last {0} tokens)").format(positions) if lens.start else ""
        self.lens_note.setText(
            self.tr(
                "Top-1 token at each layer (rows) and position (columns{0}), "
                "predicting {1}; the last row is the model's output."
            ).format(shown, what)
        )

    # -- head importance ------------------------------------------------------------------------
    def show_importance(self, importance: HeadImportance | None, ablated: frozenset = frozenset()) -> None:
        """A map (None: the computation was cancelled). `ablated`: (stack, layer, head) ablated now."""
        if importance is None:
            self.set_computing(False)
            return
        self.importance = importance
        layers, heads = importance.values.shape
        table = self.importance_table
        table.setRowCount(layers)
        table.setColumnCount(heads)
        table.setHorizontalHeaderLabels([self.tr("head {0}").format(h) for h in range(heads)])
        table.setVerticalHeaderLabels([self.tr("layer {0}").format(layer) for layer in range(layers)])
        scale = float(abs(importance.values).max()) or 1.0
        for layer in range(layers):
            for head in range(heads):
                value = float(importance.values[layer, head])
                off = (importance.stack, layer, head) in ablated
                item = QTableWidgetItem(("× " if off else "") + f"{value:+.3f}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(importance_colour(value, scale)))
                hint = self.tr(" (ablated now: click to restore)") if off else self.tr(" (click to ablate)")
                item.setToolTip(self.tr("layer {0} head {1}: Δ log p = {2:+.4f}").format(layer, head, value) + hint)
                table.setItem(layer, head, item)
        kind = (
            self.tr("exact: one ablation per head")
            if importance.exact
            else self.tr("gradient estimate; the exact map follows")
        )
        self.importance_note.setText(
            self.tr("How much p({0!s}) at position {1} (log p = {2:.3f}) depends on each head — {3}.").format(
                display_text(importance.target_text), importance.position, importance.logprob, kind
            )
        )
        self.importance_legend.show()
        if importance.exact:
            self.set_computing(False)

    def _legend_text(self) -> str:
        """What a cell's sign means, with the swatches the cells are painted in."""
        red, blue = importance_colour(1.0, 1.0).name(), importance_colour(-1.0, 1.0).name()
        swatch = '<span style="background:{0}">&nbsp;&nbsp;&nbsp;</span>'
        return self.tr(
            "{0} positive: the head helps the prediction (ablating it lowers its log p by that much) · "
            "{1} negative: the head works against it (ablating it raises its log p)"
        ).format(swatch.format(red), swatch.format(blue))

    def set_computing(self, computing: bool) -> None:
        self.compute_button.setEnabled(not computing)
        self.cancel_button.setEnabled(computing)
        self.progress.setVisible(computing)
        if computing:
            self.progress.setValue(0)

    def show_progress(self, message: str, fraction: float) -> None:
        self.progress.setFormat(message)
        self.progress.setValue(round(fraction * 100))

    def _on_head_clicked(self, layer: int, head: int) -> None:
        if self.importance is not None:
            self.head_clicked.emit(self.importance.stack, layer, head)
