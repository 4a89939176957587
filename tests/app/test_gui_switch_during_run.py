"""Switching models during a run: the run stops at once, load progress shows, the new model loads."""

from __future__ import annotations

import time

from attnlab.app.engine_worker import engine_loader
from attnlab.app.main_window import MainWindow

STEP_S = 0.2  # each generation step is slowed to this: the whole run would take ~25 s


def test_loading_another_model_stops_a_running_generation(qtbot, fresh_settings):
    steps_taken: list[int] = []

    def slow_loader(spec, options, progress):
        info, session = engine_loader(spec, options, progress)
        if info.can_generate:
            step = session.step

            def slow_step(choose=None):
                time.sleep(STEP_S)
                steps_taken.append(1)
                return step(choose)

            session.step = slow_step
        return info, session

    window = MainWindow(loader=slow_loader)
    qtbot.addWidget(window)
    window.show()
    window.text_input.setPlainText("Once upon a time")
    try:
        with qtbot.waitSignal(window.model_loaded, timeout=60_000):
            window.start("tiny-gpt")
        qtbot.waitUntil(window.is_idle, timeout=20_000)
        window.run(120)
        qtbot.waitUntil(lambda: len(steps_taken) >= 2, timeout=20_000)
        assert window.client.running
        progress: list[str] = []
        window.client.load_progressed.connect(lambda message, fraction: progress.append(message))
        with qtbot.waitSignal(window.model_loaded, timeout=60_000) as loaded:
            window.load("tiny-bert")
            assert window.picker.progress.isVisible()  # progress shows from the start
            taken_at_switch = len(steps_taken)
        assert loaded.args[0].name == "tiny-bert"
        assert len(steps_taken) <= taken_at_switch + 1  # the step under way finishes; no other starts
        assert progress and any("tiny-bert" in message for message in progress)
        qtbot.waitUntil(window.is_idle, timeout=20_000)
        assert not window.client.running and not window.picker.progress.isVisible()
        assert window.document.info.name == "tiny-bert" and window.token_strip.tokens()
    finally:
        window.close()
