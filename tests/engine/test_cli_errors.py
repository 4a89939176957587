"""`attnlab export` on bad model files and odd text: one line, exit 2, no file; and no noise."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from tiny_models import save, tiny_gpt2

from attnlab.app.cli import main
from attnlab.engine.api.errors import EngineError, ModelLoadError
from attnlab.engine.cli.quiet import quiet_transformers

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTNLAB_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("ATTNLAB_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def gpt(tmp_path_factory) -> Path:
    return save(*tiny_gpt2(), tmp_path_factory.mktemp("models") / "gpt")


def broken_copy(folder: Path, target: Path, **changes) -> Path:
    """A copy of a model folder whose config.json has `changes`."""
    shutil.copytree(folder, target)
    config = json.loads((target / "config.json").read_text())
    config.update(changes)
    (target / "config.json").write_text(json.dumps(config))
    return target


def _export_fails(capsys, out_dir: Path, *args: str) -> str:
    out_dir.mkdir()
    assert main(["export", *args, "--out", str(out_dir / "run.npz")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert list(out_dir.iterdir()) == []  # nothing left behind, not even a temporary file
    return lines[0]


def test_negative_layer_count_is_one_line(gpt, tmp_path, capsys):
    model = broken_copy(gpt, tmp_path / "negative", n_layer=-1)
    line = _export_fails(capsys, tmp_path / "out", "--model", str(model), "--text", "the cat")
    assert "n_layer = -1" in line or "num_hidden_layers = -1" in line
    assert "__len__" not in line


def test_unknown_model_type_is_one_line(gpt, tmp_path, capsys):
    model = broken_copy(gpt, tmp_path / "unknown", model_type="frobnicator")
    line = _export_fails(capsys, tmp_path / "out", "--model", str(model), "--text", "the cat")
    assert "'frobnicator'" in line and "does not know" in line
    assert "pip install" not in line


def test_lone_surrogate_in_text_is_one_line(gpt, tmp_path, capsys):
    line = _export_fails(capsys, tmp_path / "out", "--model", str(gpt), "--text", "the \udcff cat")
    assert "invalid character at position 4" in line and "U+DCFF" in line


def test_engine_raises_model_load_error_for_broken_folders(gpt, tmp_path):
    from attnlab.engine.models.loading import load_model

    with pytest.raises(ModelLoadError, match="must be at least 1"):
        load_model(str(broken_copy(gpt, tmp_path / "negative", n_head=0)))
    with pytest.raises(EngineError):
        load_model(str(broken_copy(gpt, tmp_path / "unknown", model_type="frobnicator")))


def test_failed_write_leaves_no_file(gpt, tmp_path, monkeypatch, capsys):
    import numpy as np

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", fail)
    line = _export_fails(capsys, tmp_path / "out", "--model", str(gpt), "--text", "the cat")
    assert "disk full" in line


def test_cli_prints_its_own_line_only(gpt, tmp_path):
    out = tmp_path / "run.npz"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "default"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "attnlab",
            "export",
            "--model",
            str(gpt),
            "--text",
            "the cat",
            "--generate",
            "3",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines() == [f"wrote {out}"]


def test_help_lists_export(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "export" in capsys.readouterr().out


def test_quiet_is_scoped_to_the_call():
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    with quiet_transformers():
        warnings.warn("hidden", FutureWarning, stacklevel=1)
    assert hf_logging.get_verbosity() == verbosity
    with pytest.warns(FutureWarning, match="seen"):
        warnings.warn("seen", FutureWarning, stacklevel=1)
