"""Will a model fit before its weights are read: weights from the file sizes and from the dimensions
config.json declares (whichever is larger), attention at a planned length.

Pure arithmetic on a model folder's file sizes and config.json (no torch): `loading.load_model` feeds
it the free RAM and GPU memory and turns a `Shortfall` into a refusal that says what to do. The
config counts because transformers allocates what the config declares, whatever the files hold: a
4 MB file under a config with hidden size 16,384 makes a model of tens of GB.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from attnlab.engine.api.attention_store import stack_bytes
from attnlab.engine.api.memory_budget import readable_size
from attnlab.engine.api.messages import EngineMessage, message

GIB = 2**30
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8, "int8": 1}
_LAYERS = ("num_hidden_layers", "n_layer", "num_layers")
_HEADS = ("num_attention_heads", "n_head", "num_heads", "encoder_attention_heads", "decoder_attention_heads")


@dataclass(frozen=True)
class Estimate:
    """Bytes a load would take: the weights in the dtype asked for, and the attention store."""

    weights: int  # all parameters, in the dtype they will be loaded in
    attention: int  # the attention store (float16) at `tokens` tokens, on the host
    tokens: int  # the length the attention is planned for


def weight_file_bytes(folder: Path, allow_pickle: bool) -> int:
    """Bytes of the weight files a load would read (safetensors, else pickled ones when allowed).

    The ones transformers reads: model.safetensors, else the shards its index names (Mistral's folders
    also hold a consolidated.safetensors copy), else every *.safetensors."""
    for single, index in (
        ("model.safetensors", "model.safetensors.index.json"),
        ("pytorch_model.bin", "pytorch_model.bin.index.json"),
    ):
        if single.endswith(".bin") and not allow_pickle:
            break
        if (folder / single).is_file():
            return (folder / single).stat().st_size
        shards = _index_shards(folder / index)
        if shards:
            return sum((folder / name).stat().st_size for name in shards if (folder / name).is_file())
    files = list(folder.glob("*.safetensors"))
    if not files and allow_pickle:
        files = [p for p in folder.iterdir() if p.suffix in (".bin", ".pt", ".pth")]
    return sum(p.stat().st_size for p in files)


def _index_shards(index: Path) -> set[str]:
    """The shard files a sharded checkpoint's index names; empty if there is no readable index."""
    try:
        weight_map = json.loads(index.read_text(encoding="utf-8")).get("weight_map", {})
    except (OSError, ValueError, AttributeError):
        return set()
    return {name for name in weight_map.values() if isinstance(name, str)} if isinstance(weight_map, dict) else set()


def _stored_dtype(config: dict) -> str:
    stored = config.get("dtype") or config.get("torch_dtype") or "float32"
    return stored if stored in DTYPE_BYTES else "float32"


def _first_int(config: dict, names: tuple[str, ...]) -> int:
    for name in names:
        value = config.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return 0


def attention_shape(config: dict) -> tuple[int, int]:
    """(layers over all stacks, heads per layer) as config.json declares them; 0 where it does not."""
    text = config.get("text_config")
    config = text if isinstance(text, dict) else config  # a vision-language model: its language model
    layers = _first_int(config, _LAYERS)
    split = _first_int(config, ("encoder_layers",)) + _first_int(config, ("decoder_layers",))  # BART, Marian
    if split:
        layers = max(layers, split)
    elif config.get("is_encoder_decoder"):  # T5: num_layers is the encoder's
        layers += _first_int(config, ("num_decoder_layers",)) or layers
    return layers, _first_int(config, _HEADS)


_HIDDEN = ("hidden_size", "n_embd", "d_model", "dim")
_INTERMEDIATE = ("intermediate_size", "n_inner", "d_ff", "ffn_dim", "encoder_ffn_dim", "hidden_dim")
_EXPERTS = ("num_local_experts", "num_experts", "n_routed_experts")


def declared_parameters(config: dict) -> int:
    """A lower bound on the parameters config.json declares: the token embeddings, and per layer the
    attention's projections (q and o full, k and v at the key-value heads' width) and one MLP's two
    matrices per expert. Biases, norms and a separate output head are left out, so a real model is
    never refused on this count alone.
    """
    text = config.get("text_config")
    config = text if isinstance(text, dict) else config
    hidden = _first_int(config, _HIDDEN)
    if not hidden:
        return 0
    layers, heads = attention_shape(config)
    kv_heads = _first_int(config, ("num_key_value_heads", "multi_query_group_num")) or heads
    kv_width = hidden * kv_heads // heads if heads else hidden
    intermediate = _first_int(config, _INTERMEDIATE) or 4 * hidden
    experts = _first_int(config, _EXPERTS) or 1
    per_layer = 2 * hidden * hidden + 2 * hidden * kv_width + 2 * hidden * intermediate * experts
    return _first_int(config, ("vocab_size",)) * hidden + layers * per_layer


def estimate(folder: Path, config: dict, dtype: str, tokens: int, allow_pickle: bool = False) -> Estimate:
    """Weights: the file sizes, scaled from the dtype they were saved in to the one asked for, or the
    parameters the config declares in that dtype, whichever is larger. Attention: a full square store
    per layer (the encoder-decoder case rounds up: every layer square)."""
    stored = DTYPE_BYTES[_stored_dtype(config)]
    files = weight_file_bytes(folder, allow_pickle) * DTYPE_BYTES.get(dtype, 4) // stored
    weights = max(files, declared_parameters(config) * DTYPE_BYTES.get(dtype, 4))
    layers, heads = attention_shape(config)
    # the store, and (as store_policy.check_store_fits) one layer's float32 probabilities, three times over
    attention = stack_bytes(layers, heads, tokens, tokens, causal=False) + 3 * heads * tokens * tokens * 4
    return Estimate(weights, attention, tokens)


def shortfall(needed: Estimate, ram_free: int, gpu_free: int, on_gpu: bool, spread: bool) -> EngineMessage | None:
    """Why it cannot fit, or None. The attention store always lives in RAM; the weights in RAM, on the
    GPU (`on_gpu`), or across GPUs and RAM (`spread`: device_map="auto")."""
    ram = int(ram_free * 0.8)  # the same margin as memory_budget.check_fits
    if spread:
        fits = needed.weights + needed.attention <= ram + gpu_free
    elif on_gpu:
        fits = needed.weights <= gpu_free and needed.attention <= ram
    else:
        fits = needed.weights + needed.attention <= ram
    if fits:
        return None
    weights, attention, tokens = readable_size(needed.weights), readable_size(needed.attention), needed.tokens
    gpu, ram_left = readable_size(gpu_free), readable_size(ram)
    if spread:
        return message(
            "memory_short_spread", weights=weights, attention=attention, tokens=tokens, gpu=gpu, ram=ram_left
        )
    if on_gpu:
        return message("memory_short_gpu", weights=weights, attention=attention, tokens=tokens, gpu=gpu, ram=ram_left)
    return message("memory_short_ram", weights=weights, attention=attention, tokens=tokens, ram=ram_left)
