"""The model catalog: what loads offline right now, and turning what the user typed into a folder.

Each job has its own module; this one gathers the names callers use.

- available_models: the listing (bundled, pip packages, HF cache, conversions, recent) and the default
- hf_cache: models already in the Hugging Face cache
- recent_models: the recent list (read, remember, written atomically)
- resolving: a catalog name, folder, .gguf file or hub id → the folder to load (converting a .gguf once)
- model_kind: encoder, decoder or encoder-decoder, from a config.json
"""

from __future__ import annotations

from engine.available_models import PIP_MODELS, bundled_dir, default_model, list_models
from engine.model_kind import model_kind
from engine.recent_models import recent_paths, remember_recent
from engine.resolving import ResolvedModel, resolve_model

__all__ = [
    "PIP_MODELS",
    "ResolvedModel",
    "bundled_dir",
    "default_model",
    "list_models",
    "model_kind",
    "recent_paths",
    "remember_recent",
    "resolve_model",
]
