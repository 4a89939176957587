"""Weights that do not match the architecture are refused, naming them, unless loaded anyway; then
the model is marked partly random (ModelInfo, and the export's `partly_random`)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from risky_models import drop_tensors, gpt_missing_attention, gpt_more_layers_declared
from safetensors.torch import load_file, save_file
from tiny_models import save, tiny_gpt2

from attnlab.app.cli import main
from attnlab.engine.api.config import LoadOptions
from attnlab.engine.api.consent import ConsentNeeded
from attnlab.engine.models.loading import load_model

CPU = LoadOptions(device="cpu", dtype="float32")


@pytest.fixture(autouse=True)
def _private_dirs(private_dirs):
    pass


def test_export_refuses_a_file_lacking_one_attention_layer(tmp_path, capsys):
    folder, dropped = gpt_missing_attention(tmp_path / "gpt")
    out = tmp_path / "run.npz"
    args = ["export", "--model", str(folder), "--text", "the cat", "--out", str(out), "--device", "cpu"]
    capsys.readouterr()
    assert main(args) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and not out.exists()
    assert "4 missing" in error and all(name in error for name in dropped)
    assert "random numbers" in error and "--allow-missing-weights" in error


def test_loaded_anyway_the_export_says_which_weights_are_random(tmp_path, capsys):
    folder, dropped = gpt_missing_attention(tmp_path / "gpt")
    out = tmp_path / "run.npz"
    args = ["export", "--model", str(folder), "--text", "the cat", "--out", str(out), "--device", "cpu"]
    assert main([*args, "--allow-missing-weights"]) == 0
    assert "partly random" in capsys.readouterr().err
    with np.load(out, allow_pickle=False) as data:
        assert bool(data["partly_random"]) and sorted(data["random_weights"]) == dropped
    complete = save(*tiny_gpt2(), tmp_path / "complete")
    assert main(["export", "--model", str(complete), "--text", "the cat", "--out", str(out), "--device", "cpu"]) == 0
    with np.load(out, allow_pickle=False) as data:
        assert not bool(data["partly_random"]) and data["random_weights"].size == 0


def test_the_random_tensors_are_really_not_the_files(tmp_path):
    """What the mark says is what happened: the named tensors differ from the saved model's, the others equal it."""
    model, tokenizer = tiny_gpt2()
    folder = save(model, tokenizer, tmp_path / "gpt")
    dropped = drop_tensors(folder, ".h.1.attn.c_attn.")
    loaded = load_model(str(folder), LoadOptions(device="cpu", dtype="float32", allow_missing_weights=True))
    assert loaded.info.partly_random and loaded.info.random_weights == tuple(dropped)
    assert "unmatched_weights" in loaded.info.consented
    theirs = model.state_dict()
    for name, tensor in loaded.model.state_dict().items():
        if name not in dropped:
            assert torch.equal(tensor, theirs[name]), name
        elif name.endswith(".weight"):  # (a bias starts at zero either way)
            assert not torch.equal(tensor, theirs[name]), name


def test_a_config_declaring_more_layers_than_the_file_holds_is_refused(tmp_path):
    folder = gpt_more_layers_declared(tmp_path / "gpt", layers=6)
    with pytest.raises(ConsentNeeded, match=r"missing \(transformer\.h\.2\.") as refused:
        load_model(str(folder), CPU)
    assert refused.value.request.consent.need == "unmatched_weights"
    assert "and " in str(refused.value) and "more" in str(refused.value)  # 4 layers' tensors: the first few named


def test_wrong_shapes_and_unexpected_tensors_are_refused(tmp_path):
    model, tokenizer = tiny_gpt2()
    folder = save(model, tokenizer, tmp_path / "gpt")
    weights = load_file(folder / "model.safetensors")
    weights["transformer.h.0.mlp.c_fc.weight"] = weights["transformer.h.0.mlp.c_fc.weight"][:, :10].clone()
    weights["transformer.h.7.attn.c_attn.weight"] = weights["transformer.h.0.attn.c_attn.weight"].clone()
    save_file(weights, folder / "model.safetensors", {"format": "pt"})
    with pytest.raises(ConsentNeeded) as refused:
        load_model(str(folder), CPU)
    message = str(refused.value)
    assert "transformer.h.0.mlp.c_fc.weight: 32x10 in the file, 32x128 in the model" in message
    assert "1 unexpected (transformer.h.7.attn.c_attn.weight)" in message


def test_a_complete_model_is_not_marked(tmp_path):
    loaded = load_model(str(save(*tiny_gpt2(), tmp_path / "gpt")), CPU)
    assert not loaded.info.partly_random and loaded.info.consented == ()
