"""The attention side of the window: pickers, the large head heatmap and the head grid, kept in step,
and below them the formula inspector of the last clicked cell."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from app import i18n
from app.document import STACK_TITLES, Document
from app.plots.head_grid import HeadGridView, pool_factors
from app.plots.heatmap import HeatmapView
from app.token_text import display_text
from app.widgets.attention_picker import AttentionPicker
from app.widgets.formula_panel import FormulaPanel
from engine.attention_store import AttentionSnapshot
from engine.results import ModelInfo

DEFAULT_STACK = {"encoder": "encoder", "decoder": "decoder", "encoder-decoder": "cross"}


class AttentionPanel(QWidget):
    ablation_toggled = Signal(str, int, int)  # stack, layer, head
    hovered = Signal(str)  # "query → key: weight", or "" when the mouse left the heatmap
    cell_requested = Signal(str, int, int, int, int)  # stack, layer, head, query, key: explain this cell

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.picker = AttentionPicker()
        self.heatmap = HeatmapView()
        self.grid = HeadGridView()
        self.heatmap.share_colorbar(self.grid.image)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("viewSplitter")
        self.splitter.addWidget(self.heatmap)
        self.splitter.addWidget(self.grid)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.picker)
        self.formula = FormulaPanel()
        self.vertical = QSplitter(Qt.Orientation.Vertical)
        self.vertical.setObjectName("formulaSplitter")
        self.vertical.addWidget(self.splitter)
        self.vertical.addWidget(self.formula)
        self.vertical.setStretchFactor(0, 3)
        self.vertical.setStretchFactor(1, 1)
        layout.addWidget(self.vertical, 1)
        self._document: Document | None = None
        self.picker.changed.connect(self.redraw)
        self.grid.head_clicked.connect(self._on_head_clicked)
        self.grid.ablation_toggled.connect(self._on_ablation_toggled)
        self.heatmap.hovered.connect(lambda *_: self.hovered.emit(self.heatmap.hover_text))
        self.heatmap.cell_clicked.connect(self.explain)

    def set_model(self, info: ModelInfo | None) -> None:
        self.formula.close_panel()
        stacks = info.stacks if info else ()
        self.picker.set_stacks(stacks)
        if info:
            default = DEFAULT_STACK.get(info.kind)
            self.picker.select(stack=default if any(s.name == default for s in stacks) else None, layer=0, head=0)

    def set_document(self, document: Document) -> None:
        """The document to draw; redraw() draws both views, render_heatmap/render_grid one each."""
        self._document = document

    def redraw(self) -> None:
        """Both views, now. (Not `render`: that is QWidget.render, which paints into a device.)"""
        self.render_heatmap()
        self.render_grid()

    def _current(self) -> tuple[Document, AttentionSnapshot, str, int] | None:
        """(document, snapshot, stack, layer) when there is attention to show, else None."""
        document = self._document
        snapshot = document.snapshot if document else None
        stack = self.picker.stack
        if document is None or snapshot is None or stack not in snapshot.stacks or snapshot.shape(stack)[2] == 0:
            return None
        return document, snapshot, stack, min(self.picker.layer, snapshot.shape(stack)[0] - 1)

    def render_heatmap(self) -> None:
        current = self._current()
        if current is None:
            self.heatmap.show_nothing()
            return
        document, snapshot, stack, layer = current
        queries, keys = document.labels(stack)
        where = self.tr("{0} · layer {1}").format(i18n.title(STACK_TITLES.get(stack, stack)), layer)
        if self.picker.mean:
            matrix, title = snapshot.mean(stack, layer), self.tr("{0} · mean of heads").format(where)
        else:
            head = self.picker.head
            matrix, title = snapshot.matrix(stack, layer, head), self.tr("{0} · head {1}").format(where, head)
        self.heatmap.show_matrix(matrix, queries, keys, title, self.picker.scale, self.picker.hide_first)

    def render_grid(self) -> None:
        current = self._current()
        if current is None:
            self.grid.show_layers([], [], None)
            return
        document, snapshot, stack, layer = current
        shown = list(range(snapshot.shape(stack)[0])) if self.picker.all_layers else [layer]
        ablated = frozenset((lay, h) for s, lay, h in document.masks.ablated_heads if s == stack)
        title = i18n.title(STACK_TITLES.get(stack, stack))
        _, heads, rows, cols = snapshot.shape(stack)
        fy, fx = pool_factors(len(shown), heads, rows, cols)
        self.grid.show_layers(
            # each [head, query/fy, key/fx], pooled as the grid would
            [snapshot.pooled(stack, i, None, fy, fx) for i in shown],
            shown,
            None if self.picker.mean else (layer, self.picker.head),
            ablated,
            self.tr("all layers × heads · {0}").format(title) if len(shown) > 1
            else self.tr("heads of layer {0} · {1}").format(layer, title),
        )

    def explain(self, query: int, key: int) -> None:
        """Show how the weight of (query, key) in the large heatmap was computed (asked of the engine)."""
        current = self._current()
        if current is None:
            return
        document, _snapshot, stack, layer = current
        queries, keys = document.labels(stack)
        q = display_text(queries[query], 20) if query < len(queries) else f"#{query}"
        k = display_text(keys[key], 20) if key < len(keys) else f"#{key}"
        where = self.tr("{0!r} #{1} → {2!r} #{3} · {4} layer {5}").format(
            q, query, k, key, i18n.translate("EngineMessage", stack), layer)
        was_hidden = self.formula.isHidden()
        if self.picker.mean:
            self.formula.show_message(
                self.tr("{0} · mean of heads").format(where),
                self.tr('The mean of heads has no single head and so no formula: untick "mean" and click a '
                        "cell of one head."),
            )
        else:
            head = self.picker.head
            self.formula.show_pending(stack, layer, head, query, key, self.tr("{0} · head {1}").format(where, head))
            self.cell_requested.emit(stack, layer, head, query, key)
        if was_hidden:
            total = sum(self.vertical.sizes()) or self.height()
            below = min(300, total // 2)
            self.vertical.setSizes([total - below, below])

    def _on_head_clicked(self, layer: int, head: int) -> None:
        self.picker.select(layer=layer, head=head)

    def _on_ablation_toggled(self, layer: int, head: int) -> None:
        self.ablation_toggled.emit(self.picker.stack or "", layer, head)
