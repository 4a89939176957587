"""Figures from the window: File ▸ Export Figure…, the views' right-click actions, the files they
write (PNG, SVG, PDF with metadata; CSV and .npy equal to the model's own attention)."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from figure_checks import (
    assert_viridis_of,
    cell_colours,
    distinct_colours,
    pdf_metadata,
    pdf_pages,
    png_image,
    png_metadata,
    svg_images,
    svg_metadata,
    svg_texts,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu

from attnlab.app.figures import COLORBAR_STRIP, MINIMUM_SIZE, figure_size
from attnlab.app.plots.token_axis import LABEL_CHARS
from attnlab.app.token_text import display_text
from attnlab.engine.api.saved_session import weights_hash

TEXT = "the cat sat on the mat"


def _exported_size(view, which: str) -> tuple[int, int]:
    """The figure's logical size: the view's, enlarged to the minimum while it is drawn, plus a colour bar."""
    size = view.viewport().size().expandedTo(MINIMUM_SIZE[which])
    extra = COLORBAR_STRIP if which == "grid" else 0
    return size.width() + extra, size.height()


def _eager_attention(folder: str, ids: np.ndarray) -> np.ndarray:
    """[layer, head, query, key] from the model's own eager forward, not the engine's capture."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager").eval()
    with torch.no_grad():
        out = model(torch.as_tensor(ids)[None], output_attentions=True)
    return np.stack([a[0].float().numpy() for a in out.attentions])


@pytest.fixture
def window(open_window, tiny_folders):
    return open_window(tiny_folders["gpt2"], text=TEXT)


def test_export_action_sits_before_quit_with_ctrl_e(window):
    names = [action.objectName() for action in window.menus["fileMenu"].actions()]
    assert names.index("exportFigureAction") < names.index("quitAction")
    assert window.figures.export_action.shortcut() == QKeySequence("Ctrl+E")
    for which, view in window.figures.views.items():
        menu = view.context_menu()
        offered = [action.objectName() for action in menu.actions()]
        assert offered[:3] == [f"exportFigure_{which}", f"copyImage_{which}", f"saveMatrix_{which}"]
        assert "PNG Resolution" in [action.text() for action in menu.actions()]
        menu.deleteLater()

    # A right-click on a thumbnail: its own ablation entry first, then the figure actions.
    grid = window.attention.grid
    grid._on_clicked(_RightClick(grid.tile_center(0, 1)))
    menu = next(m for m in grid.findChildren(QMenu) if m.isVisible())
    texts = [action.text() for action in menu.actions()]
    assert texts[0] == "Ablate / restore layer 0 head 1" and texts[1] == "" and "Copy Image" in texts
    menu.close()
    heatmap = window.attention.heatmap
    heatmap._on_mouse_clicked(_RightClick(heatmap.plot.getViewBox().mapViewToScene(QPointF(1, 1))))
    menu = next(m for m in heatmap.findChildren(QMenu) if m.isVisible())
    assert [action.objectName() for action in menu.actions()][:3] == [
        "exportFigure_heatmap",
        "copyImage_heatmap",
        "saveMatrix_heatmap",
    ]
    menu.close()


class _RightClick:
    """What the views read of pyqtgraph's MouseClickEvent."""

    def __init__(self, scene_position):
        self._at = scene_position

    def button(self):
        return Qt.MouseButton.RightButton

    def double(self):
        return False

    def scenePos(self):  # noqa: N802 - pyqtgraph's name
        return self._at

    def screenPos(self):  # noqa: N802 - pyqtgraph's name
        return QPointF(10, 10)


def test_figures_parse_and_carry_their_run(window, tmp_path, wait_idle):
    window.attention.picker.select(layer=1, head=2)
    wait_idle(window)
    heatmap = window.attention.heatmap
    files = {s: window.figures.export(tmp_path / f"heatmap.{s}", "heatmap") for s in ("png", "svg", "pdf")}
    assert all(path is not None and path.exists() for path in files.values()), window.banner.text

    width, height = _exported_size(heatmap, "heatmap")  # twice over (the offscreen screen's ratio is 1)
    image = png_image(files["png"])
    assert (image.width(), image.height()) == (2 * width, 2 * height)
    # The view is back to its pane's size, laid out for it (not left at the figure's wider layout).
    assert heatmap.centralWidget.geometry().width() == heatmap.viewport().width()
    assert distinct_colours(image) > 20  # colours of the map, text, lines: not a blank page

    tokens = [display_text(t, LABEL_CHARS) for t in window.document.labels("decoder")[0]]
    texts = svg_texts(files["svg"])
    for token in tokens:
        assert token in texts  # searchable text, not outlines
    assert heatmap.title in texts

    assert pdf_pages(files["pdf"].read_bytes()) == 1
    metadata = [png_metadata(files["png"]), svg_metadata(files["svg"]), pdf_metadata(files["pdf"].read_bytes())]
    for m in metadata:
        assert (m.model, m.view, m.stack, m.layer, m.head, m.text) == (
            window.document.info.name,
            "heatmap",
            "decoder",
            1,
            2,
            TEXT,
        )
        assert m.version and m.title == heatmap.title
        assert m.weights_hash == weights_hash(window.document.info.path) and len(m.weights_hash) == 64
    assert metadata[0] == metadata[1] == metadata[2]


def test_grid_figure_has_a_colour_bar_and_its_view(window, tmp_path, wait_idle):
    window.toggle_ablation("decoder", 0, 1)
    wait_idle(window)
    window.attention.picker.all_layers_box.setChecked(True)
    wait_idle(window)
    png = window.figures.export(tmp_path / "grid.png", "grid")
    svg = window.figures.export(tmp_path / "grid.svg", "grid")
    grid = window.attention.grid
    assert figure_size(grid).width() == grid.viewport().width() + COLORBAR_STRIP
    assert png_image(png).width() == 2 * _exported_size(grid, "grid")[0]
    texts = svg_texts(svg)
    assert {"0", "0.5", "1"} <= set(texts)  # the colour bar's ticks
    assert {"L0", "L1", "H0", "H3"} <= set(texts)  # the layer and head axes
    m = svg_metadata(svg)
    assert m.view == "all-layers" and m.masks["ablated_heads"] == [["decoder", 0, 1]]


def test_svg_cells_stay_sharp_in_any_renderer(window, tmp_path, tiny_folders, wait_idle):
    """Issue 24 §15: the heatmap is embedded at (at least) twice the size it is drawn at, each cell a
    uniform block of its weight's colour, not as one pixel per cell for the renderer to smooth; so is
    the head grid's montage."""
    window.attention.picker.select(layer=1, head=2)
    wait_idle(window)
    expected = _eager_attention(tiny_folders["gpt2"], window.document.analysis.token_ids)[1, 2]  # [query, key]
    images = svg_images(window.figures.export(tmp_path / "heatmap.svg", "heatmap"))
    image, drawn_width, drawn_height = max(images, key=lambda found: found[1] * found[2])  # the map, not the bar
    assert drawn_width > 300 and drawn_height > 300
    assert image.width() >= 2 * drawn_width and image.height() >= 2 * drawn_height
    assert_viridis_of(cell_colours(image, *expected.shape), expected)

    window.attention.picker.all_layers_box.setChecked(True)
    wait_idle(window)
    montage = window.attention.grid.image.image  # [row, col] of montage pixels
    images = svg_images(window.figures.export(tmp_path / "grid.svg", "grid"))
    image, drawn_width, drawn_height = max(images, key=lambda found: found[1] * found[2])
    assert image.width() >= 2 * drawn_width and image.height() >= 2 * drawn_height
    assert_viridis_of(cell_colours(image, *montage.shape), montage)


def test_matrix_files_equal_the_models_own_attention(window, tmp_path, tiny_folders, wait_idle):
    window.attention.picker.select(layer=1, head=3)
    wait_idle(window)
    expected = _eager_attention(tiny_folders["gpt2"], window.document.analysis.token_ids)  # [layer, head, q, k]
    npy = window.figures.export(tmp_path / "heatmap.npy", "heatmap")
    np.testing.assert_allclose(np.load(npy), expected[1, 3], atol=2e-3)  # the store keeps float16

    with open(window.figures.export(tmp_path / "heatmap.csv", "heatmap"), newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    queries, keys = window.document.labels("decoder")
    assert rows[0][1:] == keys and [row[0] for row in rows[1:]] == queries
    np.testing.assert_allclose(np.array([row[1:] for row in rows[1:]], float), expected[1, 3], atol=2e-3)

    grid = np.load(window.figures.export(tmp_path / "grid.npy", "grid"))  # one layer: [1, head, q, k]
    np.testing.assert_allclose(grid, expected[1:2], atol=2e-3)
    with open(window.figures.export(tmp_path / "grid.csv", "grid"), newline="", encoding="utf-8") as file:
        long = list(csv.DictReader(file))
    assert len(long) == expected[1].size
    for row in long[:: max(1, len(long) // 17)]:
        layer, head, query, key = (int(row[k]) for k in ("layer", "head", "query", "key"))
        assert layer == 1 and row["query_token"] == queries[query]
        assert float(row["weight"]) == pytest.approx(expected[layer, head, query, key], abs=2e-3)


def test_a_rollout_figure_says_so_and_its_matrix_is_the_rollout(window, tmp_path, tiny_folders, wait_idle):
    window.attention.picker.select(layer=1, head=0)
    window.attention.set_rollout(True)
    wait_idle(window)
    window.attention.render_heatmap()  # the engine's reply arrived: draw it now
    expected = _eager_attention(tiny_folders["gpt2"], window.document.analysis.token_ids).mean(axis=1)
    n = expected.shape[-1]
    through = np.eye(n)  # R_l = Ã_l·R_{l−1}, Ã = rows of ½·mean over heads + ½·I, renormalised
    for layer in range(2):
        mixed = 0.5 * expected[layer] + 0.5 * np.eye(n)
        through = (mixed / mixed.sum(axis=-1, keepdims=True)) @ through
    np.testing.assert_allclose(np.load(window.figures.export(tmp_path / "r.npy", "heatmap")), through, atol=2e-3)
    m = svg_metadata(window.figures.export(tmp_path / "r.svg", "heatmap"))
    assert (m.view, m.layer, m.head) == ("rollout", 1, None)


def test_the_menu_action_asks_for_a_file_and_writes_it(window, tmp_path, monkeypatch):
    target = tmp_path / "chosen"  # no ending: the chosen filter's is added

    def choose(parent, title, name, filters):
        assert "Head grid: PDF" in filters and "matrix as CSV" in filters
        return str(target), [f for f in filters.split(";;") if f.startswith("Head grid: PDF")][0]

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    window.figures.export_action.trigger()
    assert pdf_pages((tmp_path / "chosen.pdf").read_bytes()) == 1
    assert pdf_metadata((tmp_path / "chosen.pdf").read_bytes()).view == "grid"


def test_copy_image_and_resolution(window):
    window.figures.copy_image("heatmap")
    copied = QApplication.clipboard().image()
    width, height = _exported_size(window.attention.heatmap, "heatmap")
    assert (copied.width(), copied.height()) == (2 * width, 2 * height)
    next(a for a in window.figures.resolution_menu.actions() if a.text() == "300 dpi").trigger()
    assert window.figures.dpi == 300
    window.figures.copy_image("heatmap")
    assert QApplication.clipboard().image().width() == round(width * 300 / 96)


def test_bad_exports_say_why_and_write_nothing(window, tmp_path):
    assert window.figures.export(tmp_path / "figure.jpg") is None
    assert ".png, .svg, .pdf" in window.banner.text
    assert window.figures.export(tmp_path / "missing" / "figure.png") is None
    assert "does not exist" in window.banner.text
    window.text_input.setPlainText("")
    window.analyse()
    assert window.figures.export(tmp_path / "empty.png") is None
    assert "Nothing to export" in window.banner.text
    assert list(tmp_path.iterdir()) == []


def test_metadata_survives_any_text_and_big_grids_refuse_csv(qtbot, tmp_path):
    from attnlab.app.figures import FigureData, FigureMetadata, read_metadata, save_figure, save_matrix
    from attnlab.app.plots.heatmap import HeatmapView

    view = HeatmapView()
    qtbot.addWidget(view)
    view.resize(420, 360)
    view.show()
    tokens = ["<s>", "a&b", "猫", '"q"']
    view.show_matrix(np.full((4, 4), 0.25, np.float32), tokens, tokens, "encoder self-attention · layer 0 · head 0")
    text = 'a <b> & "c" ]]> 猫\nnext line'
    metadata = FigureMetadata(
        model="m", view="heatmap", stack="encoder", layer=0, head=0, title=view.title, text=text, generated_ids=(5, 7)
    )
    assert read_metadata(metadata.to_json()) == metadata
    readers = {"png": png_metadata, "svg": svg_metadata, "pdf": lambda p: pdf_metadata(p.read_bytes())}
    for suffix, read in readers.items():
        assert read(save_figure(view, tmp_path / f"f.{suffix}", metadata)) == metadata
    assert {"a&b", "猫", '"q"'} <= set(svg_texts(tmp_path / "f.svg"))

    big = FigureData(np.zeros((1, 1, 1500, 1500), np.float32), (0,), ("x",) * 1500, ("x",) * 1500, metadata)
    with pytest.raises(ValueError, match="as .npy"):
        save_matrix(big, tmp_path / "big.csv")
    assert not (tmp_path / "big.csv").exists()


def test_the_colour_bar_names_weights_on_log_and_row_scales(qtbot):
    from attnlab.app.plots.heatmap import HeatmapView

    view = HeatmapView()
    qtbot.addWidget(view)
    view.resize(300, 400)
    view.show()
    m = np.full((3, 3), 1 / 3, np.float32)
    view.show_matrix(m, ["a", "b", "c"], ["a", "b", "c"], "t", "log")
    qtbot.waitUntil(lambda: len(view.colour_bar_labels()) == 5)
    ticks = {value: label for value, label in view.colour_bar_labels()}  # colour value -> label
    assert ticks[0.0] == "≤1e-4" and ticks[0.5] == "0.01" and ticks[1.0] == "1"  # (log10 p + 4) / 4
    view.show_matrix(m, ["a", "b", "c"], ["a", "b", "c"], "t", "row")
    qtbot.waitUntil(lambda: [label for _, label in view.colour_bar_labels()] == ["0", "max"])
    view.show_matrix(m, ["a", "b", "c"], ["a", "b", "c"], "t", "linear")  # the weights themselves
    qtbot.waitUntil(
        lambda: [label for _, label in view.colour_bar_labels()] == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]
    )


def test_enlarged_cells_are_exact_blocks_within_a_bound(qapp):
    """Every cell gets the same whole block (QImage.scaled's unsmoothed steps do not: some blocks come
    out a pixel wider), a map already finer than its drawing is embedded as it is, and a zoomed-in one
    stays within MAX_SIDE pixels a side."""
    from PySide6.QtGui import QImage

    from attnlab.app.plots.cell_image import MAX_SIDE, SHARPNESS, block_factor, enlarged

    assert block_factor(19, 708) == 75 >= SHARPNESS * 708 / 19
    assert block_factor(3000, 700) == 1 and block_factor(12, 50_000) * 12 <= MAX_SIDE
    cells = np.arange(12 * 19, dtype=np.uint32).reshape(12, 19) * 997 | 0xFF000000  # distinct opaque colours
    image = QImage(cells.tobytes(), 19, 12, 4 * 19, QImage.Format.Format_ARGB32).copy()
    big = enlarged(image, 75, 69)
    assert (big.width(), big.height()) == (19 * 75, 12 * 69)
    colours = cell_colours(big, 12, 19)  # uniform blocks, or this fails
    expected = cell_colours(image, 12, 19)
    np.testing.assert_array_equal(colours, expected)
