"""A narrow window with a lesson open (issue 24, 7): the heatmap keeps a useful width, the window still fits
an 800 px screen, and the colour bar's labels stay distinct numbers that say its levels, however narrow or
short the plot and however small the range."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtGui import QPainter, QPicture

from attnlab.app import i18n
from attnlab.app.colour_scale import LOG_DECADES, SCALES
from attnlab.app.main_window import MainWindow
from attnlab.app.plots.heatmap import MIN_HEIGHT, MIN_WIDTH, HeatmapView

LOAD_TIMEOUT_MS = 60_000
REPLY_TIMEOUT_MS = 20_000


def _number(label: str) -> float:
    return float(label.replace("\u2212", "-").lstrip("≤"))


def _check_labels(view: HeatmapView, scale: str = "linear") -> list[str]:
    """The colour bar's labels as drawn inside the view: at least two, distinct, each naming its place on
    the bar (to the decimals written), all within the bar's levels. Returns the labels."""
    drawn = view.colour_bar_labels()
    labels = [label for _, label in drawn]
    assert len(labels) >= 2, f"the colour bar shows {labels}"
    assert len(set(labels)) == len(labels), f"labels repeat: {labels}"
    lo, hi = view.colorbar.levels()
    for value, label in drawn:
        assert lo - 1e-9 <= value <= hi + 1e-9, (label, value, (lo, hi))
        if scale == "log":  # the colour (log10 p + 4) / 4 of the weight p named
            assert _number(label) == pytest.approx(10 ** (value * LOG_DECADES - LOG_DECADES), rel=1e-6)
        elif label != "max":
            decimals = len(label.partition(".")[2])
            assert abs(_number(label) - value) <= 0.5 * 10**-decimals + 1e-12, (label, value)
    values = [value for value, _ in drawn]
    assert values == sorted(values)
    assert not _overlapping(view), f"labels drawn over each other: {labels}"
    assert values[-1] - values[0] >= 0.5 * (hi - lo), f"{labels} name only part of {lo}..{hi}"
    return labels


def _overlapping(view: HeatmapView) -> bool:
    """Two of the colour bar's labels drawn over each other (a bar too short for them)."""
    picture = QPicture()
    painter = QPainter(picture)
    try:
        rects = [rect for rect, _flags, _text in view.colorbar.axis.generateDrawSpecs(painter)[2]]
    finally:
        painter.end()
    return any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])


def _inside(view: HeatmapView) -> bool:
    """The plot laid out within the view, nothing cut off at its edge, and every label the colour bar is to
    show drawn (once Qt has laid it out at its new width)."""
    drawn = view.colour_bar_labels()
    return view.ci.geometry().width() <= view.width() + 0.5 and len(drawn) >= 2 and drawn == view.colour_bar_ticks


@pytest.fixture
def window(qtbot, fresh_settings):
    i18n.set_current_language("en")
    created = MainWindow()
    qtbot.addWidget(created)
    created.show()
    yield created
    created.close()
    i18n.set_current_language("")


def test_a_lesson_open_leaves_the_heatmap_room_with_readable_colour_labels(window, qtbot):
    action = next(a for a in window.menus["lessonsMenu"].actions() if a.objectName() == "lesson_next-token")
    with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
        action.trigger()  # as the user does: Learn ▸ 1.
    qtbot.waitUntil(lambda: window.is_idle() and window.document.analysis is not None, timeout=REPLY_TIMEOUT_MS)
    assert window.lessons.panel.isVisible()
    heatmap, box = window.attention.heatmap, window.attention.colour_mode.box
    for width in (1100, 800):
        window.resize(width, 700)
        qtbot.waitUntil(lambda: window.is_idle() and _inside(heatmap), timeout=REPLY_TIMEOUT_MS)
        window.grab().save(f"/tmp/attnlab-lesson-{width}.png")
        assert window.width() == width, f"the window cannot be {width} px wide with a lesson open"
        assert heatmap.width() >= MIN_WIDTH, f"the heatmap is {heatmap.width()} px wide at {width} px"
        assert heatmap.isVisible() and heatmap.plot.getViewBox().width() > 60  # a plot, not a sliver
        assert window.lessons.panel.width() >= 200  # and the lesson stays readable beside it
        assert _check_labels(heatmap)[0] == "0"
        for scale in ("log", "row"):  # the scales the View menu offers (long documents open on log)
            window.attention.picker.set_colours(scale, hide_first=False)
            qtbot.waitUntil(lambda s=scale: f"{SCALES[s]} colours" in heatmap.title and _inside(heatmap))
            _check_labels(heatmap, scale)
        window.attention.picker.set_colours("linear", hide_first=False)
        box.setCurrentIndex(box.findData("contribution"))  # contributions: colours of 0..1 of the largest ‖f‖
        qtbot.waitUntil(lambda: "‖f‖" in heatmap.title and _inside(heatmap), timeout=REPLY_TIMEOUT_MS)
        _check_labels(heatmap)
        box.setCurrentIndex(box.findData("weights"))


@pytest.mark.parametrize("size", [(260, 400), (260, 200), (400, 90), (600, 600)])  # 90: held at its minimum
def test_the_colour_bar_labels_stay_distinct_on_a_short_or_narrow_plot_and_a_small_range(qtbot, size):
    view = HeatmapView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    rng = np.random.default_rng(0)
    weights = rng.dirichlet(np.ones(12), 12).astype(np.float32)
    tokens = [f"token{i}" for i in range(12)]
    shown: dict[str, list[str]] = {}
    for scale in ("linear", "log", "row"):
        view.show_matrix(weights, tokens, tokens, "a head", scale)
        qtbot.waitUntil(lambda: _inside(view))
        shown[scale] = _check_labels(view, scale)
    for bound in (0.003, 0.001, 0.5):  # a difference to a pinned run: signed, often tiny
        difference = (weights - weights.T) * (bound / np.abs(weights - weights.T).max())
        view.show_difference(difference, tokens, tokens, "difference")
        qtbot.waitUntil(lambda b=bound: view.colorbar.levels()[1] == pytest.approx(b) and _inside(view))
        shown[f"±{bound}"] = _check_labels(view)
    view.grab().save(f"/tmp/attnlab-colour-bar-{size[0]}x{size[1]}.png")
    assert view.height() >= MIN_HEIGHT  # a plot, never a strip
    if size[1] >= 400:
        assert shown["linear"] == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]
    assert shown["log"][0] == "≤1e-4" and shown["log"][-1] == "1"
    assert all(math.isfinite(_number(label)) for label in shown["±0.001"])


def test_a_lesson_opened_on_an_800_px_window_keeps_it_800_px_wide(window, qtbot):
    window.resize(800, 700)
    qtbot.waitUntil(lambda: window.width() == 800)
    action = next(a for a in window.menus["lessonsMenu"].actions() if a.objectName() == "lesson_multi-head")
    with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
        action.trigger()  # the lesson's panel opens and its model loads (a progress bar in the picker's row)
    heatmap = window.attention.heatmap
    qtbot.waitUntil(lambda: window.is_idle() and _inside(heatmap), timeout=REPLY_TIMEOUT_MS)
    window.grab().save("/tmp/attnlab-lesson-opened-at-800.png")
    assert window.width() == 800, "opening the lesson widened the window past a small screen"
    assert heatmap.width() >= MIN_WIDTH and window.lessons.panel.isVisible()
    _check_labels(heatmap)
