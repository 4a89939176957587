"""Turning what the user typed (a catalog name, a folder, a .gguf file, a hub id) into a folder to load."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from attnlab.engine.api.config import Progress
from attnlab.engine.api.errors import ModelLoadError
from attnlab.engine.api.results import CatalogEntry
from attnlab.engine.models.available_models import list_models
from attnlab.engine.models.gguf_convert import convert_gguf
from attnlab.engine.models.hf_cache import hf_cache_snapshot

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")  # "org/name"


@dataclass(frozen=True)
class ResolvedModel:
    name: str  # what the user picked: catalog name, path or hub id
    path: str  # local folder for from_pretrained, or the hub id when nothing local matches
    source: Literal["bundled", "pip", "hf-cache", "recent", "converted", "folder", "hub"]


def resolve_model(spec: str, progress: Progress | None = None) -> ResolvedModel:
    """A catalog name, a model folder, a .gguf file or a hub id → where from_pretrained should look.

    A .gguf (the pip SmolLM2 included) is converted into the cache first, once.
    """
    spec = spec.strip()
    if not spec:
        raise ModelLoadError("no_model_given")
    entries = list_models()
    for entry in entries:
        if entry.name == spec and entry.source != "recent":
            return _resolve_entry(entry, progress)

    path = Path(spec).expanduser()
    if path.exists():
        listed = _catalog_entry_at(path, entries)
        if listed is not None:  # a bundled or pip model opened by its path: one model, one name
            return _resolve_entry(listed, progress)
        return _resolve_path(spec, path, progress)
    if HUB_ID.match(spec) and not spec.endswith(".gguf"):
        snapshot = hf_cache_snapshot(spec)
        if snapshot is not None:
            return ResolvedModel(name=spec, path=str(snapshot), source="hf-cache")
        return ResolvedModel(name=spec, path=spec, source="hub")  # only loads when online
    if _looks_like_path(spec):
        raise ModelLoadError("model_path_missing", path=str(path))
    names = ", ".join(entry.name for entry in entries if entry.source != "recent") or "none"
    raise ModelLoadError("unknown_model", spec=repr(spec), names=names)


def _catalog_entry_at(path: Path, entries: list[CatalogEntry]) -> CatalogEntry | None:
    """The catalog entry (not a recent one) whose model lives at `path` (a folder, its config.json or a .gguf)."""
    if path.is_file() and path.name == "config.json":
        path = path.parent
    real = os.path.realpath(path)
    for entry in entries:
        if entry.source != "recent" and os.path.realpath(entry.path) == real:
            return entry
    return None


def _resolve_entry(entry: CatalogEntry, progress: Progress | None) -> ResolvedModel:
    if entry.path.endswith(".gguf"):
        folder = convert_gguf(entry.path, progress)
        return ResolvedModel(name=entry.name, path=str(folder), source=entry.source)
    return ResolvedModel(name=entry.name, path=entry.path, source=entry.source)


def _resolve_path(spec: str, path: Path, progress: Progress | None) -> ResolvedModel:
    if path.is_file() and path.suffix.lower() == ".gguf":
        return ResolvedModel(name=spec, path=str(convert_gguf(path, progress)), source="converted")
    if path.is_file() and path.name == "config.json":
        path = path.parent
    path = path.resolve()
    if path.is_file():
        raise ModelLoadError("model_path_is_file", path=str(path))
    if not (path / "config.json").is_file():
        raise ModelLoadError("not_a_model_folder", path=str(path))
    return ResolvedModel(name=spec, path=str(path), source="folder")


def _looks_like_path(spec: str) -> bool:
    return spec.startswith((".", "~", "/")) or os.sep in spec or "/" in spec or spec.endswith(".gguf")
