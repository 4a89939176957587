"""A model folder described from its small files (config.json, directory entries): no weights read."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from attnlab.engine.api.results import CatalogEntry, CatalogSource
from attnlab.engine.models.model_kind import model_kind

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf", ".msgpack", ".h5", ".ckpt")


def folder_entry(folder: Path, name: str, source: CatalogSource) -> CatalogEntry:
    """The catalog entry of a folder holding config.json and weights."""
    config = read_json(folder / "config.json")
    kind = model_kind(config)
    architecture = ", ".join(config.get("architectures") or []) or config.get("model_type", "unknown architecture")
    return CatalogEntry(
        name=name,
        kind=kind,
        size_bytes=weights_size(folder),
        source=source,
        path=str(folder),
        description=_shape_description(config, architecture, kind),
    )


def _shape_description(config: dict, architecture: str, kind: str) -> str:
    layers = config.get("num_hidden_layers") or config.get("n_layer") or config.get("num_layers")
    heads = config.get("num_attention_heads") or config.get("n_head") or config.get("num_heads")
    shape = f", {layers} layers × {heads} heads" if layers and heads else ""
    return f"{architecture} ({kind}{shape})"


def weights_size(folder: Path) -> int:
    """Bytes of weight files directly in the folder; broken links (unfinished downloads) count 0."""
    total = 0
    try:
        files = list(folder.iterdir())
    except OSError:
        return 0
    for file in files:
        if file.suffix in WEIGHT_SUFFIXES:
            with contextlib.suppress(OSError):
                total += file.stat().st_size
    return total


def read_json(path: Path) -> dict:
    """A JSON object from a file; {} when the file is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
