"""An architecture that cannot do a feature: the window says why instead of failing."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPointF
from tiny_models import save, tiny_gpt_neo

TEXT = "the cat sat on the mat"


def test_a_model_with_its_own_attention_code_loads_and_the_inspector_says_why_not(open_window, qtbot, tmp_path):
    """GPT-Neo computes attention in its own code: it loads and shows attention; a cell click says
    why it cannot be explained."""
    window = open_window(str(save(*tiny_gpt_neo(), tmp_path / "neo")), text=TEXT)
    assert window.document.info is not None and window.document.info.architecture == "GPTNeoForCausalLM"
    heatmap = window.attention.heatmap
    heatmap.click_at(heatmap.plot.getViewBox().mapViewToScene(QPointF(1, 2)))
    qtbot.waitUntil(lambda: "formula inspector is not available" in window.statusBar().currentMessage(), timeout=5_000)
    assert "AttentionInterface" in window.statusBar().currentMessage()
    panel = window.attention.formula
    assert panel.pending is None and "No formula for this model" in panel.note.text()


def test_no_knockout_is_offered_when_the_model_cannot(open_window):
    window = open_window("tiny-gpt", text=TEXT)
    assert "knockout" in window.token_strip.kinds_at(0)
    info = window.document.info
    window._show_kind(replace(info, unsupported=(("knockout", "this architecture's attention takes no mask"),)))
    assert window.token_strip.kinds_at(0) == ()
    assert "takes no mask" in window.token_strip.toolTip()
