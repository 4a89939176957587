"""Start-up: the strip shows the text's tokens from the model folder's tokenizer.json while the model
still loads (greyed, marked "loading"), and they are the loaded model's own tokens."""

from __future__ import annotations

import threading

import pytest
from strip_clicks import click_token
from transformers import AutoTokenizer

from attnlab.app.engine_worker import engine_loader
from attnlab.app.main_window import MainWindow
from attnlab.engine.api.tokens import readable_tokens

LOAD_TIMEOUT_MS = 60_000


def _model_tokens(folder: str, text: str) -> tuple[str, ...]:
    """The independent reference: transformers' tokenizer of the same folder, read the project's way."""
    tokenizer = AutoTokenizer.from_pretrained(folder)
    return tuple(readable_tokens(tokenizer, tokenizer(text)["input_ids"]))


def _window_loading_until_released(qtbot) -> tuple[MainWindow, threading.Event]:
    """A shown window whose loads wait (in the engine thread) until the returned event is set."""
    gate = threading.Event()

    def blocked_loader(spec, options, progress):
        assert gate.wait(LOAD_TIMEOUT_MS / 1000), "the test never released the load"
        return engine_loader(spec, options, progress)

    window = MainWindow(loader=blocked_loader, catalog=lambda: ([], None))
    qtbot.addWidget(window)
    window.show()
    return window, gate


@pytest.mark.parametrize(
    ("model", "text", "source"),
    [
        ("gpt2", "the cat sat on the mat .", None),
        ("bert", "the capital of france is paris .", None),
        ("bart", "", "the house is wonderful ."),
    ],
)
def test_tokens_show_before_the_model_is_loaded(qtbot, fresh_settings, tiny_folders, model, text, source):
    folder = tiny_folders[model]
    window, gate = _window_loading_until_released(qtbot)
    window.text_input.setPlainText(text)
    if source is not None:
        window.source_input.setPlainText(source)
    strip = window.token_strip
    expected = _model_tokens(folder, source if source is not None else text)
    try:
        window.start(folder)
        qtbot.waitUntil(lambda: strip.loading, timeout=LOAD_TIMEOUT_MS)
        assert window.client.loading and window.document.info is None  # the model is not there yet
        assert tuple(strip.tokens()) == expected
        assert not any(strip.chip(i).enabled for i in range(strip.count()))  # nothing to mask or knock out yet
        requested = []
        strip.mark_requested.connect(lambda *request: requested.append(request))
        click_token(qtbot, strip, 1)
        assert not requested
    finally:
        gate.set()
    qtbot.waitUntil(lambda: window.document.analysis is not None and window.is_idle(), timeout=LOAD_TIMEOUT_MS)
    assert not strip.loading
    assert window.document.plain_tokens == expected  # the model's own tokens: the same
    assert tuple(strip.tokens()) == expected
    assert all(strip.chip(i).enabled for i in range(strip.count()))
    window.close()


def test_a_failed_load_drops_the_early_tokens(qtbot, fresh_settings, tiny_folders):
    gate = threading.Event()

    def failing_loader(spec, options, progress):
        gate.wait(LOAD_TIMEOUT_MS / 1000)
        raise ValueError("broken weights")

    window = MainWindow(loader=failing_loader, catalog=lambda: ([], None))
    qtbot.addWidget(window)
    window.show()
    window.text_input.setPlainText("the cat sat")
    try:
        window.start(tiny_folders["gpt2"])
        qtbot.waitUntil(lambda: window.token_strip.loading, timeout=LOAD_TIMEOUT_MS)
    finally:
        gate.set()
    qtbot.waitUntil(lambda: not window.client.loading, timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.token_strip.loading, timeout=LOAD_TIMEOUT_MS)
    assert not window.token_strip.count()
    window.close()


def test_editing_the_text_while_loading_drops_the_early_tokens(qtbot, fresh_settings, tiny_folders):
    window, gate = _window_loading_until_released(qtbot)
    window.text_input.setPlainText("the cat sat")
    strip = window.token_strip
    try:
        window.start(tiny_folders["gpt2"])
        qtbot.waitUntil(lambda: strip.loading, timeout=LOAD_TIMEOUT_MS)
        window.text_input.setPlainText("on the mat")
        assert not strip.loading and not strip.count()  # never the old text's tokens under the new text
    finally:
        gate.set()
    qtbot.waitUntil(lambda: window.document.analysis is not None and window.is_idle(), timeout=LOAD_TIMEOUT_MS)
    assert tuple(strip.tokens()) == _model_tokens(tiny_folders["gpt2"], "on the mat")
    window.close()
