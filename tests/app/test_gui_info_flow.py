"""The window's contribution colours, DLA map and flow graph show what the engine computes for the same input.

The reference is an engine session of its own on the same bundled model and text (the engine's numbers
are checked against eager forwards in tests/engine/test_contributions.py, test_logit_attribution.py and
test_flow.py); here the question is whether the window draws exactly them.
"""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent

from attnlab.app.info_flow_dock import FLOOR
from attnlab.engine.analyses.contributions import contribution_norms, row_share
from attnlab.engine.analyses.flow_graph import prune_flow
from attnlab.engine.interpret import importance
from attnlab.engine.interpret.contributions import measure
from attnlab.engine.interpret.flow import flow_graph
from attnlab.engine.interpret.logit_attribution import logit_attribution
from attnlab.engine.models.loading import load_model
from attnlab.engine.session.sessions import make_session

TEXT = "Once upon a time there was a cat"


@pytest.fixture(scope="module")
def reference():
    session = make_session(load_model("tiny-gpt"))
    session.prefill(TEXT)
    return session


def test_contribution_colours_are_weights_times_value_norms(open_window, wait_idle, qtbot, reference):
    window = open_window("tiny-gpt", text=TEXT)
    panel = window.attention
    panel.picker.select(layer=1, head=2)
    wait_idle(window)
    weights = panel.heatmap.matrix.copy()
    box = panel.colour_mode.box
    box.setCurrentIndex(box.findData("contribution"))
    qtbot.waitUntil(lambda: "‖f‖" in panel.heatmap.title, timeout=20_000)
    wait_idle(window)
    norms, _ = measure(reference, "decoder")
    expected = contribution_norms(weights, norms.projected[1, 2])
    np.testing.assert_allclose(panel.heatmap.matrix, expected / expected.max(), atol=1e-5)
    assert f"{expected.max():.3g}" in panel.heatmap.title
    grid = panel.grid._shown[0][0]  # [head, query, key] of the layer shown
    layer = reference.store.snapshot().layer("decoder", 1)
    every = contribution_norms(layer, norms.projected[1])
    if grid.shape == every.shape:
        np.testing.assert_allclose(grid, every / every.max(), atol=2e-3)  # the store's float16 weights
    box.setCurrentIndex(box.findData("share"))
    wait_idle(window)
    np.testing.assert_allclose(panel.heatmap.matrix, row_share(expected), atol=1e-5)
    window.grab().save("/tmp/info-flow-contributions.png")


def test_flow_graph_dock_draws_the_engines_graph(open_window, wait_idle, qtbot, reference):
    window = open_window("tiny-gpt", text=TEXT)
    dock = window.info_flow
    dock.show()
    qtbot.waitUntil(lambda: dock.flow.graph is not None, timeout=20_000)
    wait_idle(window)
    engine = flow_graph(reference, threshold=FLOOR, floor=FLOOR)
    dock.flow.slider.setValue(2)
    expected = prune_flow(engine.edges, engine.layers, engine.position, 0.02)
    np.testing.assert_allclose(dock.flow.canvas.edges, expected, atol=1e-5)
    assert dock.flow.count.text().startswith(f"{len(expected)} edges")
    canvas = dock.flow.canvas
    edge = expected[np.argmax(expected[:, 5])]
    a, b = canvas.node_point(edge[0], edge[1]), canvas.node_point(edge[2], edge[3])
    middle = QPointF((a.x() + b.x()) / 2, (a.y() + b.y()) / 2)
    event = QMouseEvent(
        QMouseEvent.Type.MouseMove,
        middle,
        canvas.mapToGlobal(QPoint(int(middle.x()), int(middle.y()))).toPointF(),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    canvas.mouseMoveEvent(event)
    assert canvas.hover_text.endswith(f"{canvas.edges[canvas.edge_at(middle.x(), middle.y())][5]:.3f}")
    dock.resize(900, 500)
    dock.grab().save("/tmp/info-flow-graph.png")
    # Clicking an attention edge (tiny-gpt's residual path carries nearly everything, so its graph has none
    # above the floor: the click's signal, layer 1 head 2, key 3 -> query 5) shows the head with the cell explained.
    canvas.edge_clicked.emit(1, 2, 5, 3)
    wait_idle(window)
    picker = window.attention.picker
    assert (picker.layer, picker.head) == (1, 2)
    qtbot.waitUntil(lambda: window.attention.formula.explanation is not None, timeout=20_000)
    explained = window.attention.formula.explanation
    assert (explained.layer, explained.head, explained.query, explained.key) == (1, 2, 5, 3)
    assert np.isfinite(explained.contribution)  # the inspector's ‖f_ij‖


def test_dla_map_shows_the_engines_attribution_and_clicking_ablates(open_window, wait_idle, qtbot, reference):
    window = open_window("tiny-gpt", text=TEXT)
    dock = window.info_flow
    dock.show()
    dock.tabs.setCurrentWidget(dock.dla)
    wait_idle(window)
    alternative = dock.dla.alternative
    assert alternative.count() > 1  # the other candidates
    alternative.setCurrentIndex(1)
    other = alternative.currentData()
    dock.dla.compute_button.click()
    qtbot.waitUntil(lambda: dock.dla.result is not None, timeout=20_000)
    engine = logit_attribution(reference, alternative=other)
    table = dock.dla.table
    layers, heads = engine.heads.shape
    for layer in range(layers):
        for head in range(heads):
            assert table.item(layer, head).text() == f"{engine.heads[layer, head]:+.2f}"
        assert table.item(layer, heads).text() == f"{engine.mlp[layer]:+.2f}"
    assert f"{engine.logit:.3f}" in dock.dla.note.text()
    # Next to the exact importance map of the same token (the other dock's): their correlation.
    window.prediction.show()
    window.prediction.request_importance()
    qtbot.waitUntil(
        lambda: window.prediction.view.importance is not None and window.prediction.view.importance.exact,
        timeout=30_000,
    )
    alternative.setCurrentIndex(0)
    dock.dla.result = None
    dock.dla.compute_button.click()
    qtbot.waitUntil(lambda: dock.dla.result is not None, timeout=20_000)
    alone = logit_attribution(reference)
    exact = importance.head_importance(reference).values
    r = float(np.corrcoef(exact.ravel(), alone.heads.ravel())[0, 1])
    assert f"r = {r:.2f}" in dock.dla.note.text()
    dock.dla._on_clicked(0, 1)  # what clicking the cell does
    wait_idle(window)
    assert ("decoder", 0, 1) in window.document.masks.ablated_heads
    assert "Out of date" in dock.dla.note.text()


def test_contribution_mode_asks_once_at_a_time_and_not_again_after_a_failure(qtbot):
    from attnlab.app.contribution_mode import ContributionMode
    from attnlab.engine.api.results import ValueNorms

    mode = ContributionMode()
    asked: list[tuple[str, int]] = []
    mode.wanted.connect(lambda stack, ticket: asked.append((stack, ticket)))
    first, second = object(), object()  # snapshots are compared by identity
    assert mode.norms_for(first, "decoder") is None and mode.norms_for(second, "decoder") is None
    assert asked == [("decoder", 1)]  # one in flight: the second waits for the reply
    norms = ValueNorms("decoder", np.ones((1, 1, 3), np.float32), np.full((1, 1, 3), 2, np.float32))
    mode.received(1, norms)
    assert mode.norms_for(first, "decoder") is norms
    assert mode.norms_for(second, "decoder") is None and asked[-1] == ("decoder", 2)
    mode.failed()  # e.g. a legacy model without a value projection: said once, not asked again and again
    assert mode.norms_for(second, "decoder") is None and len(asked) == 2
    values, top = mode.apply(np.full((2, 3), 0.5, np.float32), norms.projected[0, 0])
    assert top == pytest.approx(1.0) and np.allclose(values, 1.0)
