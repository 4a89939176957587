"""The wheel installs: built from the checkout, installed into a fresh virtual environment with its
dependencies, it runs `attnlab --version`, an export on a bundled model and the window up to its
first heatmap, from outside the repository (so nothing is imported from the checkout).

Dependencies are pinned to this environment's versions (pip's cache and the local torch file serve
them): an unpinned torch would pull a CUDA build of several GB.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIRST_HEATMAP = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
import attnlab.app as app
qapp = QApplication([])
window = app.create_main_window("tiny-gpt")
window.text_input.setPlainText("one two three")
window.show()
shown = False
while not shown:
    qapp.processEvents()
    image = window.attention.heatmap.image.image
    shown = image is not None and image.shape[0] > 1 and window.is_idle()
print("heatmap", *image.shape, "from", app.__file__)
window.close()
"""


def _run(args: list[str], cwd: Path, timeout: int = 300) -> str:
    out = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{' '.join(args)}\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}"
    return out.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT)],
        cwd=dist,
    )
    (built,) = dist.glob("attnlab-*.whl")
    return built


def test_the_wheel_holds_one_top_level_package_and_every_subpackage(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith((".dist-info", ".data"))}
    assert tops == {"attnlab"}
    packages = {str(Path(name).parent) for name in names if name.endswith("/__init__.py")}
    in_tree = {"attnlab"} | {
        "attnlab/" + str(init.parent.relative_to(ROOT))
        for folder in ("app", "engine")
        for init in (ROOT / folder).rglob("__init__.py")
    }
    assert in_tree <= packages, in_tree - packages  # engine/analyses was missing once
    assert "attnlab/resources/models/tiny-gpt/config.json" in names
    assert "attnlab/resources/i18n/attnlab_zh_CN.qm" in names
    assert any(name.endswith("licenses/LICENSE") for name in names)


@pytest.mark.slow
def test_installed_from_the_wheel_it_exports_and_opens_the_window(wheel: Path, tmp_path: Path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    pins = tmp_path / "pins.txt"
    freeze = _run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"], cwd=tmp_path)
    pins.write_text("\n".join(line for line in freeze.splitlines() if "==" in line) + "\n")
    _run([str(python), "-m", "pip", "install", "-q", "-c", str(pins), str(wheel)], cwd=tmp_path, timeout=900)

    attnlab = venv / "bin" / "attnlab"
    assert _run([str(attnlab), "--version"], cwd=tmp_path).split() == ["attnlab", "0.1.0"]
    assert "attnlab" in _run([str(python), "-m", "attnlab", "--help"], cwd=tmp_path)

    out = tmp_path / "x.npz"
    _run(
        [
            str(attnlab),
            "export",
            "--model",
            "tiny-gpt",
            "--text",
            "one two three",
            "--generate",
            "2",
            "--out",
            str(out),
        ],
        cwd=tmp_path,
    )
    with np.load(out) as arrays:
        attention = arrays[[name for name in arrays.files if name.endswith("_attentions")][0]]
        np.testing.assert_allclose(attention.sum(-1), 1.0, atol=2e-3)  # rows of real weights

    shown = _run([str(python), "-c", FIRST_HEATMAP], cwd=tmp_path, timeout=300).split()
    assert shown[0] == "heatmap" and int(shown[1]) > 1
    assert shown[-1].startswith(str(venv)), shown  # the installed package, not the checkout
