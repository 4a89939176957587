"""Issue 14: the token strip shows every token of a 10,000-token text without a widget per token.

The model is a one-layer, one-head GPT-2 with room for the whole text, so the window analyses all
10,000 positions; the strip must then let the user reach, click, read and find any of them.
"""

from __future__ import annotations

import pytest
import torch
from conftest import LOAD_TIMEOUT_MS
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip, QWidget
from tiny_models import BOS, EOS, PAD, VOCAB, save, word_tokenizer
from transformers import GPT2Config, GPT2LMHeadModel

from attnlab.app.main_window import MainWindow
from attnlab.app.widgets.flow_layout import WordWrap

LENGTH = 10_000  # tokens, <s> included
FAR = 8_500  # the one position whose word is "Paris"
WORDS = ["<s>"] + [("the cat sat on the mat and the dog ran to the river".split()[i % 13]) for i in range(1, LENGTH)]
WORDS[FAR] = "Paris"
TEXT = " ".join(WORDS[1:])
WAIT_MS = 180_000


@pytest.fixture(scope="module")
def long_gpt2(tmp_path_factory: pytest.TempPathFactory) -> str:
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=VOCAB,
        n_positions=LENGTH + 16,
        n_embd=16,
        n_layer=1,
        n_head=1,
        bos_token_id=BOS,
        eos_token_id=EOS,
        pad_token_id=PAD,
        attn_implementation="eager",
    )
    return str(save(GPT2LMHeadModel(config).eval(), word_tokenizer("gpt"), tmp_path_factory.mktemp("long") / "gpt2"))


def _tooltip_at(strip, point: QPoint) -> str:
    """What the strip shows when the mouse rests at `point` (its viewport's coordinates)."""
    viewport = strip.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, point, viewport.mapToGlobal(point)))
    return QToolTip.text()


def _open(qtbot, model: str) -> MainWindow:
    """A shown window with the text analysed (the conftest's open_window gives the analysis 20 s; at
    10,000 tokens drawing the heatmap takes longer on a slow machine)."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.text_input.setPlainText(TEXT)
    with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
        window.start(model)
    qtbot.waitUntil(lambda: window.document.analysis is not None and window.is_idle(), timeout=WAIT_MS)
    return window


def test_every_token_is_shown_found_and_clickable(qtbot, fresh_settings, long_gpt2):
    window = _open(qtbot, long_gpt2)
    strip = window.token_strip
    assert strip.tokens() == WORDS and strip.count() == LENGTH
    assert len(strip.findChildren(QWidget)) < 20  # not a widget per token

    # Find Token reaches past position 8,000: highlighted and scrolled into view, the heatmap on its row.
    strip.verticalScrollBar().setValue(0)
    assert window.token_finder.find("paris") == FAR
    assert strip.viewport().rect().contains(strip.chip_rect(FAR)) and strip.selection() == (FAR, FAR)
    assert strip.chip(FAR).in_range and strip.chip(FAR).token == "Paris"
    assert window.attention.heatmap.cursor_cell == (FAR, FAR)

    window.step()
    qtbot.waitUntil(window.is_idle, timeout=WAIT_MS)
    then = window.document.steps[-1].prob
    assert strip.count() == LENGTH + 1 and strip.chip(LENGTH).generated

    # The user scrolls to the top, then down to the end: the last token of the text is in view, and a
    # click on it knocks out exactly that position (the generated token is replayed under it).
    bar = strip.verticalScrollBar()
    bar.setValue(0)
    assert not strip.viewport().rect().intersects(strip.chip_rect(LENGTH - 1))
    bar.setValue(bar.maximum())
    last = strip.chip_rect(LENGTH - 1)
    assert strip.viewport().rect().contains(last)
    qtbot.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=last.center())
    qtbot.waitUntil(lambda: bool(window.document.masks.knocked("decoder")) and window.is_idle(), timeout=WAIT_MS)
    assert window.document.masks.knocked("decoder") == frozenset({LENGTH - 1})
    assert strip.chip(LENGTH - 1).mark == "knockout" and not any(strip.chip(i).mark for i in range(LENGTH - 1))
    assert "knocked out of attention" in _tooltip_at(strip, strip.chip_rect(LENGTH - 1).center())

    # The generated token's tooltip: its probability now (under the knock-out) and when it was generated.
    now = window.document.steps[-1].prob
    strip.scroll_to(LENGTH)
    tip = _tooltip_at(strip, strip.chip_rect(LENGTH).center())
    assert tip.startswith(f"#{LENGTH} ") and f"p = {now:.1%} now, {then:.1%} when generated" in tip
    window.close()


def test_word_wrap_lays_out_a_growing_text_as_a_fresh_layout_would():
    widths = [30, 50, 20, 70, 10, 40, 90, 25] * 50
    spacing, margin, available = 3, 4, 200

    def greedy(count: int) -> tuple[list[int], list[int]]:  # an item goes on the next row when it does not fit
        xs, rows, x, row = [], [], margin, 0
        for width in widths[:count]:
            if x > margin and x + width > available - margin:
                x, row = margin, row + 1
            xs.append(x)
            rows.append(row)
            x += width + spacing
        return xs, rows

    wrap = WordWrap(spacing, margin)
    for count in (1, 7, 8, 100, 400):  # appended in steps, as generation does
        wrap.lay_out(widths[:count], available, start=max(0, count - 1))
        assert (wrap.xs, wrap.rows) == greedy(count)
    assert wrap.items_in(0, 0) == range(0, wrap.rows.count(0))
    assert wrap.at(0, 4, widths) == 0 and wrap.at(0, 4 + 30, widths) is None  # the gap after the first item
