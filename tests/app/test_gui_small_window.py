"""The window at 1024×640: the candidates keep room, the colour bar and the head grid stay inside their panes."""

from __future__ import annotations


def test_a_small_window_keeps_room_for_the_candidates(open_window, wait_idle):
    window = open_window("tiny-gpt", text="Once upon a time there was a cat")
    window.resize(1024, 640)
    window.step()
    wait_idle(window)
    table = window.candidates
    assert table.rowCount() >= 5
    shown = table.viewport().height() // table.rowHeight(0)
    assert shown >= 5, f"only {shown} candidate rows visible at 1024×640"

    sampling = window.sampling  # greedy ignores temperature and the rest: their rows show when sampling
    assert not sampling.temperature.isVisibleTo(sampling)
    sampling.greedy.setChecked(False)
    assert sampling.temperature.isVisibleTo(sampling) and sampling.temperature.isEnabled()

    heatmap, grid = window.attention.heatmap, window.attention.grid
    for view in (heatmap, grid):  # the plot is laid out inside its view, not clipped by it
        assert view.ci.geometry().width() <= view.width() + 1


def test_while_a_model_loads_the_picker_shows_it_and_the_empty_plot_is_clean(qtbot, fresh_settings):
    from PySide6.QtWidgets import QApplication

    from attnlab.app.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.client.catalog_listed, timeout=20_000):
        window.client.list_catalog()  # the list is there, as on a first launch, before the load starts
    QApplication.processEvents()
    window.load("tiny-seq2seq")  # not the list's first entry
    assert window.picker.models.currentData() == "tiny-seq2seq"  # while it loads
    heatmap = window.attention.heatmap
    for side in ("left", "bottom"):
        assert "x0" not in heatmap.plot.getAxis(side).labelString()  # no "query (x0.001)" before any data
    with qtbot.waitSignal(window.model_loaded, timeout=60_000):
        pass
    assert window.picker.models.currentData() == "tiny-seq2seq"
    qtbot.waitUntil(window.is_idle, timeout=20_000)
    window.close()
