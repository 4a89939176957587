"""The memory check before loading, and device_map="auto" (accelerate) giving the same attention."""

import json

import numpy as np
import pytest
import torch
from tiny_models import save, tiny_gpt2

from attnlab.engine.api.config import LoadOptions
from attnlab.engine.api.errors import ModelLoadError
from attnlab.engine.api.results import Masks
from attnlab.engine.models.load_estimate import (
    GIB,
    Estimate,
    attention_shape,
    declared_parameters,
    estimate,
    shortfall,
)
from attnlab.engine.models.loading import load_model
from attnlab.engine.session.sessions import make_session

LLAMA_CONFIG = {
    "model_type": "llama",
    "num_hidden_layers": 80,
    "num_attention_heads": 64,
    "hidden_size": 8192,
    "vocab_size": 128256,
    "torch_dtype": "bfloat16",
    "architectures": ["LlamaForCausalLM"],
}
FILES_ONLY = {k: v for k, v in LLAMA_CONFIG.items() if k != "hidden_size"}  # no dimensions: the files decide


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTNLAB_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("ATTNLAB_CACHE", str(tmp_path / "cache"))


def _huge_folder(folder, shards: int = 2, shard_gib: int = 70):
    """A 70B-like folder whose shards are sparse files: big sizes, no disk, and bytes no loader could read."""
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(LLAMA_CONFIG))
    for i in range(shards):
        with open(folder / f"model-{i:05d}-of-{shards:05d}.safetensors", "wb") as f:
            f.truncate(shard_gib * GIB)
    return folder


def test_weights_are_the_file_sizes_in_the_dtype_asked_for(tmp_path):
    folder = _huge_folder(tmp_path / "m", shards=2, shard_gib=1)
    assert estimate(folder, FILES_ONLY, "bfloat16", 16).weights == 2 * GIB  # saved in bfloat16
    assert estimate(folder, FILES_ONLY, "float32", 16).weights == 4 * GIB


def test_only_the_files_a_load_reads_count(tmp_path):
    folder = _huge_folder(tmp_path / "m", shards=2, shard_gib=1)
    with open(folder / "consolidated.safetensors", "wb") as f:  # Mistral's folders hold a second copy
        f.truncate(2 * GIB)
    shards = {f"w{i}": f"model-{i:05d}-of-00002.safetensors" for i in range(2)}
    (folder / "model.safetensors.index.json").write_text(json.dumps({"weight_map": shards}))
    assert estimate(folder, FILES_ONLY, "bfloat16", 16).weights == 2 * GIB


def test_declared_parameters_follow_the_config_dimensions():
    """Against the parameter count of a real model built from the same config (a lower bound: no
    biases, norms or positions), and grouped key-value heads and experts counted."""
    model, _ = tiny_gpt2()
    config = model.config.to_dict()
    declared = declared_parameters(config)
    actual = sum(p.numel() for p in model.parameters())
    assert 0.8 * actual <= declared <= actual
    grouped = declared_parameters({**LLAMA_CONFIG, "num_key_value_heads": 8, "intermediate_size": 28672})
    hidden, kv = 8192, 8192 * 8 // 64
    assert grouped == 128256 * hidden + 80 * (2 * hidden * hidden + 2 * hidden * kv + 2 * hidden * 28672)
    assert declared_parameters({**LLAMA_CONFIG, "num_local_experts": 8}) > 5 * declared_parameters(LLAMA_CONFIG)


def test_a_config_declaring_a_huge_model_over_small_files_is_refused_before_allocating(tmp_path, monkeypatch):
    """Hidden size 16,384 over a 4 MB file: transformers would allocate ~51 GiB of float32 before reading it."""
    folder = tmp_path / "declared"
    folder.mkdir()
    config = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_embd": 16384, "n_layer": 4}
    (folder / "config.json").write_text(json.dumps({**config, "n_head": 16, "vocab_size": 50257}))
    with open(folder / "model.safetensors", "wb") as f:
        f.truncate(4 * 2**20)
    monkeypatch.setattr("attnlab.engine.models.loading.available_memory", lambda: 32 * GIB)
    allocated = []
    monkeypatch.setattr("transformers.AutoModelForCausalLM.from_pretrained", lambda *a, **k: allocated.append(a))
    with pytest.raises(ModelLoadError, match=r"needs about 5\d\.\d\d GiB for its weights") as refused:
        load_model(str(folder), LoadOptions(device="cpu", dtype="float32"))
    assert "25.60 GiB of free RAM" in str(refused.value) and not allocated


def test_attention_is_planned_at_the_requested_length(tmp_path):
    folder = _huge_folder(tmp_path / "m", shards=1, shard_gib=1)
    small, large = (estimate(folder, LLAMA_CONFIG, "bfloat16", n).attention for n in (1000, 2000))
    assert small >= 80 * 64 * 1000 * 1000 * 2  # every layer's and head's float16 rows
    assert large == 4 * small  # quadratic in the length


def test_layers_and_heads_of_every_stack():
    assert attention_shape({"num_hidden_layers": 12, "num_attention_heads": 8}) == (12, 8)
    bart = {"encoder_layers": 6, "decoder_layers": 6, "num_hidden_layers": 6, "encoder_attention_heads": 16}
    assert attention_shape(bart) == (12, 16)
    t5 = {"is_encoder_decoder": True, "num_layers": 6, "num_decoder_layers": 4, "num_heads": 8}
    assert attention_shape(t5) == (10, 8)


def test_where_it_fits():
    need = Estimate(weights=100 * GIB, attention=1 * GIB, tokens=1024)
    assert shortfall(need, ram_free=200 * GIB, gpu_free=0, on_gpu=False, spread=False) is None
    assert shortfall(need, ram_free=64 * GIB, gpu_free=0, on_gpu=False, spread=False)
    assert shortfall(need, ram_free=64 * GIB, gpu_free=80 * GIB, on_gpu=True, spread=False)  # one GPU: too small
    assert shortfall(need, ram_free=64 * GIB, gpu_free=80 * GIB, on_gpu=True, spread=True) is None  # GPU + RAM


def test_model_too_big_for_memory_is_refused_with_the_sizes_before_reading_weights(tmp_path, monkeypatch):
    folder = _huge_folder(tmp_path / "huge")  # the shards hold zeros: reading them would fail otherwise
    monkeypatch.setattr("attnlab.engine.models.loading.available_memory", lambda: 16 * GIB)
    with pytest.raises(ModelLoadError) as refused:
        load_model(str(folder), LoadOptions(device="cpu", dtype="bfloat16"))
    message = str(refused.value)
    assert "140.00 GiB for its weights" in message
    assert "12.80 GiB of free RAM" in message
    assert "smaller model" in message and "device map auto" in message
    with pytest.raises(ModelLoadError, match="140.00 GiB for its weights"):  # spreading needs a GPU to help
        load_model(str(folder), LoadOptions(device="cpu", dtype="bfloat16", device_map="auto"))


def test_unknown_device_map_is_refused(tmp_path):
    with pytest.raises(ModelLoadError, match="unknown device map 'balanced'"):
        load_model(str(tmp_path), LoadOptions(device="cpu", device_map="balanced"))


def _attention(loaded, masks: Masks) -> list[np.ndarray]:
    session = make_session(loaded)
    session.prefill("the cat sat on the mat", masks)
    session.run(2)
    snap = session.store.snapshot()
    return [snap.layer("decoder", layer) for layer in range(2)]


def test_device_map_auto_gives_the_same_attention_as_a_plain_load(tmp_path):
    """accelerate places the tiny model (all on the CPU on a machine without a GPU, so without its hooks):
    the rows equal the model's own eager forward, and knock-outs and ablation act as on a plain load."""
    model, tokenizer = tiny_gpt2()
    folder = save(model, tokenizer, tmp_path / "gpt2")
    spread = load_model(str(folder), LoadOptions(device="cpu", dtype="float32", device_map="auto"))
    plain = load_model(str(folder), LoadOptions(device="cpu", dtype="float32"))
    session = make_session(spread)
    session.prefill("the cat sat on the mat")
    session.run(2)
    ids = torch.tensor([session.token_ids])
    with torch.no_grad():
        expected = model.eval()(input_ids=ids, output_attentions=True).attentions
    got = _attention(spread, Masks())
    for layer, attention in enumerate(expected):
        np.testing.assert_allclose(got[layer], attention[0].numpy(), atol=1e-3)
    masks = Masks(knockouts=frozenset({("decoder", 2)}), ablated_heads=frozenset({("decoder", 0, 1)}))
    for mine, theirs in zip(_attention(spread, masks), _attention(plain, masks), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_cli_refuses_a_model_too_big_in_one_line_and_takes_device_map_auto(tmp_path, monkeypatch, capsys):
    from attnlab.app.cli import main

    folder = _huge_folder(tmp_path / "huge")
    monkeypatch.setattr("attnlab.engine.models.loading.available_memory", lambda: 16 * GIB)
    out = tmp_path / "run.npz"
    args = ["export", "--model", str(folder), "--text", "a b", "--device", "cpu", "--out", str(out)]
    assert main([*args, "--device-map", "auto"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "GiB for its weights" in error and not out.exists()
    assert main([*args, "--device-map", "balanced"]) == 2
    assert "invalid choice: 'balanced'" in capsys.readouterr().err


def test_a_spread_model_names_every_device_it_is_on():
    from attnlab.engine.models.loading import _placement

    model, _ = tiny_gpt2()
    assert _placement(model, torch.device("cpu")) == "cpu"
    model.hf_device_map = {"transformer.h.0": 0, "transformer.h.1": 1, "lm_head": "cpu"}
    assert _placement(model, torch.device("cuda:0")) == "cpu + cuda:0 + cuda:1"
