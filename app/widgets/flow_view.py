"""The information-flow graph drawn: layers as rows (the embeddings at the bottom), tokens as columns.

An edge's width grows with its weight (its share of the residual it writes into); attention edges are
coloured by head, the residual/MLP path grey. The threshold slider re-prunes the engine's graph here
(`engine.analyses.flow_graph.prune_flow`), so moving it needs no model; hovering an edge names its
head, cell and weight.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolTip, QVBoxLayout, QWidget

from attnlab.app.token_text import display_text
from attnlab.engine.analyses.flow_graph import prune_flow
from attnlab.engine.api.results import FlowGraph

HEAD_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#bcbd22")
MARGIN = 28  # pixels around the nodes; the token labels sit in the bottom one


class FlowCanvas(QWidget):
    hovered = Signal(str)  # the hovered edge's description, "" when none
    edge_clicked = Signal(int, int, int, int)  # layer, head, query, key of a clicked attention edge

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("flowCanvas")
        self.setMouseTracking(True)
        self.setMinimumSize(240, 160)
        self.graph: FlowGraph | None = None
        self.edges = np.zeros((0, 6), np.float32)  # what is drawn, [edge, 6]
        self.hover_text = ""

    def set_edges(self, graph: FlowGraph | None, edges: NDArray[np.float32]) -> None:
        self.graph, self.edges = graph, edges
        self.update()

    def node_point(self, layer: float, position: float) -> QPointF:
        """Where node (layer, position) is drawn."""
        graph = self.graph
        layers = graph.layers if graph else 1
        tokens = max(1, len(graph.tokens)) if graph else 1
        width, height = self.width() - 2 * MARGIN, self.height() - 2 * MARGIN
        x = MARGIN + (position + 0.5) * width / tokens
        y = MARGIN + (layers - layer) * height / max(1, layers)
        return QPointF(x, y)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        graph = self.graph
        if graph is None:
            return
        for edge in self.edges:
            head, weight = int(edge[4]), float(edge[5])
            colour = QColor("#888888") if head < 0 else QColor(HEAD_COLOURS[head % len(HEAD_COLOURS)])
            pen = QPen(colour)
            pen.setWidthF(0.5 + 6 * weight)
            painter.setPen(pen)
            painter.drawLine(self.node_point(edge[0], edge[1]), self.node_point(edge[2], edge[3]))
        nodes = {(int(e[0]), int(e[1])) for e in self.edges} | {(int(e[2]), int(e[3])) for e in self.edges}
        painter.setPen(QColor("#333333"))
        painter.setBrush(QColor("#333333"))
        for layer, position in nodes:  # the residual states the kept edges connect
            painter.drawEllipse(self.node_point(layer, position), 2.5, 2.5)
        painter.setBrush(QColor("#d62728"))
        painter.drawEllipse(self.node_point(graph.layers, graph.position), 4.0, 4.0)  # the prediction
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for i, token in enumerate(graph.tokens):
            point = self.node_point(0, i)
            painter.drawText(QPointF(point.x() - 12, self.height() - 6), display_text(token, 6))
        for layer in range(0, graph.layers + 1, max(1, graph.layers // 8)):
            painter.drawText(QPointF(2, self.node_point(layer, 0).y() + 4), str(layer))

    def edge_at(self, x: float, y: float, tolerance: float = 4.0) -> int | None:
        """The index of the drawn edge nearest (x, y) within `tolerance` pixels, or None."""
        best, best_distance = None, tolerance
        for i, edge in enumerate(self.edges):
            a, b = self.node_point(edge[0], edge[1]), self.node_point(edge[2], edge[3])
            dx, dy = b.x() - a.x(), b.y() - a.y()
            length2 = dx * dx + dy * dy
            t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - a.x()) * dx + (y - a.y()) * dy) / length2))
            distance = float(np.hypot(x - (a.x() + t * dx), y - (a.y() + t * dy)))
            if distance <= best_distance:
                best, best_distance = i, distance
        return best

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        found = self.edge_at(event.position().x(), event.position().y())
        self.hover_text = "" if found is None else self.describe(self.edges[found])
        if self.hover_text:
            QToolTip.showText(event.globalPosition().toPoint(), self.hover_text, self)
        self.hovered.emit(self.hover_text)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        found = self.edge_at(event.position().x(), event.position().y())
        if found is not None and self.edges[found][4] >= 0:
            fl, fp, _tl, tp, head = (int(x) for x in self.edges[found][:5])
            self.edge_clicked.emit(fl, head, tp, fp)

    def describe(self, edge: NDArray[np.float32]) -> str:
        assert self.graph is not None
        tokens = self.graph.tokens
        fl, fp, tl, tp, head = (int(x) for x in edge[:5])
        source, target = display_text(tokens[fp], 16), display_text(tokens[tp], 16)
        if head < 0:
            return self.tr("layer {0} residual + MLP at {1!r} #{2}: weight {3:.3f}").format(
                tl, target, tp, float(edge[5])
            )
        return self.tr("layer {0} head {1}: {2!r} #{3} → {4!r} #{5}: weight {6:.3f}").format(
            tl - 1, head, source, fp, target, tp, float(edge[5])
        )


class FlowView(QWidget):
    """The canvas, the threshold slider and the edge count."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("flowView")
        self.canvas = FlowCanvas()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("flowThreshold")
        self.slider.setRange(1, 50)  # hundredths of the residual
        self.slider.setValue(4)
        self.slider.setToolTip(self.tr("Keep edges carrying at least this share of the residual they write into"))
        self.slider.valueChanged.connect(self._prune)
        self.count = QLabel()
        self.count.setObjectName("flowEdgeCount")
        self.note = QLabel(self.tr("The route to the prediction: open this tab with a text."))
        self.note.setObjectName("flowNote")
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("threshold")))
        row.addWidget(self.slider, 1)
        row.addWidget(self.count)
        column = QVBoxLayout(self)
        column.addWidget(self.note)
        column.addLayout(row)
        column.addWidget(self.canvas, 1)
        self.graph: FlowGraph | None = None

    @property
    def threshold(self) -> float:
        return self.slider.value() / 100

    def show_graph(self, graph: FlowGraph) -> None:
        self.graph = graph
        self.note.setText(
            self.tr("Prediction at position {0}: {1} layers × {2} tokens, graph ready in {3:.2f} s").format(
                graph.position, graph.layers, len(graph.tokens), graph.seconds
            )
        )
        self._prune()

    def show_message(self, text: str) -> None:
        self.graph = None
        self.note.setText(text)
        self.canvas.set_edges(None, np.zeros((0, 6), np.float32))
        self.count.setText("")

    def _prune(self) -> None:
        graph = self.graph
        if graph is None:
            return
        edges = prune_flow(graph.edges, graph.layers, graph.position, self.threshold)
        self.canvas.set_edges(graph, edges)
        self.count.setText(self.tr("{0} edges ≥ {1:.2f}").format(len(edges), self.threshold))
