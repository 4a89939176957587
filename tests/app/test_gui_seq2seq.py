"""An encoder-decoder: source input, decoder tokens, and the cross-attention view."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from strip_clicks import click_token, hover_token

SOURCE = "the big dog ran to the river"


def test_cross_attention(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["bart"], text="", source=SOURCE)
    source_box = window.findChild(QWidget, "sourceInput")
    assert source_box.isVisible() and window.decoder_strip.isVisible()
    source_tokens = window.token_strip.tokens()
    assert source_tokens == [*SOURCE.split(), "</s>"]

    picker = window.findChild(QWidget, "stackPicker")
    assert picker.isVisible() and picker.count() == 3
    assert window.attention.picker.stack == "cross"  # the encoder-decoder's own view first
    heatmap = window.attention.heatmap
    prefix = len(window.decoder_strip.tokens())
    assert heatmap.matrix.shape == (prefix, len(source_tokens))

    for _ in range(2):
        qtbot.mouseClick(window.generation.step_button, Qt.MouseButton.LeftButton)
        wait_idle(window)
    assert heatmap.matrix.shape == (prefix + 2, len(source_tokens))
    np.testing.assert_allclose(heatmap.matrix.sum(axis=1), 1.0, atol=2e-3)
    assert len(window.decoder_strip.tokens()) == prefix + 2

    picker.setCurrentIndex(picker.findData("encoder"))
    assert heatmap.matrix.shape == (len(source_tokens), len(source_tokens))
    picker.setCurrentIndex(picker.findData("decoder"))
    assert heatmap.matrix.shape == (prefix + 2, prefix + 2)
    assert "decoder self-attention" in window.attention.heatmap.plot.titleLabel.text

    # Knock a source token out: no cross-attention query looks at it any more.
    picker.setCurrentIndex(picker.findData("cross"))
    click_token(qtbot, window.token_strip, 1)
    wait_idle(window)
    assert window.document.masks.knocked("encoder") == frozenset({1})
    assert np.all(heatmap.matrix[:, 1] == 0)
    # The two generated tokens were re-run under the knock-out, and are shown once each.
    assert len(window.document.steps) == 2 and len(window.decoder_strip.tokens()) == prefix + 2
    assert heatmap.matrix.shape == (prefix + 2, len(source_tokens))
    menu = window.token_strip.menu_for(1)
    assert not next(a for a in menu.actions() if a.objectName() == "action_mask").isEnabled()


def test_decoder_tokens_can_be_knocked_out(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["bart"], text="", source=SOURCE)
    for _ in range(3):
        window.step()
        wait_idle(window)
    generated = [s.token_id for s in window.document.steps]
    prefix = len(window.document.prefix_tokens)
    assert window.decoder_strip.chip(prefix).generated  # the first generated token
    hover_token(qtbot, window.decoder_strip, prefix)
    assert window.decoder_strip.viewport().cursor().shape() == Qt.CursorShape.PointingHandCursor
    menu = window.decoder_strip.menu_for(prefix)  # a click shows its candidates; the menu knocks it out
    next(a for a in menu.actions() if a.objectName() == "action_knockout").trigger()
    wait_idle(window)
    assert window.document.masks.knocked("decoder") == frozenset({prefix})
    assert window.document.masks.knocked("encoder") == frozenset()  # the source is untouched
    assert [s.token_id for s in window.document.steps] == generated
    assert window.decoder_strip.chip(prefix).mark == "knockout" and window.token_strip.mark(prefix) == ""
    window.attention.picker.select(stack="decoder", layer=0, head=0)
    matrix = window.attention.heatmap.matrix
    assert matrix.shape == (prefix + 3, prefix + 3)
    assert np.all(matrix[:, prefix] == 0) and matrix[prefix + 1 :, :prefix].any()
    # Undo back past it: the knock-out goes with the token.
    for _ in range(3):
        window.undo()
        wait_idle(window)
    assert window.document.masks.knocked("decoder") == frozenset()
    assert window.decoder_strip.mark(prefix) == ""
