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
