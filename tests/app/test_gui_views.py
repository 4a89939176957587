"""The views on their own: pooling, token text, heatmap, head grid, token strip."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from strip_clicks import click_token, hover_token

from attnlab.app.plots.head_grid import HeadGridView
from attnlab.app.plots.heatmap import DISPLAY_LIMIT, HeatmapView
from attnlab.app.token_text import display_text, looks_special
from attnlab.app.widgets.token_strip import TokenStrip
from attnlab.engine.api.pooling import fit, max_pool


def test_max_pool_keeps_peaks_and_handles_partial_blocks():
    m = np.zeros((5, 7), np.float32)
    m[4, 6] = 0.9
    m[0, 0] = 0.5
    pooled = max_pool(m, 2, 3)  # [3, 3]
    assert pooled.shape == (3, 3) and pooled.dtype == np.float32 and pooled.flags.c_contiguous
    assert pooled[2, 2] == pytest.approx(0.9) and pooled[0, 0] == pytest.approx(0.5)
    image, fy, fx = fit(np.ones((1000, 10), np.float32), 256)
    assert (fy, fx) == (4, 1) and image.shape == (250, 10)
    heads = max_pool(np.ones((3, 9, 9), np.float32), 3, 3)  # leading axes pass through
    assert heads.shape == (3, 3, 3)


def test_display_text():
    assert display_text(" the") == "the"
    assert display_text("\n") == "↵" and display_text("  ") == "␣␣" and display_text("") == "∅"
    assert display_text("中国") == "中国"
    assert display_text("a" * 50, limit=10) == "a" * 9 + "…"
    assert looks_special("[CLS]") and looks_special("<|endoftext|>") and not looks_special("<")


def _causal(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = np.tril(rng.random((n, n), dtype=np.float32))
    return m / m.sum(axis=1, keepdims=True)


def test_heatmap_shows_one_row_major_image_with_hover_text(qtbot):
    view = HeatmapView()
    qtbot.addWidget(view)
    view.resize(500, 500)
    view.show()
    tokens = ["<s>", "the", "cat", "sat"]
    m = _causal(4)
    view.show_matrix(m, tokens, tokens, "decoder · layer 0 · head 1")
    image = view.displayed_image()
    assert image.dtype == np.float32 and image.flags.c_contiguous and image.shape == (4, 4)
    assert view.image.axisOrder == "row-major" and tuple(view.image.getLevels()) == (0.0, 1.0)
    assert view.image.lut.shape == (256, 3)
    assert view.text_at(3, 2) == f"sat (#3) → cat (#2): {m[3, 2]:.3f}"
    # Hovering the centre of cell (query 2, key 1) names it.
    scene = view.plot.getViewBox().mapViewToScene(QPointF(1, 2))
    assert view.cell_at(scene) == (2, 1)
    view._show_hover(scene)
    assert view.hover_text.startswith("cat (#2) → the (#1)")


def test_long_sequences_are_pooled_and_zooming_in_shows_full_resolution(qtbot):
    view = HeatmapView()
    qtbot.addWidget(view)
    view.resize(600, 600)
    view.show()
    n = 2000
    m = np.zeros((n, n), np.float32)
    m[1500, 3] = 1.0  # a single peak survives pooling
    view.show_matrix(m, [f"t{i}" for i in range(n)], [f"t{i}" for i in range(n)])
    pooled = view.displayed_image()
    assert max(pooled.shape) <= DISPLAY_LIMIT and pooled.max() == 1.0
    view.plot.getViewBox().setRange(xRange=(0, 99), yRange=(1450, 1549), padding=0)
    full = view.displayed_image()
    assert full.shape[0] <= 110 and full.shape[1] <= 110
    assert full.max() == 1.0  # the peak, now at full resolution
    view.plot.getViewBox().setRange(xRange=(-0.5, n - 0.5), yRange=(-0.5, n - 0.5), padding=0)
    assert view.displayed_image().shape == pooled.shape


def test_head_grid_is_one_montage_and_maps_clicks_to_heads(qtbot):
    grid = HeadGridView()
    qtbot.addWidget(grid)
    grid.resize(400, 400)
    grid.show()
    block = np.stack([_causal(6, seed) for seed in range(5)])  # [head, q, k]
    grid.show_layers([block], [2], selected=(2, 4), ablated=frozenset({(2, 1)}))
    assert grid.image.image.shape == (2 * 6, 3 * 6)  # 5 heads in a 2 × 3 grid
    for head in range(5):
        assert grid.head_at(grid.tile_center(2, head)) == (2, head)
    clicked = []
    grid.head_clicked.connect(lambda layer, head: clicked.append((layer, head)))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.mapFromScene(grid.tile_center(2, 3)))
    assert clicked == [(2, 3)]
    # All layers × heads: rows are layers.
    grid.show_layers([block, block, block], [0, 1, 2], selected=None)
    assert grid.image.image.shape == (3 * 6, 5 * 6)
    assert grid.head_at(grid.tile_center(1, 4)) == (1, 4)


def test_token_strip_keeps_chips_in_place_and_styles_marks(qtbot):
    strip = TokenStrip()
    qtbot.addWidget(strip)
    strip.resize(400, 120)
    strip.show()
    strip.set_kinds("knockout", ("knockout",))
    strip.set_tokens(["<s>", "the", "cat"])
    first = strip.chip_rect(1)
    strip.set_tokens(["<s>", "the", "cat"], ["sat"])
    assert strip.chip_rect(1) == first and strip.chip(3).generated and strip.chip(3).name == "token_3"
    assert strip.chip(1).token == "the" and strip.chip(4) is None
    requests = []
    selected = []
    strip.mark_requested.connect(lambda p, k: requests.append((p, k)))
    strip.token_selected.connect(selected.append)
    click_token(qtbot, strip, 2)
    click_token(qtbot, strip, 3)  # generated: a click selects it
    assert requests == [(2, "knockout")] and selected == [3]
    marks = [a for a in strip.menu_for(3).actions() if a.objectName() in ("action_mask", "action_knockout")]
    assert not any(a.isEnabled() for a in marks)
    hover_token(qtbot, strip, 3)
    assert strip.viewport().cursor().shape() == Qt.CursorShape.PointingHandCursor
    strip.set_kinds("knockout", ("knockout",), ("knockout",))  # a decoder's generated tokens
    click_token(qtbot, strip, 3)
    assert requests == [(2, "knockout")] and selected == [3, 3]  # knocked out from the menu instead
    next(a for a in strip.menu_for(3).actions() if a.objectName() == "action_knockout").trigger()
    assert requests == [(2, "knockout"), (3, "knockout")]
    assert not next(a for a in strip.menu_for(3).actions() if a.objectName() == "action_mask").isEnabled()
    strip.set_marks({2: "knockout"})
    assert strip.chip(2).mark == "knockout" and "knocked out of attention" in strip.chip(2).tooltip
    click_token(qtbot, strip, 2)
    assert requests[-1] == (2, "")
    menu = strip.menu_for(1)
    assert not next(a for a in menu.actions() if a.objectName() == "action_mask").isEnabled()
    qtbot.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=strip.viewport().rect().bottomRight())
    assert selected[-1] == -1  # a click between chips


def test_token_strip_selects_ranges_with_the_mouse_and_the_keyboard(qtbot):
    strip = TokenStrip()
    qtbot.addWidget(strip)
    strip.resize(400, 120)
    strip.show()
    strip.set_kinds("knockout", ("knockout",))
    strip.set_tokens(["<s>", "the", "cat", "sat", "on", "the", "mat"])
    ranges, requests = [], []
    strip.range_selected.connect(lambda first, last: ranges.append((first, last)))
    strip.mark_requested.connect(lambda p, k: requests.append((p, k)))
    click_token(qtbot, strip, 2)
    click_token(qtbot, strip, 5, modifier=Qt.KeyboardModifier.ShiftModifier)  # from the clicked token to here
    assert ranges == [(2, 5)] and strip.selection() == (2, 5) and requests == [(2, "knockout")]
    assert [strip.chip(i).in_range for i in range(7)] == [False, False, True, True, True, True, False]
    qtbot.mousePress(strip.viewport(), Qt.MouseButton.LeftButton, pos=strip.chip_rect(1).center())
    qtbot.mouseMove(strip.viewport(), strip.chip_rect(3).center())
    qtbot.mouseRelease(strip.viewport(), Qt.MouseButton.LeftButton, pos=strip.chip_rect(3).center())
    assert ranges[-1] == (1, 3) and len(requests) == 1  # a drag selects, it marks nothing
    strip.setFocus()
    qtbot.keyClick(strip, Qt.Key.Key_Home)
    qtbot.keyClick(strip, Qt.Key.Key_Right)
    assert strip.current() == 1 and "'the'" in strip.accessibleDescription()
    qtbot.keyClick(strip, Qt.Key.Key_Space)
    assert requests[-1] == (1, "knockout")
    qtbot.keyClick(strip, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(strip, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert ranges[-1] == (1, 3) and strip.current() == 3
    qtbot.keyClick(strip, Qt.Key.Key_End)
    assert strip.current() == 6
    next(a for a in strip.menu_for(4).actions() if a.objectName() == "action_show").trigger()
    assert ranges[-1] == (4, 4)
