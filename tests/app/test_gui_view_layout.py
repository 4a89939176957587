"""The attention views at every window size (issue 10): the head grid fills its pane and grows with
the window up to 4K, the all-layers grid is labelled, and crowded key labels turn upright."""

from __future__ import annotations

from PySide6.QtCore import QRectF

SIZES = ((1024, 640), (1400, 860), (3840, 2160))
PROMPT = "the cat sat on the mat"


def _covered(grid) -> tuple[float, float]:
    """The share of the grid's plot area's width and height that its thumbnails cover on screen."""
    vb = grid.plot.getViewBox()
    montage = vb.mapViewToScene(QRectF(0, 0, grid.columns, grid._rows)).boundingRect()
    return montage.width() / vb.width(), montage.height() / vb.height()


def _filled(grid) -> float:
    """The share of the grid's plot area that its thumbnails cover on screen."""
    width, height = _covered(grid)
    return width * height


def test_the_head_grid_fills_its_pane_and_grows_with_the_window(open_window, tiny_folders, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    grid = window.attention.grid
    tiles = {}
    for size in SIZES:
        window.resize(*size)
        wait_idle(window)
        window.grab()  # lay out and paint at this size
        width, height = grid.tile_size()
        tiles[size] = width * height
        assert _filled(grid) > 0.6, f"the grid covers {_filled(grid):.0%} of its pane at {size}"
        assert 1 / 1.51 <= width / height <= 1.51, f"thumbnails stretched {width:.0f}×{height:.0f} at {size}"
    assert tiles[(3840, 2160)] > 4 * tiles[(1024, 640)]  # at 4K the thumbnails are much larger

    window.attention.picker.all_layers_box.setChecked(True)
    for size in SIZES:
        window.resize(*size)
        wait_idle(window)
        window.grab()
        # 2 layers × 4 heads: as wide or as high as the pane (thumbnails stretch at most 1.5×)
        assert max(_covered(grid)) > 0.95, f"the all-layers grid covers {_covered(grid)} of its pane at {size}"


def test_the_all_layers_grid_is_labelled_at_every_size_with_a_tooltip_per_tile(open_window, tiny_folders, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    grid = window.attention.grid
    window.attention.picker.all_layers_box.setChecked(True)
    for size in SIZES:
        window.resize(*size)
        wait_idle(window)
        window.grab()
        layer_axis, head_axis = grid.plot.getAxis("left"), grid.plot.getAxis("top")
        assert layer_axis.isVisible() and head_axis.isVisible()
        assert layer_axis.drawn_labels == ["L0", "L1"], size
        assert head_axis.drawn_labels == ["H0", "H1", "H2", "H3"], size
    assert grid.tooltip_at(grid.tile_center(1, 2)).startswith("layer 1 · head 2")
    assert grid.tooltip_at(grid.plot.getViewBox().sceneBoundingRect().bottomRight()) == ""

    window.attention.picker.all_layers_box.setChecked(False)  # one layer: each tile carries its head
    wait_idle(window)
    assert not grid.plot.getAxis("left").isVisible()
    assert [label.toPlainText() for label in grid._labels] == ["H0", "H1", "H2", "H3"]


def test_crowded_key_labels_turn_upright_instead_of_dropping(open_window, tiny_folders, wait_idle):
    words = "the cat sat on the mat and the dog ran to the big red rug in the city of Paris".split()
    window = open_window(tiny_folders["gpt2"], text=" ".join(words * 2))
    window.resize(1024, 640)
    wait_idle(window)
    window.grab()
    keys = window.attention.heatmap.plot.getAxis("bottom")
    tokens = window.attention.heatmap.matrix.shape[1]
    assert keys.upright, "41 keys in a narrow heatmap: the labels should be upright"
    lo, hi = 0, tokens - 1
    size = keys.geometry().width()
    level = keys._level(*sorted(keys.range), lo, hi, size)  # what level labels would have kept
    assert len(keys.drawn_labels) > len(level)
    assert len(keys.drawn_labels) >= tokens // 3

    window.text_input.setPlainText("the cat")
    window.analyse()
    window.resize(1400, 860)
    wait_idle(window)
    window.grab()
    assert not keys.upright  # three short keys fit level
    assert keys.drawn_labels == ["<s>", "the", "cat"]
