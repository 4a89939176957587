"""Figures from the window: File ▸ Export Figure…, the views' right-click actions, the files they
write (PNG, SVG, PDF with metadata; CSV and .npy equal to the model's own attention)."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from figure_checks import (
    distinct_colours,
    pdf_metadata,
    pdf_pages,
    png_image,
    png_metadata,
    svg_metadata,
    svg_texts,
)
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog

from app.figures import COLORBAR_STRIP, figure_size
from app.plots.token_axis import LABEL_CHARS
from app.token_text import display_text

TEXT = "the cat sat on the mat"


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


def test_figures_parse_and_carry_their_run(window, tmp_path, wait_idle):
    window.attention.picker.select(layer=1, head=2)
    wait_idle(window)
    heatmap = window.attention.heatmap
    files = {s: window.figures.export(tmp_path / f"heatmap.{s}", "heatmap") for s in ("png", "svg", "pdf")}
    assert all(path is not None and path.exists() for path in files.values()), window.banner.text

    size = figure_size(heatmap)  # the view's pixels, twice over (the offscreen screen's ratio is 1)
    image = png_image(files["png"])
    assert (image.width(), image.height()) == (2 * size.width(), 2 * size.height())
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
            window.document.info.name, "heatmap", "decoder", 1, 2, TEXT)
        assert m.version and m.title == heatmap.title
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
    assert png_image(png).width() == 2 * figure_size(grid).width()
    texts = svg_texts(svg)
    assert {"0", "0.5", "1"} <= set(texts) and "L1 H3" in texts  # the colour bar's ticks, the tiles' names
    m = svg_metadata(svg)
    assert m.view == "all-layers" and m.masks["ablated_heads"] == [["decoder", 0, 1]]


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
    size = figure_size(window.attention.heatmap)
    assert (copied.width(), copied.height()) == (2 * size.width(), 2 * size.height())
    next(a for a in window.figures.resolution_menu.actions() if a.text() == "300 dpi").trigger()
    assert window.figures.dpi == 300
    window.figures.copy_image("heatmap")
    assert QApplication.clipboard().image().width() == round(size.width() * 300 / 96)


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
