"""`attnlab export --analyses attribution,patching`: the arrays against plain forwards of the saved model."""

import numpy as np
import pytest
import torch
from tiny_models import PAD
from transformers import AutoModelForCausalLM, AutoTokenizer

from attnlab.app.cli import main

TEXT = "the cat sat on the mat"
OTHER = "a dog ran on the rug"


@pytest.fixture
def _private(private_dirs):
    """The CLI writes to the user's folders: keep them temporary."""


def _export(tmp_path, *args) -> dict:
    out = tmp_path / "run.npz"
    assert main(["export", *args, "--out", str(out)]) == 0
    return dict(np.load(out))


def _plain(folder):
    return AutoModelForCausalLM.from_pretrained(folder).eval(), AutoTokenizer.from_pretrained(folder)


def _logprobs(model, ids, replace=None):
    """log p of every next token after `ids`, the embedding module's output replaced if given."""
    hook = None
    if replace is not None:
        hook = model.get_input_embeddings().register_forward_hook(lambda m, a, out: replace[None])
    try:
        with torch.no_grad():
            return torch.log_softmax(model(input_ids=torch.tensor([ids])).logits[0, -1], -1)
    finally:
        if hook is not None:
            hook.remove()


def test_attribution_arrays(folders, tmp_path, _private, capsys):
    data = _export(tmp_path, "--model", str(folders["gpt"]), "--text", TEXT, "--analyses", "attribution")
    model, tokenizer = _plain(folders["gpt"])
    ids = tokenizer(TEXT)["input_ids"]
    for name in ("attribution_grad_x_input", "attribution_integrated_gradients"):
        assert data[name].dtype == np.float32 and data[name].shape == (len(ids),)
    at_input = _logprobs(model, ids)
    target = int(torch.argmax(at_input))
    pad = model.get_input_embeddings()(torch.tensor([PAD] * len(ids))).detach()
    gap = float(at_input[target] - _logprobs(model, ids, pad)[target])
    error = abs(float(data["attribution_integrated_gradients"].sum()) - gap) / abs(gap)
    assert float(data["attribution_completeness_error"]) == pytest.approx(error, abs=1e-4) and error < 0.05
    assert "integrated gradients for" in capsys.readouterr().err


def test_attribution_for_a_chosen_target_and_the_zero_baseline(folders, tmp_path, _private):
    args = ["--model", str(folders["gpt"]), "--text", TEXT, "--analyses", "attribution", "--target", "dog"]
    data = _export(tmp_path, *args, "--ig-baseline", "zero", "--ig-steps", "64")
    model, tokenizer = _plain(folders["gpt"])
    ids, dog = tokenizer(TEXT)["input_ids"], tokenizer.convert_tokens_to_ids("dog")
    zero = torch.zeros(len(ids), model.config.n_embd)
    gap = float(_logprobs(model, ids)[dog] - _logprobs(model, ids, zero)[dog])
    error = abs(float(data["attribution_integrated_gradients"].sum()) - gap) / abs(gap)
    assert float(data["attribution_completeness_error"]) == pytest.approx(error, abs=1e-4)


def test_patching_arrays(folders, tmp_path, _private):
    args = ["--model", str(folders["gpt"]), "--text", TEXT, "--analyses", "patching", "--corrupt-text", OTHER]
    data = _export(tmp_path, *args)
    model, tokenizer = _plain(folders["gpt"])
    clean, corrupt = _logprobs(model, tokenizer(TEXT)["input_ids"]), _logprobs(model, tokenizer(OTHER)["input_ids"])
    target = int(torch.argmax(clean))
    assert float(data["patching_clean_logit_diff"]) == pytest.approx(float(clean[target]), abs=1e-5)
    assert float(data["patching_corrupt_logit_diff"]) == pytest.approx(float(corrupt[target]), abs=1e-5)
    layers, tokens = 2, len(tokenizer(TEXT)["input_ids"])
    for name in ("patching_residual", "patching_attention", "patching_mlp"):
        assert data[name].dtype == np.float32 and data[name].shape == (layers, tokens)
    assert data["patching_heads"].shape == (layers, 4)
    assert data["patching_residual"][-1, -1] == pytest.approx(1.0, abs=1e-5)
    assert np.all(data["patching_residual"][:, 0] == pytest.approx(0.0, abs=1e-6))  # "<s>" is the same in both


def test_noise_patching_and_the_refusals(folders, tmp_path, _private, capsys):
    model = ["--model", str(folders["gpt"]), "--text", TEXT]
    data = _export(tmp_path, *model, "--analyses", "patching", "--corrupt-positions", "1,2", "--noise", "3")
    assert data["patching_residual"][-1, -1] == pytest.approx(1.0, abs=1e-5)
    # after the last block only the predicted position reaches the output
    assert np.all(data["patching_residual"][-1, :-1] == pytest.approx(0.0, abs=1e-6))
    out = str(tmp_path / "bad.npz")
    for flags, message in [
        (["--analyses", "patching"], "needs a corrupted run"),
        (["--analyses", "patching", "--corrupt-text", OTHER, "--corrupt-positions", "1"], "give one"),
        (["--analyses", "patching", "--noise", "3"], "--noise corrupts"),
        (["--analyses", "patching", "--corrupt-text", "the cat"], "same length"),
        (["--analyses", "attribution", "--target", "cat dog"], "give one token"),
        (["--analyses", "attribution", "--ig-steps", "0"], "--ig-steps"),
    ]:
        capsys.readouterr()
        assert main(["export", *model, *flags, "--out", out]) == 2
        assert message in capsys.readouterr().err, flags
    assert not (tmp_path / "bad.npz").exists()
