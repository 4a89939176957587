"""The attention side of the window: pickers, the large head heatmap and the head grid, kept in step,
and below them the formula inspector of the last clicked cell. Under the grid: what colours its
heads (a head score) and the heads table; the heatmap can show the stack's rollout instead of a head.

Head scores and rollout are computed by the engine thread from the snapshot shown (the panel asks
through `scores_wanted` / `rollout_wanted`, one request of each in flight) and come back through
`show_scores` / `show_rollout`; a reply about an older snapshot is shown until the newer one comes.

A long document (the engine's long-document mode) comes as a max-pooled overview per head instead of
a snapshot: both views draw overviews, the heatmap asks for exact weights where the user zooms in
(`region_wanted`, answered through `show_region`), and what needs every exact weight says why it is off.
"""

from __future__ import annotations

from typing import cast

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from attnlab.app import i18n
from attnlab.app.attention_keys import AttentionKeys
from attnlab.app.contribution_mode import WEIGHTS, ContributionMode
from attnlab.app.document import STACK_TITLES, Document, fit_labels
from attnlab.app.head_metrics import METRICS, PROBE, colour_range, metric_values
from attnlab.app.long_colours import LongColours
from attnlab.app.plots.colors import peak_pool
from attnlab.app.plots.head_grid import HeadGridView, pool_factors
from attnlab.app.plots.heatmap import HeatmapView
from attnlab.app.requests import RegionWeights
from attnlab.app.token_text import display_text
from attnlab.app.widgets.attention_picker import AttentionPicker
from attnlab.app.widgets.formula_panel import FormulaPanel
from attnlab.app.widgets.head_scores_bar import ATTENTION, HeadScoresBar
from attnlab.app.widgets.heads_table import HeadsTable
from attnlab.engine.analyses.head_scores import SELF_ATTENTION, HeadScores, StackRollout
from attnlab.engine.api.attention_store import AttentionSnapshot
from attnlab.engine.api.long_summary import LongAttention
from attnlab.engine.api.results import ModelInfo, StackInfo

SIDE_BY_SIDE_PX = 520  # a narrower pane puts the head grid under the heatmap: each keeps a useful width
DEFAULT_STACK = {"encoder": "encoder", "decoder": "decoder", "encoder-decoder": "cross"}


def shared_difference(now: NDArray[np.float32], reference: NDArray[np.float32]) -> tuple[NDArray[np.float32], str]:
    """now − reference over the shared prefix of queries and keys ([..., query, key]), and a note saying
    so when the lengths differ (empty when they line up)."""
    rows, cols = min(now.shape[-2], reference.shape[-2]), min(now.shape[-1], reference.shape[-1])
    difference = now[..., :rows, :cols] - reference[..., :rows, :cols]
    if now.shape[-2:] == reference.shape[-2:]:
        return np.ascontiguousarray(difference, np.float32), ""
    note = QCoreApplication.translate(
        "AttentionPanel", " · only the first {2} tokens compared (lengths differ: {0} now, {1} in the reference)"
    ).format(now.shape[-2], reference.shape[-2], rows)
    return np.ascontiguousarray(difference, np.float32), note


class AttentionPanel(QWidget):
    ablation_toggled = Signal(str, int, int)  # stack, layer, head
    hovered = Signal(str)  # "query → key: weight", or "" when the mouse left the heatmap
    cell_requested = Signal(str, int, int, int, int)  # stack, layer, head, query, key: explain this cell
    scores_wanted = Signal(str, object, object)  # stack, AttentionSnapshot, token ids along its axes
    rollout_wanted = Signal(str, object)  # stack, AttentionSnapshot
    probe_requested = Signal()  # run the induction probe
    region_wanted = Signal(int, int, object, object, int)  # layer, head, (q0, q1), (k0, k1), view: exact weights

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.picker = AttentionPicker()
        self.heatmap = HeatmapView()
        self.grid = HeadGridView()
        self.heatmap.share_colorbar(self.grid.image)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("viewSplitter")
        self.scores_bar = HeadScoresBar()
        self.heads_table = HeadsTable()
        self.heads_table.hide()  # shown while a score colours the grid
        scores = QWidget()
        column = QVBoxLayout(scores)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.scores_bar)
        column.addWidget(self.heads_table, 1)
        self.grid_splitter = QSplitter(Qt.Orientation.Vertical)
        self.grid_splitter.setObjectName("gridSplitter")
        self.grid_splitter.addWidget(self.grid)
        self.grid_splitter.addWidget(scores)
        self.grid_splitter.setStretchFactor(0, 3)
        self.grid_splitter.setStretchFactor(1, 2)
        self.splitter.addWidget(self.heatmap)
        self.splitter.addWidget(self.grid_splitter)
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
        self._model_stacks: tuple[StackInfo, ...] = ()  # the loaded model's, to tell a same-shaped one
        self._scores: HeadScores | None = None  # the last head scores of the text (maybe of an older snapshot)
        self._probe: HeadScores | None = None  # the induction probe's, for this model
        self._tabled: tuple[object, object] = (None, None)  # (scores, probe) the table shows
        self._asked_scores: AttentionSnapshot | None = None  # in flight
        self._failed_scores: AttentionSnapshot | None = None  # not asked again
        self.rollout_on = False  # the heatmap shows the stack's rollout instead of a head
        self.reference: dict[str, NDArray[np.float32]] | None = None  # pinned: stack -> [layer, head, query, key]
        self.difference_on = False  # while pinned: the views show now − reference
        self._rollout: StackRollout | None = None
        self._asked_rollout: AttentionSnapshot | None = None
        self._failed_rollout: AttentionSnapshot | None = None
        self.scores_bar.metric_changed.connect(self._on_metric_changed)
        self.scores_bar.probe_requested.connect(self._on_probe_requested)
        self.heads_table.head_chosen.connect(self._on_head_clicked)
        self.picker.changed.connect(self.redraw)
        self.grid.head_clicked.connect(self._on_head_clicked)
        self.grid.ablation_toggled.connect(self._on_ablation_toggled)
        self.heatmap.hovered.connect(lambda *_: self.hovered.emit(self.heatmap.hover_text))
        self.heatmap.cell_clicked.connect(self.explain)
        self.heatmap.region_wanted.connect(self._on_region_wanted)
        self._view = 0  # counts the texts (analyses, undos) shown in long mode: a region is of one of them
        self._view_of: object = None  # the analysis `_view` counts
        self._mean_tip = self.picker.mean_box.toolTip()
        self.long_colours = LongColours(self.picker)  # long documents open on the log scale
        self.keys = AttentionKeys(self)  # arrow keys, PageUp/PageDown in the two views
        self.colour_mode = ContributionMode(self)  # weights or contributions ‖f‖ (engine.analyses.contributions)
        picker_row = self.picker.layout()
        if picker_row is not None:
            picker_row.addWidget(self.colour_mode.box)
        self.colour_mode.changed.connect(self.redraw)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._arrange_views()

    def _arrange_views(self) -> None:
        """Heatmap and head grid side by side in a wide pane, the grid under the heatmap in a narrow one (a
        lesson open on a small screen): side by side there, the heatmap would shrink to a sliver."""
        wanted = Qt.Orientation.Horizontal if self.width() >= SIDE_BY_SIDE_PX else Qt.Orientation.Vertical
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)
            self.splitter.setSizes([3000, 2000])  # 3 : 2 along the new direction, as the stretch factors say

    def set_model(self, info: ModelInfo | None) -> None:
        self.formula.close_panel()
        self.colour_mode.reset()
        self._scores = self._probe = self._rollout = None
        self._asked_scores = self._failed_scores = self._asked_rollout = self._failed_rollout = None
        self.scores_bar.set_probe_available(False)
        self.scores_bar.set_probing(False, can_probe=bool(info and info.kind == "decoder"))
        stacks = info.stacks if info else ()
        same_shape = bool(stacks) and stacks == self._model_stacks  # e.g. checkpoints of one training run
        self._model_stacks = stacks
        self.picker.set_stacks(stacks)
        if info and not same_shape:  # a model of the same shape keeps the layer and head the user looks at
            default = DEFAULT_STACK.get(info.kind)
            self.picker.select(stack=default if any(s.name == default for s in stacks) else None, layer=0, head=0)

    def set_document(self, document: Document) -> None:
        """The document to draw; redraw() draws both views, render_heatmap/render_grid one each."""
        self._document = document

    def redraw(self) -> None:
        """Both views, now. (Not `render`: that is QWidget.render, which paints into a device.)"""
        self.render_heatmap()
        self.render_grid()

    def showing(self) -> tuple[Document, AttentionSnapshot, str, int] | None:
        """(document, snapshot, stack, layer) the views draw, or None when they show nothing (figures ask)."""
        return self._current()

    def query_labels(self) -> list[str] | None:
        """The tokens along the large heatmap's query axis (a long document's too), or None when it shows nothing."""
        long = self.showing_long()
        if long is not None:
            return fit_labels(long[0].labels(long[1].stack)[0], long[1].rows)
        current = self._current()
        return None if current is None else current[0].labels(current[2])[0]

    def _current(self) -> tuple[Document, AttentionSnapshot, str, int] | None:
        """(document, snapshot, stack, layer) when there is attention to show, else None."""
        document = self._document
        snapshot = document.snapshot if document else None
        stack = self.picker.stack
        if document is None or snapshot is None or stack not in snapshot.stacks or snapshot.shape(stack)[2] == 0:
            return None
        return document, snapshot, stack, min(self.picker.layer, snapshot.shape(stack)[0] - 1)

    def showing_long(self) -> tuple[Document, LongAttention, int] | None:
        """(document, overview, layer) when the views draw a long document's overview, else None."""
        document = self._document
        long = document.long if document else None
        if document is None or long is None or self.picker.stack != long.stack or long.rows == 0:
            return None
        return document, long, min(self.picker.layer, long.shape()[0] - 1)

    def render_heatmap(self) -> None:
        self._mark_long()
        long = self.showing_long()
        self.long_colours.follow(long is not None)
        if long is not None:
            self._render_long_heatmap(*long)
            return
        current = self._current()
        if current is None:
            self.heatmap.show_nothing()
            return
        document, snapshot, stack, layer = current
        queries, keys = document.labels(stack)
        where = self.tr("{0} · layer {1}").format(i18n.title(STACK_TITLES.get(stack, stack)), layer)
        if self.rollout_on:
            self._render_rollout(document, snapshot, stack, layer)
            return
        if self.picker.mean:
            matrix, title = snapshot.mean(stack, layer), self.tr("{0} · mean of heads").format(where)
        else:
            head = self.picker.head
            matrix, title = snapshot.matrix(stack, layer, head), self.tr("{0} · head {1}").format(where, head)
        reference = self._reference_layer(stack, layer)
        if reference is not None:
            head = min(self.picker.head, len(reference) - 1)
            pinned = reference.mean(axis=0) if self.picker.mean else reference[head]
            difference, note = shared_difference(matrix, pinned)
            rows, cols = difference.shape
            title = self.tr("difference to the reference{0} · {1} · now − reference").format(note, title)
            self.heatmap.show_difference(difference, queries[:rows], keys[:cols], title)
            return
        if self.colour_mode.mode != WEIGHTS:
            matrix, title = self._contributions(snapshot, stack, layer, matrix, title)
        self.heatmap.show_matrix(matrix, queries, keys, title, self.picker.scale, self.picker.hide_first)

    def _contributions(
        self, snapshot: AttentionSnapshot, stack: str, layer: int, matrix: NDArray[np.float32], title: str
    ) -> tuple[NDArray[np.float32], str]:
        """The large heatmap's matrix in the contribution colour mode (the weights while they are measured)."""
        norms = self.colour_mode.norms_for(snapshot, stack)
        if norms is None or norms.projected.shape[-1] < matrix.shape[-1]:
            return matrix, self.tr("{0} · weights (measuring contributions…)").format(title)
        if self.picker.mean:
            values, top = self.colour_mode.apply(snapshot.layer(stack, layer), norms.projected[layer])
            values = values.mean(axis=0)
        else:
            values, top = self.colour_mode.apply(matrix, norms.projected[layer, self.picker.head])
        if self.colour_mode.mode == "share":
            return values, self.tr("{0} · row share of ‖f‖").format(title)
        return values, self.tr("{0} · ‖f‖ = α·‖v W_O‖ (1 = {1:.3g})").format(title, top)

    def render_grid(self) -> None:
        long = self.showing_long()
        if long is not None:
            self._render_long_grid(*long)
            return
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
        pinned = [self._reference_layer(stack, i) for i in shown]
        if self.heatmap.showing_difference and all(p is not None for p in pinned):
            # pooled here keeping either sign's peaks (the grid's own max-pool would drop the negative ones)
            blocks = [
                peak_pool(shared_difference(snapshot.layer(stack, i), p)[0], fy, fx)
                for i, p in zip(shown, pinned, strict=True)
                if p is not None
            ]
            self.grid.show_layers(
                blocks,
                shown,
                None if self.picker.mean else (layer, self.picker.head),
                ablated,
                self.tr("difference to the reference · {0}").format(title),
            )
            self._show_head_scores(document, snapshot, stack, shown, snapshot.shape(stack)[0])
            return
        norms = self.colour_mode.norms_for(snapshot, stack) if self.colour_mode.mode != WEIGHTS else None
        if norms is not None and norms.projected.shape[-1] >= cols:
            # each [head, query/fy, key/fx]: contributions of the layer's heads (1 = the layer's largest), pooled
            blocks = [
                peak_pool(self.colour_mode.apply(snapshot.layer(stack, i), norms.projected[i])[0], fy, fx)
                for i in shown
            ]
            self.grid.show_layers(
                blocks,
                shown,
                None if self.picker.mean else (layer, self.picker.head),
                ablated,
                self.tr("contributions ‖f‖ · {0}").format(title),
            )
            self._show_head_scores(document, snapshot, stack, shown, snapshot.shape(stack)[0])
            return
        self.grid.show_layers(
            # each [head, query/fy, key/fx], pooled as the grid would
            [snapshot.pooled(stack, i, None, fy, fx) for i in shown],
            shown,
            None if self.picker.mean else (layer, self.picker.head),
            ablated,
            self.tr("all layers × heads · {0}").format(title)
            if len(shown) > 1
            else self.tr("heads of layer {0} · {1}").format(layer, title),
        )
        self._show_head_scores(document, snapshot, stack, shown, snapshot.shape(stack)[0])

    def explain(self, query: int, key: int) -> None:
        """Show how the weight of (query, key) in the large heatmap was computed (asked of the engine)."""
        long = self.showing_long()
        if long is not None:
            self._explain_long(query, key, *long)
            return
        current = self._current()
        if current is None:
            return
        document, _snapshot, stack, layer = current
        queries, keys = document.labels(stack)
        q = display_text(queries[query], 20) if query < len(queries) else f"#{query}"
        k = display_text(keys[key], 20) if key < len(keys) else f"#{key}"
        where = self.tr("{0!r} #{1} → {2!r} #{3} · {4} layer {5}").format(
            q, query, k, key, i18n.translate("EngineMessage", stack), layer
        )
        was_hidden = self.formula.isHidden()
        if self.rollout_on:
            self.formula.show_message(
                self.tr("{0} · rollout").format(where),
                self.tr(
                    "Rollout multiplies the mean attention of every layer up to this one (with the "
                    "residual stream): no single head computed it. Turn rollout off (View menu) and click "
                    "a cell of one head."
                ),
            )
        elif self.picker.mean:
            self.formula.show_message(
                self.tr("{0} · mean of heads").format(where),
                self.tr(
                    'The mean of heads has no single head and so no formula: untick "mean" and click a '
                    "cell of one head."
                ),
            )
        else:
            head = self.picker.head
            self.formula.show_pending(stack, layer, head, query, key, self.tr("{0} · head {1}").format(where, head))
            self.cell_requested.emit(stack, layer, head, query, key)
        if was_hidden:
            total = sum(self.vertical.sizes()) or self.height()
            below = min(300, total // 2)
            self.vertical.setSizes([total - below, below])

    # -- difference to a pinned reference -----------------------------------------------------

    def set_reference(self, reference: dict[str, NDArray[np.float32]] | None) -> None:
        """The pinned run's attention (stack -> [layer, head, query, key]); None: unpinned."""
        self.reference = reference
        self.redraw()

    def set_difference(self, on: bool) -> None:
        """Show now − reference in the heatmap and the grid (while a reference is pinned)."""
        self.difference_on = on
        self.redraw()

    def _reference_layer(self, stack: str, layer: int) -> NDArray[np.float32] | None:
        """The pinned [head, query, key] of this layer when the difference is to be shown, else None."""
        reference = self.reference.get(stack) if self.reference is not None and self.difference_on else None
        current = self._current()
        if reference is None or current is None or self.rollout_on:
            return None
        if reference.shape[:2] != current[1].shape(stack)[:2]:  # pinned with another model
            return None
        if layer >= reference.shape[0]:
            return None
        return reference[layer]

    # -- head scores -------------------------------------------------------------------------

    def _show_head_scores(
        self, document: Document, snapshot: AttentionSnapshot, stack: str, shown: list[int], layers: int
    ) -> None:
        """Colour the grid by the chosen score and fill the table, asking for the scores of this snapshot."""
        metric = self.scores_bar.chosen
        if self.heads_table.isHidden() and metric != ATTENTION:
            self.heads_table.show()
            total = sum(self.grid_splitter.sizes()) or self.height()
            self.grid_splitter.setSizes([total * 11 // 20, total * 9 // 20])
        elif metric == ATTENTION:
            self.heads_table.hide()
        if metric == ATTENTION:
            self.grid.show_metric(None)
            self.scores_bar.status.setText("")
            return
        probe = self._probe if stack == "decoder" else None
        scores = self._scores if self._scores is not None and self._scores.stack == stack else None
        if stack not in SELF_ATTENTION:
            scores = None
            self.scores_bar.status.setText(
                self.tr("head scores are for self-attention: pick the encoder or decoder stack")
            )
        elif scores is None or scores.snapshot is not snapshot:
            self._ask_scores(document, snapshot, stack)
            failed = self._failed_scores is snapshot
            self.scores_bar.status.setText(
                self.tr("could not score the heads (see the message)") if failed else self.tr("scoring…")
            )
        elif metric == PROBE and probe is not None:
            self.scores_bar.status.setText(self.tr("on the probe: {0} random tokens, twice").format(probe.tokens // 2))
        else:
            self.scores_bar.status.setText(self.tr("on {0} tokens").format(scores.tokens))
        if self._tabled != (scores, probe):
            self._tabled = (scores, probe)
            self.heads_table.show_scores(scores, probe)
        self.heads_table.lead_with(metric)
        if not self.picker.mean:
            self.heads_table.select_head(min(self.picker.layer, layers - 1), self.picker.head)
        values = metric_values(metric, scores, probe)
        if values is None or values.shape[0] <= max(shown):
            self.grid.show_metric(None)
            return
        self.grid.show_metric(values[shown], i18n.title(METRICS[metric].title), colour_range(metric, values))

    def _ask_scores(self, document: Document, snapshot: AttentionSnapshot, stack: str) -> None:
        if self._asked_scores is None and self._failed_scores is not snapshot:
            self._asked_scores = snapshot
            self.scores_wanted.emit(stack, snapshot, document.sequence_ids(stack))

    def _fits(self, stack: str, shape: tuple[int, ...]) -> bool:
        """Whether results of this [layer, head] (or [layer]) shape can be of the model shown, not of one
        replaced since."""
        long = self.showing_long()
        if long is not None:
            return stack == long[1].stack and long[1].shape()[: len(shape)] == shape
        current = self._current()
        return current is not None and stack in current[1].stacks and current[1].shape(stack)[: len(shape)] == shape

    def show_scores(self, scores: HeadScores | None) -> None:
        """The engine's head scores of a snapshot this panel asked for (None: skipped, as newer work was
        queued behind it: asked again for what is shown now)."""
        self._asked_scores = None
        if scores is not None and self._fits(scores.stack, scores.prints.entropy.shape):
            self._scores = scores
        self.render_grid()

    def show_probe(self, scores: HeadScores) -> None:
        """The induction probe's scores: offered as a metric, chosen, and the table sorted by them."""
        if not self.scores_bar.probing or not self._fits(scores.stack, scores.prints.induction.shape):
            return  # asked of a model replaced since
        self._probe = scores
        self.scores_bar.set_probing(False)
        self.scores_bar.set_probe_available(True)
        self.scores_bar.set_metric(PROBE)
        self.render_grid()
        self.heads_table.sort_by(PROBE)

    def scoring_failed(self, kind: str, message: str) -> None:
        """A request of this panel errored (the window shows the message): don't ask again for the same input."""
        if kind == "region":
            self.heatmap.region_failed()
        elif kind == "heads":
            self._failed_scores, self._asked_scores = self._asked_scores, None
            self.render_grid()
        elif kind == "rollout":
            self._failed_rollout, self._asked_rollout = self._asked_rollout, None
            self.render_heatmap()
        else:
            self.scores_bar.set_probing(False)
            self.scores_bar.status.setText(self.tr("the induction probe failed (see the message)"))

    def _on_metric_changed(self, _metric: str) -> None:
        self.render_grid()

    def _on_probe_requested(self) -> None:
        self.scores_bar.set_probing(True)
        self.probe_requested.emit()

    # -- rollout -------------------------------------------------------------------------------

    def set_rollout(self, on: bool) -> None:
        """Show the stack's attention rollout through the picked layer in the large heatmap (or a head again)."""
        self.rollout_on = on
        self.render_heatmap()

    def _render_rollout(self, document: Document, snapshot: AttentionSnapshot, stack: str, layer: int) -> None:
        title = i18n.title(STACK_TITLES.get(stack, stack))
        empty = np.zeros((0, 0), np.float32)
        if stack not in SELF_ATTENTION:
            self.heatmap.show_matrix(
                empty, [], [], self.tr("rollout is for self-attention: pick the encoder or decoder stack")
            )
            return
        result = self._rollout if self._rollout is not None and self._rollout.stack == stack else None
        current = result is not None and result.snapshot is snapshot
        if not current and self._asked_rollout is None and self._failed_rollout is not snapshot:
            self._asked_rollout = snapshot
            self.rollout_wanted.emit(stack, snapshot)
        if result is None:
            failed = self._failed_rollout is snapshot
            self.heatmap.show_matrix(
                empty, [], [], self.tr("could not compute the rollout") if failed else self.tr("computing rollout…")
            )
            return
        matrix = result.matrices[min(layer, len(result.matrices) - 1)]  # [query, key]
        queries, keys = document.labels(stack)
        rows, cols = matrix.shape
        note = "" if current else self.tr(" · updating…")
        self.heatmap.show_matrix(
            matrix,
            queries[:rows],
            keys[:cols],
            self.tr("rollout through layer {0} · {1}{2}").format(layer, title, note),
            self.picker.scale,
            self.picker.hide_first,
        )

    def show_rollout(self, result: StackRollout | None) -> None:
        """The engine's rollout of a snapshot this panel asked for (None: skipped, see show_scores)."""
        self._asked_rollout = None
        if result is not None and self._fits(result.stack, (len(result.matrices),)):
            self._rollout = result
        self.render_heatmap()

    def _on_head_clicked(self, layer: int, head: int) -> None:
        self.picker.select(layer=layer, head=head)

    def _on_ablation_toggled(self, layer: int, head: int) -> None:
        self.ablation_toggled.emit(self.picker.stack or "", layer, head)

    # -- long documents ------------------------------------------------------------------------

    def _mark_long(self) -> None:
        """The mean of heads is off for a long document: its overview keeps each head's maxima, and the mean
        of those is not the maximum of the mean. (A box ticked before stays enabled, to be unticked.)"""
        long = self._document is not None and self._document.long is not None
        box = self.picker.mean_box
        box.setEnabled(not long or box.isChecked())
        tip = (
            self.tr(
                "Not available for a long document: its overview keeps each head's largest weights, and their "
                "mean is not the mean's largest weight. Pick one head."
            )
            if long
            else self._mean_tip
        )
        if box.toolTip() != tip:
            box.setToolTip(tip)

    def _render_long_heatmap(self, document: Document, long: LongAttention, layer: int) -> None:
        stack = long.stack
        queries, keys = document.labels(stack)
        where = self.tr("{0} · layer {1}").format(i18n.title(STACK_TITLES.get(stack, stack)), layer)
        empty = np.zeros((0, 0), np.float32)
        if self.rollout_on:
            self.heatmap.show_matrix(
                empty,
                [],
                [],
                self.tr(
                    "rollout is not available for a long document: it multiplies every exact weight of every "
                    "layer. Turn rollout off (View menu) or shorten the text"
                ),
            )
            return
        if self.picker.mean:
            self.heatmap.show_matrix(
                empty,
                [],
                [],
                self.tr(
                    "the mean of heads is not available for a long document: its overview keeps each head's "
                    'largest weights. Untick "mean" and pick a head'
                ),
            )
            return
        head = min(self.picker.head, long.shape()[1] - 1)
        title = self.tr("{0} · head {1}").format(where, head)  # the heatmap adds what it draws: overview or exact
        title += self.long_colours.title_note()
        if self.difference_on and self.reference is not None:
            title = self.tr("no difference to the reference for a long document · {0}").format(title)
        self.heatmap.show_overview(
            long.overview(layer, head),
            long.factor,
            long.rows,
            fit_labels(queries, long.rows),
            fit_labels(keys, long.rows),
            title,
            (self._long_view(document), layer, head),
            self.picker.scale,
        )

    def _long_view(self, document: Document) -> int:
        """The number of the text shown (a new analysis or an undo: another one)."""
        if document.analysis is not self._view_of:
            self._view_of = document.analysis
            self._view += 1
        return self._view

    def _render_long_grid(self, document: Document, long: LongAttention, layer: int) -> None:
        count, heads, rows, _ = long.shape()
        shown = list(range(count)) if self.picker.all_layers else [layer]
        fy, fx = pool_factors(len(shown), heads, rows, rows)
        fy, fx = (long.factor * -(-f // long.factor) for f in (fy, fx))  # whole cells of the overview
        ablated = frozenset((lay, h) for s, lay, h in document.masks.ablated_heads if s == long.stack)
        title = i18n.title(STACK_TITLES.get(long.stack, long.stack))
        title = (
            self.tr("all layers × heads · {0}").format(title)
            if len(shown) > 1
            else self.tr("heads of layer {0} · {1}").format(layer, title)
        )
        self.grid.show_layers(
            [long.overview(i, None, fy, fx) for i in shown],  # each [head, query/fy, key/fx]
            shown,
            None if self.picker.mean else (layer, self.picker.head),
            ablated,
            self.tr("{0} · max of {1}×{2} tokens").format(title, fy, fx),
        )
        if document.snapshot is not None:  # the engine scores a long document's heads from recomputed rows
            self._show_head_scores(document, document.snapshot, long.stack, shown, count)

    def _explain_long(self, query: int, key: int, document: Document, long: LongAttention, layer: int) -> None:
        was_hidden = self.formula.isHidden()
        self.formula.show_message(
            self.tr("#{0} → #{1} · layer {2}").format(query, key, layer),
            self.tr(
                "The formula inspector runs the whole text again without the cache, holding every weight of "
                "a layer at once: too much memory for a long document ({0} tokens). The exact weight is in "
                "the heatmap when zoomed in; shorten the text to inspect how it was computed."
            ).format(long.rows),
        )
        if was_hidden:
            total = sum(self.vertical.sizes()) or self.height()
            below = min(300, total // 2)
            self.vertical.setSizes([total - below, below])

    def _on_region_wanted(self, q0: int, q1: int, k0: int, k1: int) -> None:
        overview = self.heatmap.overview
        if overview is None:
            return
        view, layer, head = cast(tuple[int, int, int], overview.key)  # the key _render_long_heatmap gave it
        self.region_wanted.emit(layer, head, (q0, q1), (k0, k1), view)

    def show_region(self, reply: RegionWeights) -> None:
        """Exact weights the heatmap asked for; dropped when it shows another head or text by now."""
        request = reply.request
        bounds = (*request.queries, *request.keys)
        self.heatmap.show_region(bounds, reply.weights, (request.view, request.layer, request.head))
