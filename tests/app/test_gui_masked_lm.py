"""A masked LM: click a token to replace it with [MASK] and see the fillers; knock-outs from the menu."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget
from strip_clicks import click_token

TEXT = "the cat sat on the mat"


def test_mask_a_token_and_see_predictions(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["bert"], text=TEXT)
    assert window.token_strip.tokens() == ["[CLS]", *TEXT.split(), "[SEP]"]
    predictions = window.findChild(QWidget, "maskPredictions")
    assert predictions.isVisible()
    assert not window.candidates.isVisible() and not window.generation.isVisible()
    assert not window.findChild(QWidget, "stackPicker").isVisible()  # one stack: no choice

    click_token(qtbot, window.token_strip, 2)
    wait_idle(window)
    assert window.document.masks.mask_positions == frozenset({2})
    assert window.token_strip.chip(2).mark == "mask"
    slots = predictions.slots()
    assert len(slots) == 1 and slots[0][0].startswith("#2 [MASK] (was cat)")
    fillers = slots[0][1]
    assert len(fillers) == 10 and all(p.endswith("%") for _, p in fillers)
    probs = [float(p.rstrip("%")) for _, p in fillers]
    assert probs == sorted(probs, reverse=True)

    # A second mask: predictions update for both slots.
    click_token(qtbot, window.token_strip, 5)
    wait_idle(window)
    assert [title.split()[0] for title, _ in predictions.slots()] == ["#2", "#5"]

    # Clicking a masked token again clears it.
    click_token(qtbot, window.token_strip, 2)
    wait_idle(window)
    assert [title.split()[0] for title, _ in predictions.slots()] == ["#5"]

    # The context menu offers the knock-out; its key column goes to zero.
    menu = window.token_strip.menu_for(3)
    knock = next(a for a in menu.actions() if a.objectName() == "action_knockout")
    assert knock.isEnabled()
    knock.trigger()
    wait_idle(window)
    assert window.document.masks.knocked("encoder") == frozenset({3})
    assert window.token_strip.chip(3).mark == "knockout"
    matrix = window.attention.heatmap.matrix
    assert np.all(matrix[:, 3] == 0)
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0, atol=2e-3)


def test_typing_clears_masks(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["bert"], text=TEXT)
    window.set_mark(2, "mask")
    wait_idle(window)
    window.text_input.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(window.text_input, " and")
    assert window.token_strip.mark(2) == ""
    wait_idle(window)
    assert window.document.masks.mask_positions == frozenset()
    assert window.token_strip.tokens()[-2] == "and"


def test_a_typed_mask_gets_fillers(open_window, tiny_folders, wait_idle):
    window = open_window(tiny_folders["bert"], text="the cat [MASK] on the mat")
    slots = window.mask_predictions.slots()
    assert [title for title, _ in slots] == ["#3 [MASK] (typed)"]
    best = slots[0][1][0][0]
    assert best == window.document.analysis.mask_predictions[0].candidates[0].text.strip()
