"""The "Information flow" dock: direct logit attribution and the flow graph of the current prediction.

The flow graph follows the input (masks, ablations, steps) while its tab is shown: one forward with
hooks per change, asked once the burst of changes is over, pruned at the floor by the engine and then
by the slider here. The attribution map is computed on request (it is cheap, but clicking a head in it
ablates the head for real, which changes the input) and marked out of date when the input changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QTabWidget

from attnlab.app.i18n import translate
from attnlab.app.widgets.dla_view import DlaView
from attnlab.app.widgets.flow_view import FlowView
from attnlab.engine.analyses.flow_graph import prune_flow
from attnlab.engine.api.results import Candidate, FlowGraph, LogitAttribution

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

REFRESH_MS = 150  # one flow request per burst of changes
FLOOR = 0.01  # the engine sends edges down to this share; the slider starts there


class InfoFlowDock(QDockWidget):
    def __init__(self, window: MainWindow):
        super().__init__(self.tr("Information flow"), window)
        self.setObjectName("infoFlowDock")
        self._main = window
        self.dla = DlaView()
        self.flow = FlowView()
        self.flow.slider.setMinimum(round(FLOOR * 100))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("infoFlowTabs")
        self.tabs.addTab(self.flow, self.tr("Flow graph"))
        self.tabs.addTab(self.dla, self.tr("Direct logit attribution"))
        self.setWidget(self.tabs)
        self._refresh = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._refresh.timeout.connect(self.request_flow)
        client = window.client
        client.information_traced.connect(self._on_traced)
        for changed in (client.analysed, client.stepped, client.undone, client.run_finished):
            changed.connect(self._on_input_changed)
        self.dla.compute_requested.connect(client.attribute_logit)
        self.dla.head_clicked.connect(lambda stack, layer, head: window.toggle_ablation(stack, layer, head))
        self.visibilityChanged.connect(self._on_visibility_changed)
        self.tabs.currentChanged.connect(lambda _i: self._refresh.start())
        self.flow.canvas.hovered.connect(self._on_hovered)
        self.flow.canvas.edge_clicked.connect(self._on_edge_clicked)

    def _on_edge_clicked(self, layer: int, head: int, query: int, key: int) -> None:
        """Show that head large, with the edge's cell explained in the formula inspector."""
        graph = self.flow.graph
        if graph is None:
            return
        attention = self._main.attention
        attention.picker.select(stack=graph.stack, layer=layer, head=head)
        attention.explain(query, key)

    def _on_visibility_changed(self, shown: bool) -> None:
        if shown:
            self.dla.set_candidates(self.current_candidates())
            self._refresh.start()

    def _on_hovered(self, text: str) -> None:
        if text:
            self._main.statusBar().showMessage(text, 3000)

    def current_candidates(self) -> tuple[Candidate, ...]:
        """The candidates of the prediction the analyses explain: the next token's, or the first [MASK]'s."""
        document = self._main.document
        if document.steps:
            return document.steps[-1].next_candidates
        analysis = document.analysis
        if analysis is None:
            return ()
        if analysis.mask_predictions:
            return analysis.mask_predictions[0].candidates
        return analysis.next_candidates

    def _ready(self) -> bool:
        document = self._main.document
        info = document.info
        predicts = info is not None and (info.kind != "encoder" or info.has_mlm_head)
        return self.isVisible() and predicts and document.analysis is not None

    def _on_input_changed(self, *_: object) -> None:
        self.dla.set_candidates(self.current_candidates())
        self.dla.mark_out_of_date()
        self._refresh.start()

    def request_flow(self) -> None:
        if not (self._ready() and self.tabs.currentWidget() is self.flow and not self._main.client.running):
            return
        info = self._main.document.info
        if info is not None and info.kind != "decoder":  # post-norm encoders, cross-attention: not drawn yet
            self.flow.show_message(
                self.tr(
                    "The flow graph follows a decoder-only model's residual stream; for this model use the direct "
                    "logit attribution tab, or export the graph of a pre-norm encoder with attnlab export."
                )
            )
            return
        self._main.client.trace_flow(FLOOR)

    def _on_traced(self, result: object) -> None:
        if isinstance(result, FlowGraph):
            self.flow.show_graph(result)
        elif isinstance(result, LogitAttribution):
            self.dla.show_result(result)
            self._compare_with_importance(result)

    def _compare_with_importance(self, result: LogitAttribution) -> None:
        """How the direct attribution ranks the heads next to the exact importance map of the same token
        (the other dock's, when it was computed for this prediction)."""
        importance = self._main.prediction.view.importance
        if (
            importance is None
            or not importance.exact
            or importance.target_id != result.target_id
            or result.alternative_id >= 0
            or importance.values.shape != result.heads.shape
        ):
            return
        r = float(np.corrcoef(importance.values.ravel(), result.heads.ravel())[0, 1])
        heads = result.heads.shape[1]
        by_importance, by_dla = int(np.argmax(importance.values)), int(np.argmax(result.heads))
        self.dla.note.setText(
            self.dla.note.text()
            + self.tr(
                " Against the exact importance map of the same token: r = {0:.2f}; "
                "its top head L{1} H{2}, this map's L{3} H{4}."
            ).format(r, by_importance // heads, by_importance % heads, by_dla // heads, by_dla % heads)
        )

    def drawn_edges(self) -> object:
        """What the canvas draws (tests compare it with the engine's graph)."""
        graph = self.flow.graph
        return None if graph is None else prune_flow(graph.edges, graph.layers, graph.position, self.flow.threshold)


def install_info_flow_dock(window: MainWindow) -> InfoFlowDock:
    """Add the dock (hidden) and its View-menu toggle to the window."""
    dock = InfoFlowDock(window)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    dock.hide()
    toggle = dock.toggleViewAction()
    toggle.setObjectName("infoFlowViewAction")
    toggle.setText(translate("info_flow_dock", "&Information flow"))
    toggle.setStatusTip(
        translate("info_flow_dock", "Show which heads write the prediction and the route from the input to it")
    )
    toggle.setToolTip(toggle.statusTip())
    window.menus["viewMenu"].addAction(toggle)
    return dock
