"""View ▸ Cause and effect: the attribution list, the strip's colours and the patching maps show the numbers
the engine computes for the same model and input in a session of the test's own."""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.app.token_text import display_text
from attnlab.engine.analyses import rollout
from attnlab.engine.api.config import Corruption
from attnlab.engine.api.results import Attribution, PatchedRun, PatchingResult
from attnlab.engine.interpret.attribution import Target, attribute
from attnlab.engine.interpret.patching import patch, patched_run
from attnlab.engine.models.loading import load_model
from attnlab.engine.session.sessions import make_session

TEXT = "the cat sat on the mat"
OTHER = "a dog ran on the rug"


def _engine(folder: str):
    session = make_session(load_model(folder))
    session.prefill(TEXT)
    return session


def _open(open_window, qtbot, tiny_folders, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=TEXT)
    window.cause.toggleViewAction().trigger()
    wait_idle(window)
    return window


def test_the_attribution_list_and_the_strip_show_the_engine_numbers(open_window, qtbot, tiny_folders, wait_idle):
    window = _open(open_window, qtbot, tiny_folders, wait_idle)
    dock = window.cause
    assert dock.isVisible() and dock.target.count() > 0
    with qtbot.waitSignal(
        window.client.cause_explained, timeout=20_000, check_params_cb=lambda r: isinstance(r, Attribution)
    ):
        dock.compute_attribution.click()
    wait_idle(window)
    session = _engine(tiny_folders["gpt2"])
    expected = attribute(session, Target(token=dock.target.currentData()))
    attention = session.state().attention.full("decoder")
    rollout_row = rollout(attention)[-1, -1]
    last_mean = attention[-1, :, -1].mean(axis=0)
    table = dock.attribution_table
    assert table.rowCount() == len(expected.tokens)
    for row in range(table.rowCount()):
        position = int(table.item(row, 0).text())
        assert table.item(row, 1).text() == display_text(expected.tokens[position])
        for column, values in ((2, expected.grad_x_input), (3, expected.integrated), (4, rollout_row), (5, last_mean)):
            assert float(table.item(row, column).text()) == pytest.approx(float(values[position]), abs=2e-4)
    assert f"{expected.steps} steps" in dock.attribution_note.text()
    table.sortItems(3)  # by integrated gradients: numbers, not text
    shown = [float(table.item(row, 3).text()) for row in range(table.rowCount())]
    assert shown == sorted(shown)

    dock.colour_strip.setChecked(True)
    strip = window.token_strip
    for position in range(len(expected.tokens)):
        chip = strip.chip(position)
        assert chip.score == pytest.approx(float(expected.integrated[position]), abs=1e-5)
    tip = strip._tooltip(strip.chip(1))
    assert "attribution to" in tip and f"{expected.integrated[1]:.4f}" in tip
    strip.grab().save("/tmp/cause-effect-strip.png")
    dock.grab().save("/tmp/cause-effect-attribution.png")
    dock.colour_strip.setChecked(False)
    assert strip.chip(1).score is None


def test_the_patching_maps_fill_in_and_a_cell_shows_its_run(open_window, qtbot, tiny_folders, wait_idle):
    window = _open(open_window, qtbot, tiny_folders, wait_idle)
    dock = window.cause
    dock.tabs.setCurrentIndex(1)
    dock.corrupt_text.setText(OTHER)
    seen: list[PatchingResult] = []
    window.client.cause_explained.connect(lambda r: isinstance(r, PatchingResult) and seen.append(r))
    with qtbot.waitSignal(
        window.client.cause_explained,
        timeout=20_000,
        check_params_cb=lambda r: isinstance(r, PatchingResult) and r.done == r.total,
    ):
        dock.compute_patching.click()
    wait_idle(window)
    assert len(seen) > 2 and seen[0].done < seen[-1].done  # partial maps arrived before the last
    expected = patch(_engine(tiny_folders["gpt2"]), Corruption(text=OTHER))
    for site in ("residual", "attention", "mlp", "heads"):
        table, values = dock.maps[site], getattr(expected, site)
        assert (table.rowCount(), table.columnCount()) == values.shape
        for layer in range(values.shape[0]):
            for index in range(values.shape[1]):
                assert float(table.item(layer, index).text()) == pytest.approx(float(values[layer, index]), abs=5.1e-3)
    assert dock.compute_patching.isEnabled() and not dock.cancel_patching.isEnabled()
    dock.grab().save("/tmp/cause-effect-patching.png")

    with qtbot.waitSignal(
        window.client.cause_explained, timeout=20_000, check_params_cb=lambda r: isinstance(r, PatchedRun)
    ):
        dock.maps["residual"].cellClicked.emit(0, 2)
    run = patched_run(_engine(tiny_folders["gpt2"]), Corruption(text=OTHER), "residual", 0, 2)
    shown = [dock.cell_candidates.item(i).text() for i in range(dock.cell_candidates.count())]
    assert shown == [f"{display_text(c.text)}  {c.prob:.1%}" for c in run.candidates]
    assert f"{run.share:.3f}" in dock.cell_note.text()


def test_corrupt_with_noise_from_the_strip(open_window, qtbot, tiny_folders, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=TEXT)
    menu = window.token_strip.menu_for(2)
    action = next(a for a in menu.actions() if a.objectName() == "action_corrupt")
    action.trigger()
    assert window.cause.isVisible() and window.cause.corrupt_positions.text() == "2"
    window.token_strip.menu_for(1).findChild(type(action), "action_corrupt")
    next(a for a in window.token_strip.menu_for(1).actions() if a.objectName() == "action_corrupt").trigger()
    assert window.cause.corrupt_positions.text() == "1,2"
    corruption = window.cause.corruption()
    assert corruption == Corruption(positions=(1, 2), noise=3.0)
    assert np.isclose(window.cause.noise.value(), 3.0)
