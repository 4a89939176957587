"""Text boxes belong to the model kind: a decoder's prompt never becomes a decoder prefix."""

from __future__ import annotations

from attnlab.app.main_window import EXAMPLES, MainWindow

LOAD_TIMEOUT_MS, REPLY_TIMEOUT_MS = 60_000, 20_000


def _load(qtbot, window: MainWindow, model: str) -> None:
    with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
        window.load(model)
    qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)


def test_switching_kind_swaps_the_texts_and_they_survive_a_restart(open_window, qtbot):
    window = open_window("tiny-gpt", text="Once upon a midnight dreary")
    _load(qtbot, window, "tiny-seq2seq")
    assert window.text_input.toPlainText() == ""  # the decoder prefix: nothing the user did not type here
    assert window.source_input.toPlainText() == EXAMPLES["encoder-decoder"]
    assert window.document.prefix_tokens[1:] == ()  # only the decoder's start token was fed
    window.source_input.setPlainText("three hundred and twelve")
    window.analyse()
    qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)

    _load(qtbot, window, "tiny-gpt")
    assert window.text_input.toPlainText() == "Once upon a midnight dreary"
    _load(qtbot, window, "tiny-seq2seq")
    assert window.source_input.toPlainText() == "three hundred and twelve"
    assert window.text_input.toPlainText() == ""
    window.close()

    again = MainWindow()  # the same (test) settings: what was typed per kind is remembered
    qtbot.addWidget(again)
    try:
        assert again.source_input.toPlainText() == "three hundred and twelve"
        with qtbot.waitSignal(again.model_loaded, timeout=LOAD_TIMEOUT_MS):
            again.start("tiny-gpt")
        qtbot.waitUntil(again.is_idle, timeout=REPLY_TIMEOUT_MS)
        assert again.text_input.toPlainText() == "Once upon a midnight dreary"
    finally:
        again.close()
