"""Model folders a careful loader must not trust: one whose shipped code writes a file when it runs,
and ones whose weight files do not match their config (built from `tiny_models`)."""

from __future__ import annotations

import json
from pathlib import Path

from safetensors.torch import load_file, save_file
from tiny_models import save, tiny_gpt2

CODE = """\
import pathlib

pathlib.Path({marker!r}).write_text("the model's own code ran")

from transformers import GPT2Config


class ShippedConfig(GPT2Config):
    model_type = {model_type!r}
"""

MODELING = """\
from transformers import GPT2LMHeadModel

from .configuration_shipped import ShippedConfig


class ShippedModel(GPT2LMHeadModel):
    config_class = ShippedConfig
"""


def code_folder(folder: Path, marker: Path, model_type: str = "shipped-gpt") -> Path:
    """A tiny GPT-2 whose config names code it ships (auto_map) for an architecture transformers lacks;
    importing that code writes `marker`: the file exists if and only if the code ran."""
    model, tokenizer = tiny_gpt2()
    save(model, tokenizer, folder)
    config = json.loads((folder / "config.json").read_text())
    config["model_type"] = model_type
    config["auto_map"] = {
        "AutoConfig": "configuration_shipped.ShippedConfig",
        "AutoModelForCausalLM": "modeling_shipped.ShippedModel",
    }
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "configuration_shipped.py").write_text(CODE.format(marker=str(marker), model_type=model_type))
    (folder / "modeling_shipped.py").write_text(MODELING)
    return folder


def drop_tensors(folder: Path, part: str) -> list[str]:
    """Remove every tensor whose name contains `part` from the folder's model.safetensors; their names."""
    weights = load_file(folder / "model.safetensors")
    dropped = sorted(name for name in weights if part in name)
    save_file({k: v for k, v in weights.items() if k not in dropped}, folder / "model.safetensors", {"format": "pt"})
    return dropped


def gpt_missing_attention(folder: Path, layer: int = 1) -> tuple[Path, list[str]]:
    """A tiny GPT-2 whose weight file lacks the tensors of one attention layer; (folder, their names)."""
    model, tokenizer = tiny_gpt2()
    save(model, tokenizer, folder)
    return folder, drop_tensors(folder, f".h.{layer}.attn.")


def gpt_more_layers_declared(folder: Path, layers: int = 6) -> Path:
    """A tiny 2-layer GPT-2 whose config.json declares `layers` layers."""
    model, tokenizer = tiny_gpt2()
    save(model, tokenizer, folder)
    config = json.loads((folder / "config.json").read_text())
    config["n_layer"] = layers
    (folder / "config.json").write_text(json.dumps(config))
    return folder
