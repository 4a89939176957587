"""Whatever the window shows belongs to what is typed, or says that it does not."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

PROMPT = "the cat sat on the mat"


def test_clearing_the_text_clears_the_next_sentence_result(open_window, qtbot, wait_idle):
    window = open_window("tiny-bert", text="The cat sat on the mat.\nIt was happy.")
    assert window.document.info.has_nsp_head
    assert any(title == "sentence B follows A" for title, _ in window.mask_predictions.slots())
    window.text_input.clear()
    window.analyse()
    wait_idle(window)
    titles = [title for title, _ in window.mask_predictions.slots()]
    assert not any("follows" in title or "[MASK]" in title for title in titles)
    assert window.token_strip.tokens() == []


def test_an_engine_error_marks_the_views_not_current(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)  # 128 positions
    notice = window.findChild(QWidget, "staleNotice")
    assert not window.views_stale and not notice.isVisible()
    assert window.attention.graphicsEffect() is None
    with qtbot.waitSignal(window.errored, timeout=30_000) as error:
        window.text_input.setPlainText("the cat sat " * 100)
        window.analyse()
    assert "at most 128" in error.args[0]
    wait_idle(window)
    # The previous analysis is still drawn, greyed and labelled as not current.
    assert window.token_strip.tokens()[1:] == PROMPT.split()
    assert window.views_stale and notice.isVisible() and "Not current" in notice.text()
    assert window.attention.graphicsEffect() is not None and window.token_strip.graphicsEffect() is not None
    window.text_input.setPlainText(PROMPT + " again")
    window.analyse()
    wait_idle(window)
    assert not window.views_stale and not notice.isVisible()
    assert window.attention.graphicsEffect() is None
