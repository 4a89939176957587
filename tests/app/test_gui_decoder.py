"""Driving the window like a user with a tiny GPT: type, step, take an alternative, undo, knock out."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from strip_clicks import click_token

PROMPT = "the cat sat on the mat"


def click_row(qtbot, table, row: int, double: bool = False) -> None:
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    if double:  # an item view only takes a double-click on the index it saw pressed
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_type_step_alternative_undo_knockout(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"])  # an empty box gets an example prompt
    assert window.text_input.toPlainText()
    window.text_input.clear()
    qtbot.keyClicks(window.text_input, PROMPT)  # typing: analysed after a pause
    qtbot.waitUntil(lambda: window.token_strip.tokens() == ["<s>", *PROMPT.split()], timeout=20_000)
    wait_idle(window)
    heatmap = window.attention.heatmap
    prompt_len = len(window.token_strip.tokens())
    assert heatmap.matrix.shape == (prompt_len, prompt_len)
    strip = window.findChild(QWidget, "tokenStrip")
    assert strip is window.token_strip and strip.chip(prompt_len - 1).token == "mat"

    step = window.findChild(QWidget, "stepButton")
    for _ in range(3):
        qtbot.mouseClick(step, Qt.MouseButton.LeftButton)
        wait_idle(window)
    assert len(window.token_strip.tokens()) == prompt_len + 3
    assert heatmap.matrix.shape == (prompt_len + 3, prompt_len + 3)
    np.testing.assert_allclose(heatmap.matrix.sum(axis=1), 1.0, atol=2e-3)  # rows are distributions
    assert np.all(np.triu(heatmap.matrix, 1) == 0)  # causal
    # The window keeps one copy of the attention (the snapshot), not one more per step.
    assert all(s.attention is None for s in window.document.steps)
    assert window.document.snapshot.shape("decoder")[2] == prompt_len + 3
    generated = window.token_strip.chip(prompt_len + 2)
    assert generated.name == f"token_{prompt_len + 2}" and generated.generated

    # The table shows the distribution the last token came from; double-click another one.
    table = window.findChild(QWidget, "candidatesTable")
    assert table.rowCount() == 10 and table.replaces_last
    chosen = window.document.steps[-1].token_id
    row = next(r for r, token_id in enumerate(table.token_ids()) if token_id != chosen)
    alternative = table.token_ids()[row]
    click_row(qtbot, table, row, double=True)
    qtbot.waitUntil(lambda: window.document.steps[-1].token_id == alternative, timeout=20_000)
    wait_idle(window)
    assert len(window.document.steps) == 3
    assert heatmap.matrix.shape == (prompt_len + 3, prompt_len + 3)

    qtbot.mouseClick(window.findChild(QWidget, "undoButton"), Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert len(window.token_strip.tokens()) == prompt_len + 2
    assert heatmap.matrix.shape == (prompt_len + 2, prompt_len + 2)

    # Click a prompt token: a decoder has no [MASK], so the click knocks it out of attention.
    generated_ids = [s.token_id for s in window.document.steps]
    before = heatmap.matrix.copy()
    click_token(qtbot, window.token_strip, 2)
    wait_idle(window)
    assert window.document.masks.knocked("decoder") == frozenset({2})
    assert window.token_strip.chip(2).mark == "knockout"
    # The generated tokens are kept, fed again under the new mask: their rows change, they stay.
    assert [s.token_id for s in window.document.steps] == generated_ids
    assert len(window.token_strip.tokens()) == prompt_len + 2
    assert heatmap.matrix.shape == (prompt_len + 2, prompt_len + 2)
    np.testing.assert_allclose(heatmap.matrix[:2], before[:2], atol=2e-3)  # rows before the knock-out
    for layer in range(2):
        for head in range(4):
            window.attention.picker.select(layer=layer, head=head)
            assert np.all(heatmap.matrix[:, 2] == 0), (layer, head)
    qtbot.mouseClick(step, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert heatmap.matrix.shape == (prompt_len + 3, prompt_len + 3)
    assert np.all(heatmap.matrix[:, 2] == 0)  # the new row ignores the knocked-out token too

    # A generated token can be knocked out as well (its context menu: a click shows its candidates);
    # undoing it takes its mark away with it.
    last = prompt_len + 2
    menu = window.token_strip.menu_for(last)
    next(a for a in menu.actions() if a.objectName() == "action_knockout").trigger()
    wait_idle(window)
    assert window.document.masks.knocked("decoder") == frozenset({2, last})
    assert len(window.document.steps) == 3 and window.token_strip.chip(last).mark == "knockout"
    assert np.all(heatmap.matrix[:, last] == 0)
    qtbot.mouseClick(window.findChild(QWidget, "undoButton"), Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert window.document.masks.knocked("decoder") == frozenset({2})
    qtbot.mouseClick(step, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert window.token_strip.chip(last).mark == "" and heatmap.matrix[last, last] > 0

    # The context menu clears it again.
    menu = window.token_strip.menu_for(2)
    next(a for a in menu.actions() if a.objectName() == "action_clear").trigger()
    wait_idle(window)
    assert window.document.masks.knocked("decoder") == frozenset()
    assert heatmap.matrix[3:, 2].max() > 0


def test_candidates_before_a_step_take_the_next_token(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    table = window.candidates
    assert table.rowCount() > 0 and not table.replaces_last
    wanted = table.token_ids()[3]
    click_row(qtbot, table, 3, double=True)
    wait_idle(window)
    assert [s.token_id for s in window.document.steps] == [wanted]


def test_run_stop_and_shortcuts(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    prompt_len = len(window.token_strip.tokens())
    window.generation.run_count.setValue(5)
    qtbot.mouseClick(window.findChild(QWidget, "runButton"), Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert len(window.document.steps) == 5
    assert window.attention.heatmap.matrix.shape[0] == prompt_len + 5
    assert not window.generation.progress.isVisible()

    window.activateWindow()  # shortcuts go to the active window (a real X server has to be told)
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # step
    wait_idle(window)
    assert len(window.document.steps) == 6
    qtbot.keyClick(
        window, Qt.Key.Key_Backspace, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    wait_idle(window)
    assert len(window.document.steps) == 5

    # Stop: the run ends early, between steps.
    window.generation.run_count.setValue(60)
    stop = window.findChild(QWidget, "stopButton")
    with qtbot.waitSignal(window.client.run_finished, timeout=30_000) as finished:
        qtbot.mouseClick(window.generation.run_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(window.document.steps) >= 7, timeout=20_000)
        assert stop.isEnabled()
        qtbot.mouseClick(stop, Qt.MouseButton.LeftButton)
    count, reason = finished.args
    assert reason == "stopped" and count < 60
    wait_idle(window)
    assert not stop.isEnabled() and window.generation.step_button.isEnabled()


def test_knock_out_during_a_run_stops_it_and_keeps_what_it_generated(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    prompt_len = len(window.token_strip.tokens())
    window.run(200)
    qtbot.waitUntil(lambda: len(window.document.steps) >= 4, timeout=20_000)
    window.set_mark(1, "knockout")  # while the run goes on
    kept = [s.token_id for s in window.document.steps]
    wait_idle(window)
    assert not window.client.running and window.banner.level != "error"
    assert [s.token_id for s in window.document.steps] == kept  # replayed, nothing lost or added
    assert window.document.masks.knocked("decoder") == frozenset({1})
    assert window.attention.heatmap.matrix.shape[0] == prompt_len + len(kept)
    assert np.all(window.attention.heatmap.matrix[:, 1] == 0)
    assert window.generation.step_button.isEnabled()


def test_head_grid_click_selects_head_and_mean(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    panel = window.attention
    grid = window.findChild(QWidget, "headGrid")
    assert grid.image.image.shape[0] > 0
    window.resize(1400, 860)
    qtbot.wait(50)
    grid.show_layers([window.document.snapshot.layer("decoder", 1)], [1], (1, 0))
    target = grid.mapFromScene(grid.tile_center(1, 3))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=target)
    qtbot.waitUntil(lambda: (panel.picker.layer, panel.picker.head) == (1, 3), timeout=5000)
    np.testing.assert_array_equal(panel.heatmap.matrix, window.document.snapshot.matrix("decoder", 1, 3))

    panel.picker.mean_box.setChecked(True)
    np.testing.assert_allclose(panel.heatmap.matrix, window.document.snapshot.mean("decoder", 1), atol=1e-6)
    assert not panel.picker.head_box.isEnabled()

    panel.picker.all_layers_box.setChecked(True)
    layers, heads, q, k = window.document.snapshot.shape("decoder")
    th, tw = grid._pixels  # one thumbnail, in montage pixels
    assert grid.image.image.shape == (layers * th, heads * tw)


def test_ablating_a_head_changes_the_prediction(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    window.step()
    wait_idle(window)
    window.step()
    wait_idle(window)
    taken = [s.token_id for s in window.document.steps]
    before = window.document.candidates().candidates
    window.toggle_ablation("decoder", 0, 1)
    wait_idle(window)
    assert window.document.masks.ablated_heads == frozenset({("decoder", 0, 1)})
    assert [s.token_id for s in window.document.steps] == taken  # the generation is kept, re-run
    after = window.document.candidates().candidates  # what the last token was chosen from, now
    assert [c.prob for c in after] != [c.prob for c in before]
    assert not window.attention.grid._crosses.path().isEmpty()  # the ablated thumbnail is crossed out
    window.toggle_ablation("decoder", 0, 1)
    wait_idle(window)
    assert window.document.masks.ablated_heads == frozenset()
