"""Bad input never crashes the window: it shows a message and keeps working."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

PROMPT = "the cat sat on the mat"


def test_empty_text_shows_a_hint(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    window.text_input.clear()
    window.analyse()
    wait_idle(window)
    banner = window.findChild(QWidget, "messageBanner")
    assert banner.isVisible() and "Type some text" in banner.text
    assert window.attention.heatmap.matrix.size == 0
    assert window.token_strip.tokens() == []
    assert not window.generation.step_button.isEnabled()
    window.text_input.setPlainText(PROMPT)
    window.analyse()
    wait_idle(window)
    assert not banner.isVisible()
    assert window.generation.step_button.isEnabled()


def test_huge_paste_is_refused_with_a_message(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    with qtbot.waitSignal(window.errored, timeout=30_000) as error:
        window.text_input.setPlainText("the cat sat " * 16_667)  # 200,004 characters
        window.analyse()
    assert "200,004 characters" in error.args[0]
    wait_idle(window)
    assert "200,004" in window.banner.text
    window.text_input.setPlainText(PROMPT)
    window.analyse()
    wait_idle(window)
    qtbot.mouseClick(window.generation.step_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert len(window.document.steps) == 1 and not window.banner.isVisible()


def test_too_many_tokens_for_the_model(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["bert"], text=PROMPT)  # 64 positions
    with qtbot.waitSignal(window.errored, timeout=30_000) as error:
        window.text_input.setPlainText("the cat sat " * 100)
        window.analyse()
    assert "at most 64" in error.args[0]


def test_a_folder_that_is_not_a_model_keeps_the_previous_one(open_window, tiny_folders, qtbot, wait_idle, tmp_path):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    (tmp_path / "notes.txt").write_text("not a model")
    with qtbot.waitSignal(window.client.load_failed, timeout=30_000):
        window.picker.request_load(str(tmp_path))
    wait_idle(window)
    assert "not a model folder" in window.banner.text and "Still using" in window.banner.text
    assert not window.picker.progress.isVisible() and window.picker.models.isEnabled()
    assert window.document.info.path.endswith("gpt2")
    qtbot.mouseClick(window.generation.step_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert len(window.document.steps) == 1


def test_unknown_name_and_bad_step(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["bert"], text=PROMPT)
    with qtbot.waitSignal(window.client.load_failed, timeout=30_000):
        window.load("no-such-model")
    assert "Unknown model" in window.banner.text
    # An encoder cannot generate: the engine thread answers with a message, not a crash.
    with qtbot.waitSignal(window.errored, timeout=10_000) as error:
        window.client.step()
    assert "cannot generate" in error.args[0]
    wait_idle(window)
    window.set_mark(3, "mask")
    wait_idle(window)
    assert window.mask_predictions.slots()[0][0].startswith("#3")
