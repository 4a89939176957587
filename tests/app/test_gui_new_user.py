"""What a new user hit (issue 10): a failed load, the generation limit, a strip that follows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

PROMPT = "the cat sat on the mat"


def test_status_bar_says_a_load_failed(open_window, tiny_folders, qtbot, wait_idle, tmp_path):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    box = window.findChild(QWidget, "hubIdInput")
    box.setText(str(empty))
    with qtbot.waitSignal(window.errored, timeout=30_000):
        qtbot.keyClick(box, Qt.Key.Key_Return)
    wait_idle(window)
    message = window.statusBar().currentMessage()
    assert "Loading" not in message and "Could not load" in message
    assert window.banner.level == "error"
    assert window.generation.step_button.isEnabled()  # the old model is still there


def test_raising_max_new_tokens_unlocks_step_and_run(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    limit = window.findChild(QWidget, "maxNewTokens")
    assert limit.parent() is window.generation or window.generation.isAncestorOf(limit)  # next to Run
    assert "stops after" in limit.toolTip()
    limit.setValue(3)
    window.generation.run_count.setValue(5)
    qtbot.mouseClick(window.generation.run_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert len(window.document.steps) == 3
    assert not window.generation.step_button.isEnabled() and not window.generation.run_button.isEnabled()
    limit.setValue(2000)
    qtbot.waitUntil(window.generation.step_button.isEnabled, timeout=20_000)
    assert window.generation.run_button.isEnabled()
    qtbot.mouseClick(window.generation.step_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert len(window.document.steps) == 4
    limit.setValue(2)  # below what was generated: it has ended
    qtbot.waitUntil(lambda: not window.generation.step_button.isEnabled(), timeout=20_000)


def test_token_strip_follows_generation(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    window.generation.run_count.setValue(60)
    qtbot.mouseClick(window.generation.run_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    qtbot.wait(50)
    strip = window.token_strip
    count = len(strip.tokens())
    assert count == len(window.document.prefix_tokens) + 60

    def last_chip_visible() -> bool:
        return strip.viewport().rect().contains(strip.chip_rect(count - 1))

    qtbot.waitUntil(last_chip_visible, timeout=5_000)
    # Scrolled away by the user: the strip stays where they put it.
    strip.verticalScrollBar().setValue(0)
    qtbot.mouseClick(window.generation.step_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    qtbot.wait(50)
    assert strip.verticalScrollBar().value() == 0
