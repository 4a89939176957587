"""Seeing past the sink: the heatmap's colour scales and "hide the first token", against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtGui import QAction

from attnlab.app.colour_scale import LOG_DECADES, colour_bar_ticks, hide_first_key, scale_for_display

SINKY = np.array(
    [
        [1.0, 0.0, 0.0, 0.0],
        [0.8, 0.2, 0.0, 0.0],
        [0.6, 0.1, 0.3, 0.0],
        [0.5, 0.0, 0.25, 0.25],
    ],
    np.float32,
)


def test_hiding_the_first_token_renormalises_each_row_over_the_other_keys():
    rest, hidden = hide_first_key(SINKY)
    assert hidden == pytest.approx((1.0 + 0.8 + 0.6 + 0.5) / 4)
    expected = [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0.25, 0.75, 0], [0, 0, 0.5, 0.5]]
    np.testing.assert_allclose(rest, expected, atol=1e-6)
    assert SINKY[1, 0] == pytest.approx(0.8)  # the true weights are left alone


def test_log_and_per_row_scales():
    logged = scale_for_display(SINKY, "log").image
    for (q, k), p in np.ndenumerate(SINKY):
        want = 0.0 if p == 0 else min(1.0, max(0.0, (math.log10(p) + LOG_DECADES) / LOG_DECADES))
        assert logged[q, k] == pytest.approx(want, abs=1e-6)
    rows = scale_for_display(SINKY, "row").image
    for q in range(4):
        np.testing.assert_allclose(rows[q], SINKY[q] / SINKY[q].max(), atol=1e-6)
    linear = scale_for_display(SINKY, "linear")
    np.testing.assert_array_equal(linear.image, SINKY)
    assert linear.hidden is None


def test_window_draws_the_chosen_scale_and_keeps_true_weights(open_window, wait_idle, qtbot):
    window = open_window("tiny-gpt", text="Once upon a time there was a cat")
    heatmap = window.attention.heatmap
    true_weights = heatmap.matrix.copy()
    picker = window.attention.picker
    picker.findChild(QAction, "colourScale_row").trigger()  # what choosing it in the menu does
    wait_idle(window)
    assert picker.colour_button.text() == "per row"
    peak = true_weights.max(axis=1, keepdims=True)
    np.testing.assert_allclose(heatmap.colours, true_weights / peak, atol=1e-6)
    np.testing.assert_allclose(heatmap.displayed_image(), heatmap.colours, atol=1e-6)

    picker.findChild(QAction, "colourScale_linear").trigger()
    picker.findChild(QAction, "hideFirstToken").trigger()
    wait_idle(window)
    np.testing.assert_array_equal(heatmap.matrix, true_weights)  # hover and analyses read these
    assert not heatmap.colours[:, 0].any()
    rows = heatmap.colours[1:].sum(axis=1)  # row 0 of a causal head had only the first token
    np.testing.assert_allclose(rows, 1.0, atol=1e-5)
    share = f"{true_weights[:, 0].mean():.0%}"
    assert f"token 0 hidden ({share} of the weight)" in heatmap.title
    assert heatmap.text_at(2, 0).endswith(f"{true_weights[2, 0]:.3f}")


@pytest.mark.parametrize(
    ("levels", "height", "expected"),
    [
        ((0.0, 1.0), 400, ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
        ((0.0, 1.0), 50, ["0", "1"]),  # a short bar: its two ends, not "1, 0, 0, 0"
        ((0.0, 0.003), 120, ["0", "0.001", "0.002", "0.003"]),
        ((-0.001, 0.001), 200, ["\u22120.0010", "\u22120.0005", "0", "0.0005", "0.0010"]),
        ((0.1234, 0.1236), 40, ["0.1234", "0.1236"]),  # narrower than a round step: its ends, told apart
    ],
)
def test_colour_bar_ticks_are_round_distinct_and_as_many_as_the_bar_holds(levels, height, expected):
    ticks = colour_bar_ticks("linear", levels, height)
    assert [label for _, label in ticks] == expected
    for value, label in ticks:
        assert levels[0] <= value <= levels[1]
        assert float(label.replace("\u2212", "-")) == pytest.approx(value, abs=1e-12)


def test_log_ticks_thin_out_evenly_on_a_short_bar():
    labels = [[label for _, label in colour_bar_ticks("log", (0.0, 1.0), height)] for height in (400, 100, 30)]
    assert labels == [["≤1e-4", "1e-3", "0.01", "0.1", "1"], ["≤1e-4", "0.01", "1"], ["≤1e-4", "1"]]
