"""`attnlab export` on tiny models saved to folders: the arrays scripts rely on."""

import subprocess
import sys

import numpy as np
import pytest
from tiny_models import MASK

from attnlab.app.cli import main


@pytest.fixture(autouse=True)
def _private_dirs(private_dirs):
    """The CLI here writes to the user's folders: keep them temporary."""


def _export(tmp_path, *args):
    out = tmp_path / "out.npz"
    assert main(["export", *args, "--out", str(out)]) == 0
    return dict(np.load(out, allow_pickle=False))


def test_decoder_generation(folders, tmp_path):
    data = _export(
        tmp_path,
        "--model",
        str(folders["gpt"]),
        "--text",
        "the cat sat",
        "--generate",
        "4",
        "--greedy",
        "--top-k-candidates",
        "5",
    )
    assert list(data["tokens"]) == ["<s>", "the", "cat", "sat"]
    assert data["token_ids"].tolist() == [5, 7, 9, 10] or len(data["token_ids"]) == 4
    assert data["generated_ids"].shape == (4,)
    n = 4 + 4
    attn = data["decoder_attentions"]
    assert attn.dtype == np.float32 and attn.shape == (2, 4, n, n)
    assert not np.triu(attn, 1).any()
    np.testing.assert_allclose(attn.sum(-1), 1, atol=3e-3)
    assert data["step_topk_ids"].shape == data["step_topk_probs"].shape == (4, 5)
    assert (data["step_topk_ids"][:, 0] == data["generated_ids"]).all()  # greedy takes the top candidate
    assert "encoder_attentions" not in data and "cross_attentions" not in data


def test_sampling_with_seed_is_reproducible(folders, tmp_path):
    args = [
        "--model",
        str(folders["gpt"]),
        "--text",
        "the cat",
        "--generate",
        "6",
        "--temperature",
        "1.5",
        "--top-k",
        "30",
        "--top-p",
        "0.9",
        "--seed",
        "3",
    ]
    assert _export(tmp_path, *args)["generated_ids"].tolist() == _export(tmp_path, *args)["generated_ids"].tolist()


def test_masked_lm_with_knockout_and_ablation(folders, tmp_path):
    data = _export(
        tmp_path,
        "--model",
        str(folders["bert"]),
        "--text",
        "the cat sat on the mat",
        "--mask-positions",
        "2,4",
        "--knockout-positions",
        "5",
        "--ablate-heads",
        "0:1,1:3",
        "--top-k-candidates",
        "3",
    )
    assert data["token_ids"][2] == MASK and data["token_ids"][4] == MASK
    assert data["mask_positions"].tolist() == [2, 4]
    assert data["mask_topk_ids"].shape == data["mask_topk_probs"].shape == (2, 3)
    attn = data["encoder_attentions"]
    assert attn.shape == (2, 4, 8, 8) and not attn[:, :, :, 5].any()
    assert data["generated_ids"].shape == (0,)


def test_encoder_decoder(folders, tmp_path):
    data = _export(
        tmp_path,
        "--model",
        str(folders["bart"]),
        "--source",
        "the cat sat",
        "--generate",
        "3",
        "--text",
        "dog",
        "--decoder-knockout-positions",
        "1",
    )
    src, dec = len(data["tokens"]), len(data["decoder_tokens"])
    assert dec == 2 + 3 and data["decoder_token_ids"][2:].tolist() == data["generated_ids"].tolist()
    assert data["encoder_attentions"].shape == (2, 4, src, src)
    assert data["decoder_attentions"].shape == (2, 4, dec, dec)
    assert not data["decoder_attentions"][:, :, :, 1].any()  # the prefix token is knocked out
    assert data["cross_attentions"].shape == (2, 4, dec, src)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--text", "the cat", "--mask-positions", "1"], "not a masked language model"),
        (["--text", "the cat", "--knockout-positions", "40"], "out of range"),
        (["--text", "the cat", "--generate", "2", "--temperature", "0"], "temperature must be > 0"),
        (["--text", "the cat", "--generate", "2", "--top-p", "2"], "top-p must be in"),
        (["--text", "the cat", "--greedy", "--seed", "1"], "--greedy cannot be combined"),
        (["--text", "the cat", "--ablate-heads", "x"], "LAYER:HEAD"),
        (["--text", ""], "prompt is empty"),
        (["--text", "a", "--bogus"], "unrecognized arguments"),
        (["--text", "the cat", "--device", "tpu"], "unknown device"),
    ],
)
def test_bad_input_exits_nonzero_with_one_line(folders, tmp_path, capsys, args, message):
    assert main(["export", "--model", str(folders["gpt"]), *args, "--out", str(tmp_path / "x.npz")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x.npz").exists()


def test_not_a_model_folder_from_the_installed_command(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "export",
            "--model",
            str(tmp_path),
            "--text",
            "hi",
            "--out",
            str(tmp_path / "x.npz"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"attnlab export: error: {tmp_path} is not a model folder: it has no config.json")


@pytest.mark.parametrize(
    "model, args",
    [
        ("gpt", ["--text", "the cat sat", "--generate", "3"]),
        ("bart", ["--source", "the cat sat", "--text", "dog", "--generate", "2"]),
    ],
)
def test_layer_and_head_selection_is_the_same_slice_of_a_full_export(folders, tmp_path, model, args):
    full = _export(tmp_path, "--model", str(folders[model]), *args)
    part = _export(tmp_path, "--model", str(folders[model]), *args, "--layers", "1", "--heads", "3,0")
    stacks = [name for name in full if name.endswith("_attentions")]
    assert stacks and sorted(stacks) == sorted(name for name in part if name.endswith("_attentions"))
    for name in stacks:
        assert part[name].shape == (1, 2) + full[name].shape[2:]
        np.testing.assert_array_equal(part[name], full[name][[1]][:, [3, 0]])
    only_heads = _export(tmp_path, "--model", str(folders[model]), *args, "--heads", "2")
    for name in stacks:
        np.testing.assert_array_equal(only_heads[name], full[name][:, [2]])
    assert set(full) == set(part) == set(only_heads)  # every other array is still there


@pytest.mark.parametrize(
    "args, message",
    [
        (["--layers", "2"], "--layers: layer 2 out of range"),
        (["--heads", "0,9"], "--heads: head 9 out of range"),
        (["--layers", "a"], "--layers takes comma-separated numbers"),
        (["--heads", ","], "--heads names no heads"),
    ],
)
def test_bad_selection_is_refused_with_one_line(folders, tmp_path, capsys, args, message):
    out = tmp_path / "x.npz"
    assert main(["export", "--model", str(folders["gpt"]), "--text", "the cat", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_an_export_larger_than_free_memory_is_refused_with_its_size(folders, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("attnlab.engine.cli.export.available_memory", lambda: 100)
    out = tmp_path / "x.npz"
    assert main(["export", "--model", str(folders["gpt"]), "--text", "the cat sat", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    size = 2 * 4 * 4 * 4 * 4  # [layer, head, query, key] float32: "<s> the cat sat"
    assert f"the export would take {size} bytes but there is only 80 bytes of free memory" in err
    assert "--layers" in err
    assert not out.exists()


def test_a_long_mode_export_equals_the_same_slice_of_an_exact_export(folders, tmp_path, capsys):
    args = ["--model", str(folders["gpt"]), "--text", "the cat sat on the mat", "--generate", "3"]
    exact = _export(tmp_path, *args, "--store", "exact")
    long = _export(tmp_path, *args, "--store", "long", "--layers", "1,0", "--heads", "2")
    assert long["decoder_attentions"].shape == (2, 1) + exact["decoder_attentions"].shape[2:]
    np.testing.assert_allclose(long["decoder_attentions"], exact["decoder_attentions"][[1, 0]][:, [2]], atol=1e-3)
    assert long["generated_ids"].tolist() == exact["generated_ids"].tolist()
    out = tmp_path / "x.npz"  # analyses in long mode: tests/engine/test_long_analyses.py
    assert (
        main(["export", "--model", str(folders["bert"]), "--text", "the cat", "--store", "long", "--out", str(out)])
        == 2
    )
    assert "--store is for decoders" in capsys.readouterr().err
