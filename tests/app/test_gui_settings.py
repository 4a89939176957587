"""QSettings remembers the last model, the window geometry, the sampling settings and the text."""

from __future__ import annotations

from attnlab.app.main_window import MainWindow


def test_settings_survive_a_restart(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text="the cat sat")
    window.text_input.setPlainText("猫 sat on the mat")
    panel = window.sampling
    panel.greedy.setChecked(False)
    panel.temperature.setValue(0.7)
    panel.top_k.setValue(5)
    panel.top_p.setValue(0.9)
    panel.seed.setValue(42)
    window.generation.run_count.setValue(33)
    window.resize(761, 633)  # within the offscreen screen: restoreGeometry clamps to it
    wait_idle(window)
    window.close()

    again = MainWindow()
    qtbot.addWidget(again)
    config = again.sampling.config()
    assert (config.greedy, config.temperature, config.top_k, config.top_p, config.seed) == (False, 0.7, 5, 0.9, 42)
    assert again.generation.run_count.value() == 33
    assert (again.width(), again.height()) == (761, 633)
    assert again.text_input.toPlainText() == "猫 sat on the mat"
    with qtbot.waitSignal(again.model_loaded, timeout=60_000) as loaded:
        again.start()  # no model given: the last one
    assert loaded.args[0].path.endswith("gpt2")
    wait_idle(again)
    assert again.text_input.toPlainText() == "猫 sat on the mat"  # not replaced by the example
    assert again.document.analysis is not None and len(again.token_strip.tokens()) > 1
    again.close()


def test_seeded_sampling_reaches_the_engine(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text="the cat sat")
    window.sampling.greedy.setChecked(False)
    window.sampling.seed.setValue(7)
    window.generation.run_count.setValue(6)

    def run_once() -> list[int]:
        window.analyse()
        wait_idle(window)
        window.run(6)
        wait_idle(window)
        return [s.token_id for s in window.document.steps]

    first, second = run_once(), run_once()
    assert first == second and len(first) == 6
    window.sampling.seed.setValue(8)
    assert run_once() != first
