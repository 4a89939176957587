"""`attnlab figure`: the views drawn headless into PNG, SVG and PDF with their metadata; bad flags
are one line and exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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

from attnlab.app.cli import main
from attnlab.app.figures import COLORBAR_STRIP
from attnlab.engine.api.saved_session import weights_hash

ROOT = Path(__file__).resolve().parents[2]
TEXT = "the cat sat on the mat"


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTNLAB_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("ATTNLAB_CACHE", str(tmp_path / "cache"))


def _figure(capsys, *args: str) -> None:
    assert main(["figure", *args]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("wrote ")


def test_heatmap_svg_keeps_tokens_and_masks(qapp, capsys, tiny_folders, tmp_path):
    out = tmp_path / "heatmap.svg"
    _figure(
        capsys,
        "--model",
        tiny_folders["gpt2"],
        "--text",
        TEXT,
        "--knockout-positions",
        "2",
        "--layer",
        "1",
        "--head",
        "2",
        "--colour-scale",
        "log",
        "--size",
        "700x600",
        "--out",
        str(out),
    )
    texts = svg_texts(out)
    for token in ("<s>", "the", "cat", "sat", "on", "mat"):
        assert token in texts
    m = svg_metadata(out)
    assert (m.view, m.stack, m.layer, m.head, m.text, m.colour_scale) == ("heatmap", "decoder", 1, 2, TEXT, "log")
    assert m.masks["knockouts"] == [["decoder", 2]] and m.model == tiny_folders["gpt2"]
    assert m.weights_hash == weights_hash(tiny_folders["gpt2"])
    assert "layer 1 · head 2" in m.title and m.title in texts


def test_svg_heatmap_is_sharp_cells_of_the_engines_weights(qapp, capsys, tiny_folders, tmp_path):
    """Issue 24 §15: a 12-token map is embedded as 12 × 12 uniform blocks at least twice the size it is
    drawn at (not a 12 × 12-pixel raster that renderers smooth), each block its weight's colour."""
    from attnlab.engine.models.loading import load_model
    from attnlab.engine.session.sessions import make_session

    text = "the cat sat on the mat and the dog ran off"
    out = tmp_path / "heatmap.svg"
    _figure(capsys, "--model", tiny_folders["gpt2"], "--text", text, "--layer", "1", "--head", "2", "--out", str(out))
    weights = make_session(load_model(tiny_folders["gpt2"])).prefill(text).attention.matrix("decoder", 1, 2)
    assert weights.shape == (12, 12)
    image, drawn_width, drawn_height = max(svg_images(out), key=lambda found: found[1] * found[2])
    assert drawn_width > 500 and drawn_height > 500  # the 900 × 800 figure's map
    assert image.width() >= 2 * drawn_width and image.height() >= 2 * drawn_height
    assert_viridis_of(cell_colours(image, 12, 12), weights)


def test_png_at_a_chosen_dpi_and_generated_tokens(qapp, capsys, tiny_folders, tmp_path):
    out = tmp_path / "heatmap.png"
    _figure(
        capsys,
        "--model",
        tiny_folders["gpt2"],
        "--text",
        TEXT,
        "--generate",
        "3",
        "--seed",
        "1",
        "--temperature",
        "1.0",
        "--layer",
        "0",
        "--mean",
        "--hide-first-token",
        "--size",
        "400x300",
        "--dpi",
        "192",
        "--out",
        str(out),
    )
    image = png_image(out)
    assert (image.width(), image.height()) == (800, 600)
    assert round(image.dotsPerMeterX() * 0.0254) == 192
    assert distinct_colours(image) > 20
    m = png_metadata(out)
    assert m.head is None and m.hide_first_token and len(m.generated_ids) == 3


def test_all_layers_pdf_and_a_seq2seq_grid(qapp, capsys, tiny_folders, tmp_path):
    pdf = tmp_path / "layers.pdf"
    _figure(
        capsys,
        "--model",
        tiny_folders["gpt2"],
        "--text",
        TEXT,
        "--view",
        "all-layers",
        "--layer",
        "0",
        "--out",
        str(pdf),
    )
    data = pdf.read_bytes()
    assert pdf_pages(data) == 1 and pdf_metadata(data).view == "all-layers"
    png = tmp_path / "cross.png"
    _figure(
        capsys,
        "--model",
        tiny_folders["bart"],
        "--source",
        "the big dog ran",
        "--view",
        "grid",
        "--stack",
        "cross",
        "--layer",
        "1",
        "--size",
        "400x400",
        "--out",
        str(png),
    )
    assert png_image(png).width() == 2 * (400 + COLORBAR_STRIP)  # the grid gets a colour bar beside it
    m = png_metadata(png)
    assert (m.stack, m.view, m.source) == ("cross", "grid", "the big dog ran")


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--layer", "0", "--out", "{tmp}/figure.jpg"], ".png, .svg, .pdf"),
        (["--layer", "7", "--out", "{tmp}/figure.png"], "layers 0–1"),
        (["--layer", "0", "--head", "9", "--out", "{tmp}/figure.png"], "heads 0–3"),
        (["--layer", "0", "--stack", "cross", "--out", "{tmp}/figure.png"], "has decoder attention"),
        (["--layer", "0", "--head", "1", "--mean", "--out", "{tmp}/figure.png"], "not allowed with"),
        (["--layer", "0", "--size", "big", "--out", "{tmp}/figure.png"], "WIDTHxHEIGHT"),
    ],
)
def test_bad_flags_are_one_line(qapp, capsys, tiny_folders, tmp_path, flags, says):
    args = [flag.format(tmp=tmp_path) for flag in flags]
    assert main(["figure", "--model", tiny_folders["gpt2"], "--text", TEXT, *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1 and says in captured.err, captured.err
    assert list(tmp_path.glob("figure*")) == []


def test_runs_headless_in_its_own_process(tiny_folders, tmp_path):
    out = tmp_path / "figure.png"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "attnlab",
            "figure",
            "--model",
            tiny_folders["gpt2"],
            "--text",
            TEXT,
            "--layer",
            "1",
            "--head",
            "0",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env={**env, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"wrote {out}"]
    assert png_image(out).width() == 2 * 900  # the default heatmap size, twice over
