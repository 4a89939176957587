"""Head scores in the window: the metric colours of the head grid, the heads table, the induction probe
and the rollout view, each against the model run by the test itself (eager attention, then the
engine's analysis functions on it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from transformers import AutoModelForCausalLM

from attnlab.app.head_metrics import METRICS, PROBE
from attnlab.app.plots.head_grid import METRIC_COLOURS
from attnlab.engine.analyses import head_fingerprints, rollout

TEXT = "the cat sat on the mat . the cat sat on the mat"
TINY_GPT = Path(__file__).resolve().parents[2] / "resources" / "models" / "tiny-gpt"
SCORES = ("prev_token", "induction", "sink", "self", "entropy", "distance")


@pytest.fixture(scope="module")
def eager():
    """The bundled tiny GPT as plain transformers loads it, with the eager attention."""
    model = AutoModelForCausalLM.from_pretrained(TINY_GPT, attn_implementation="eager")
    return model.eval()


def _attention(model, ids) -> np.ndarray:
    with torch.no_grad():
        out = model(input_ids=torch.tensor([list(ids)]), output_attentions=True)
    return torch.stack(out.attentions)[:, 0].numpy()  # [layer, head, q, k]


def _pick(window, qtbot, wait_idle, metric: str) -> None:
    window.attention.scores_bar.set_metric(metric)
    wait_idle(window)
    qtbot.waitUntil(lambda: window.attention.scores_bar.status.text().startswith("on "), timeout=20_000)


def test_table_and_grid_colours_equal_the_fingerprints_of_the_model(open_window, qtbot, wait_idle, eager):
    window = open_window("tiny-gpt", text=TEXT)
    window.step()
    wait_idle(window)
    _pick(window, qtbot, wait_idle, "prev_token")
    table, grid = window.attention.heads_table, window.attention.grid
    ids = window.document.sequence_ids("decoder")
    assert len(ids) == window.document.snapshot.shape("decoder")[2]  # prompt and the generated token
    expected = head_fingerprints(_attention(eager, ids), True, np.array(ids)).arrays()
    assert table.isVisible() and table.rowCount() == 16
    assert table.columns == ["layer", "head", *SCORES]
    for layer in range(4):
        for head in range(4):
            for name in SCORES:
                want = float(expected[name][layer, head])
                assert table.value(layer, head, name) == pytest.approx(want, abs=2e-3), (layer, head, name)
                assert table.text(layer, head, name) == f"{table.value(layer, head, name):.3f}"
    # The grid shows layer 0's heads, each coloured by its previous-token score (0 white … 1 red).
    values = [grid.metric_value(0, head) for head in range(4)]
    for head, value in enumerate(values):
        assert value == table.value(0, head, "prev_token")
        colour = grid.metric_colour(0, head)
        assert colour == tuple(int(c) for c in METRIC_COLOURS.map([value], mode="byte")[0][:3]) + (255,)
    strongest, weakest = int(np.argmax(values)), int(np.argmin(values))
    assert grid.metric_colour(0, strongest)[1] <= grid.metric_colour(0, weakest)[1]  # redder: less green
    assert "previous token" in grid.metric_text(0, strongest)
    window.step()  # the scores follow the text: asked again for the new snapshot
    wait_idle(window)
    qtbot.waitUntil(lambda: window.attention.scores_bar.status.text() == f"on {len(ids) + 1} tokens", timeout=20_000)
    ids = window.document.sequence_ids("decoder")
    expected = head_fingerprints(_attention(eager, ids), True, np.array(ids)).arrays()
    assert table.value(2, 3, "induction") == pytest.approx(float(expected["induction"][2, 3]), abs=2e-3)
    window.attention.scores_bar.set_metric("")
    assert grid.metric_colour(0, 0) is None and table.isHidden()


def test_sorting_and_clicking_a_row_shows_that_head(open_window, qtbot, wait_idle):
    window = open_window("tiny-gpt", text=TEXT)
    _pick(window, qtbot, wait_idle, "sink")
    table = window.attention.heads_table
    column = table.columns.index("sink")
    header = table.horizontalHeader()
    middle = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    orders = []
    for _ in range(2):  # a click on the header sorts by that column; a second click reverses the order
        QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(middle, header.height() // 2))
        sinks = [table.item(row, column).data(Qt.ItemDataRole.UserRole) for row in range(table.rowCount())]
        assert sinks in (sorted(sinks), sorted(sinks, reverse=True))
        orders.append(sinks)
    assert orders[1] == orders[0][::-1]
    row = 5
    layer, head = int(table.item(row, 0).text()), int(table.item(row, 1).text())
    rect = table.visualRect(table.model().index(row, 2))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_idle(window)
    picker = window.attention.picker
    assert (picker.layer, picker.head) == (layer, head)
    assert f"layer {layer} · head {head}" in window.attention.heatmap.plot.titleLabel.text
    shown = window.document.snapshot.matrix("decoder", layer, head)
    np.testing.assert_array_equal(window.attention.heatmap.matrix, shown)
    assert table.current_head() == (layer, head)


def test_induction_probe_scores_every_head(open_window, qtbot, wait_idle, eager):
    window = open_window("tiny-gpt", text=TEXT)
    bar = window.attention.scores_bar
    action = window.analysis_actions["probe"]
    assert action in window.menus["viewMenu"].actions() and action.isEnabled()
    with qtbot.waitSignal(window.client.induction_probed, timeout=30_000) as probed:
        action.trigger()  # View → Run the Induction Probe: the same as the button
        assert not bar.probe_button.isEnabled() and not action.isEnabled()
    wait_idle(window)
    probe = probed.args[0]
    ids = probe.probe_ids
    half = len(ids) // 2
    assert (ids[:half] == ids[half:]).all() and len(set(ids[:half].tolist())) == half
    expected = head_fingerprints(_attention(eager, ids.tolist()), True, ids).induction
    table = window.attention.heads_table
    assert bar.chosen == PROBE and bar.probe_button.isEnabled()
    assert (
        PROBE in table.columns and table.horizontalHeaderItem(table.columns.index(PROBE)).text() == METRICS[PROBE].title
    )
    qtbot.waitUntil(lambda: "probe" in bar.status.text(), timeout=20_000)
    for layer in range(4):
        for head in range(4):
            assert table.value(layer, head, PROBE) == pytest.approx(float(expected[layer, head]), abs=2e-3)
    assert window.attention.grid.metric_value(0, 1) == table.value(0, 1, PROBE)
    shown = [table.value(*table._head(row), PROBE) for row in range(table.rowCount())]  # sorted by the probe
    assert shown == sorted(shown, reverse=True)


def test_rollout_view_shows_the_rollout_of_the_stack_through_the_picked_layer(open_window, qtbot, wait_idle, eager):
    window = open_window("tiny-gpt", text=TEXT)
    ids = window.document.sequence_ids("decoder")
    expected = rollout(_attention(eager, ids))  # [layer, q, k]
    action = next(a for a in window.menus["viewMenu"].actions() if a.objectName() == "rolloutAction")
    assert action.isCheckable() and action.shortcut().toString() == "Ctrl+Shift+R"
    heatmap = window.attention.heatmap
    for layer in (3, 1):
        window.attention.picker.select(layer=layer)
        action.setChecked(True)
        wait_idle(window)
        assert f"rollout through layer {layer}" in heatmap.plot.titleLabel.text
        np.testing.assert_allclose(heatmap.matrix, expected[layer], atol=2e-3)
    heatmap.click_at(heatmap.plot.getViewBox().mapViewToScene(heatmap.plot.getViewBox().viewRect().center()))
    assert "no single head" in window.attention.formula.note.text() and window.is_idle()
    action.setChecked(False)
    wait_idle(window)
    np.testing.assert_array_equal(heatmap.matrix, window.document.snapshot.matrix("decoder", 1, 0))


def test_cross_attention_has_no_scores_or_rollout(open_window, qtbot, wait_idle, tiny_folders):
    window = open_window(tiny_folders["bart"], source="the cat sat on the mat")
    assert window.attention.picker.stack == "cross"
    window.attention.scores_bar.set_metric("entropy")
    window.analysis_actions["rollout"].setChecked(True)
    wait_idle(window)
    assert "self-attention" in window.attention.scores_bar.status.text()
    assert "self-attention" in window.attention.heatmap.plot.titleLabel.text
    assert not window.attention.scores_bar.probe_button.isEnabled()  # the probe is for decoder-only models
    assert not window.analysis_actions["probe"].isEnabled()
    window.attention.picker.select(stack="encoder")
    wait_idle(window)
    qtbot.waitUntil(lambda: window.attention.scores_bar.status.text().startswith("on "), timeout=20_000)
    table = window.attention.heads_table
    assert table.rowCount() == 8 and np.isnan(table.value(0, 0, "induction")) and table.text(0, 0, "induction") == "—"
    assert heatmap_is_rollout(window)


def heatmap_is_rollout(window) -> bool:
    matrix = window.attention.heatmap.matrix
    return "rollout" in window.attention.heatmap.plot.titleLabel.text and np.allclose(matrix.sum(-1), 1, atol=1e-3)


def test_the_engine_skips_scoring_when_newer_work_is_queued(qtbot):
    """A step sent after a head-score request is not kept waiting: the request is answered None at once."""
    import threading

    from attnlab.app.engine_worker import EngineWorker
    from attnlab.app.requests import Latest, Rollout, ScoreHeads
    from attnlab.engine.api.attention_store import AttentionStore

    store = AttentionStore()
    store.configure("decoder", 1, 2, causal=True, keys=3, capacity=3)
    uniform = np.tril(np.ones((3, 3), np.float32))
    uniform /= uniform.sum(axis=1, keepdims=True)  # each query spreads evenly over the keys it sees
    store.write("decoder", 0, 0, np.stack([uniform, uniform]))  # [head, query, key]
    store.set_rows("decoder", 3)
    snapshot = store.snapshot()
    latest = Latest()
    worker = EngineWorker(lambda *_: (None, None), latest, lambda: ([], None), threading.Event())
    replies: list[tuple[int, object]] = []
    worker.returned.connect(lambda rid, result: replies.append((rid, result)))
    latest.sent = 2  # request 2 (a step, say) was sent after request 1
    for request in (ScoreHeads("decoder", snapshot, (5, 6, 5)), Rollout("decoder", snapshot)):
        worker.handle(1, request)
        worker.handle(2, request)
    skipped, scored, skipped_rollout, rolled = (result for _rid, result in replies)
    assert skipped is None and skipped_rollout is None
    assert scored.snapshot is snapshot and scored.prints.prev_token.shape == (1, 2)
    assert rolled.matrices.shape == (1, 3, 3)
