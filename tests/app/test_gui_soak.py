"""The app holds under use (issue 10): many steps and many repaints through the window, memory flat.

A shorter run of the soak that `python -m benchmarks --only gui-soak` does at full size (1,000 steps,
5,000 repaints, with the longest stall as a figure); the loops are shared (benchmarks/soak.py).
No time is asserted here: the stall is printed, the benchmark reports it against its target.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from benchmarks.soak import soak_repaints, soak_steps

pytestmark = pytest.mark.slow

STEPS, CYCLE, REPAINTS = 160, 40, 300
GROWTH_LIMIT = 0.05  # RSS after the warm-up cycle may grow by less than 5%


def test_steps_and_repaints_leave_memory_flat_and_the_window_working(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text="the cat sat on the mat")
    window.sampling.max_new_tokens.setValue(CYCLE + 8)

    def wait(condition) -> None:
        qtbot.waitUntil(condition, timeout=20_000)

    steps = soak_steps(window, STEPS, CYCLE, wait)
    print(
        f"\n{steps.steps} steps in {steps.seconds:.1f} s; RSS per cycle (MiB) "
        f"{[round(r / 2**20) for r in steps.rss]}; longest stall after warm-up {steps.longest_stall() * 1000:.0f} ms"
    )
    assert steps.steps == STEPS and len(steps.rss) == STEPS // CYCLE
    assert steps.growth() < GROWTH_LIMIT, f"RSS grew {steps.growth():.1%} after the first cycle"

    repaints = soak_repaints(window, REPAINTS, wait)
    print(f"{repaints.repaints} repaints in {repaints.seconds:.1f} s; RSS (MiB) {[r >> 20 for r in repaints.rss]}")
    assert repaints.growth() < GROWTH_LIMIT, f"RSS grew {repaints.growth():.1%} over {REPAINTS} repaints"
    assert window.banner.level != "error", window.banner.text

    # The window still works: one more step shows one more query row of proper attention.
    rows = window.attention.heatmap.matrix.shape[0]
    window.attention.picker.select(layer=1, head=2)
    qtbot.mouseClick(window.generation.step_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.is_idle() and window.attention.heatmap.matrix.shape[0] == rows + 1, timeout=20_000)
    matrix = window.attention.heatmap.matrix  # [query, key]
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0, atol=2e-3)
    assert np.all(np.triu(matrix, k=1) == 0), "a causal head attends to a later token"
