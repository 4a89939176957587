"""The model catalog: what loads offline right now, and turning what the user typed into a folder.

Each job has its own module; this one gathers the names callers use.

- available_models: the listing (bundled, pip packages, HF cache, conversions, recent) and the default
- hf_cache: models already in the Hugging Face cache
- recent_models: the recent list (read, remember, written atomically)
- resolving: a catalog name, folder, .gguf file or hub id → the folder to load (converting a .gguf once)
- model_kind: encoder, decoder or encoder-decoder, from a config.json
"""

from __future__ import annotations

from attnlab.engine.models.available_models import PIP_MODELS, bundled_dir, default_model, list_models
from attnlab.engine.models.model_kind import model_kind
from attnlab.engine.models.recent_models import recent_paths, remember_recent
from attnlab.engine.models.resolving import ResolvedModel, resolve_model

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
