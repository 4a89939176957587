"""`attnlab export --analyses contributions,dla,flow`: the arrays, checked against an eager forward of the
saved model folder with hooks written here."""

import numpy as np
import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from attnlab.app.cli import main


@pytest.fixture(autouse=True)
def _private_dirs(private_dirs):
    """The CLI here writes to the user's folders: keep them temporary."""


def _export(tmp_path, *args):
    out = tmp_path / "out.npz"
    assert main(["export", *args, "--out", str(out)]) == 0
    return dict(np.load(out, allow_pickle=False))


def test_decoder_contributions_dla_and_flow(folders, tmp_path):
    data = _export(
        tmp_path,
        *("--model", str(folders["gpt"]), "--text", "the cat sat on the", "--generate", "2"),
        *("--analyses", "contributions,dla,flow", "--alternative", "dog", "--flow-threshold", "0.02"),
    )
    ids = np.concatenate([data["token_ids"], data["generated_ids"]])
    n = len(ids)
    model = AutoModelForCausalLM.from_pretrained(folders["gpt"], attn_implementation="eager").eval()
    seen = {}
    hooks = [
        b.attn.c_attn.register_forward_hook(lambda m, a, o, i=i: seen.__setitem__(i, o[0].detach()))
        for i, b in enumerate(model.transformer.h)
    ]
    with torch.no_grad():
        out = model(input_ids=torch.from_numpy(ids)[None], output_attentions=True)
    for h in hooks:
        h.remove()
    assert data["decoder_contributions"].shape == (2, 4, n, n) and data["decoder_contributions"].dtype == np.float32
    for layer in range(2):
        v = seen[layer][:, 64:].reshape(n, 4, 8).transpose(0, 1)  # [head, key, dim]
        w = model.transformer.h[layer].attn.c_proj.weight.detach().reshape(4, 8, 32)  # Conv1D [in, out] per head
        moved = torch.einsum("hkd,hdo->hko", v, w).norm(dim=-1)  # ‖v_j W_Oʰ‖
        expected = out.attentions[layer][0] * moved[:, None, :]
        np.testing.assert_allclose(data["decoder_contributions"][layer], expected.numpy(), atol=1e-5)
    dog = AutoTokenizer.from_pretrained(folders["gpt"])("dog", add_special_tokens=False)["input_ids"][0]
    logits = out.logits[0, -1].double()
    target = int(torch.argmax(logits))
    assert int(data["dla_target_id"]) == target and int(data["dla_alternative_id"]) == dog
    assert data["dla_heads"].shape == (2, 4) and data["dla_mlp"].shape == (2,) and data["dla_embed"].shape == ()
    total = data["dla_heads"].sum() + data["dla_mlp"].sum() + data["dla_embed"] + data["dla_bias"]
    assert float(total) == pytest.approx(float(logits[target] - logits[dog]), abs=1e-3)
    edges = data["flow_edges"]
    assert edges.shape[1] == 6 and float(data["flow_threshold"]) == pytest.approx(0.02)
    assert (edges[:, 5] >= 0.02).all() and ((edges[:, 2] == 2) & (edges[:, 3] == n - 1)).any()
    assert set(np.unique(edges[:, 4])) <= {-1, 0, 1, 2, 3}


def test_masked_lm_dla_and_refusals(folders, tmp_path, capsys):
    data = _export(
        tmp_path, "--model", str(folders["bert"]), "--text", "the cat sat", "--mask-positions", "2", "--analyses", "dla"
    )
    total = data["dla_heads"].sum() + data["dla_mlp"].sum() + data["dla_embed"] + data["dla_bias"]
    assert float(total) == pytest.approx(float(data["dla_logit"]), abs=1e-3)
    assert int(data["dla_target_id"]) == int(data["mask_topk_ids"][0, 0])
    assert int(data["dla_alternative_id"]) == -1
    out = tmp_path / "x.npz"
    args = ["export", "--model", str(folders["bert"]), "--text", "the cat sat", "--out", str(out)]
    assert main([*args, "--mask-positions", "2", "--analyses", "flow"]) != 0
    assert "post-norm" in capsys.readouterr().err
    assert main([*args, "--alternative", "dog"]) != 0
    assert "add --analyses dla" in capsys.readouterr().err
    assert main([*args, "--mask-positions", "2", "--analyses", "dla", "--alternative", "the cat"]) != 0
    assert "2 tokens" in capsys.readouterr().err


def test_encoder_decoder_contributions_of_every_stack(folders, tmp_path):
    data = _export(
        tmp_path,
        "--model",
        str(folders["bart"]),
        "--source",
        "the cat sat",
        "--text",
        "dog",
        "--analyses",
        "contributions,dla",
    )
    for stack in ("encoder", "decoder", "cross"):
        assert data[f"{stack}_contributions"].shape == data[f"{stack}_attentions"].shape
    total = data["dla_heads"].sum() + data["dla_cross_heads"].sum() + data["dla_mlp"].sum() + data["dla_embed"]
    assert float(total + data["dla_bias"]) == pytest.approx(float(data["dla_logit"]), abs=1e-3)
