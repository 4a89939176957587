"""Models already downloaded into the Hugging Face cache, found without huggingface_hub's scan."""

from __future__ import annotations

import os
from pathlib import Path

from attnlab.engine.api.results import CatalogEntry
from attnlab.engine.models.model_folder import folder_entry, weights_size


def hf_cache_dir() -> Path:
    """$HF_HUB_CACHE, else $HF_HOME/hub, else huggingface_hub's default (read now, not at import)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    try:
        from huggingface_hub import constants
    except ImportError:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(base).expanduser() / "huggingface" / "hub"
    return Path(constants.HF_HUB_CACHE)


def hf_cache_entries() -> list[CatalogEntry]:
    """One entry per cached repository whose snapshot has weights, named by its hub id."""
    root = hf_cache_dir()
    if not root.is_dir():
        return []
    entries = []
    for repo in sorted(root.glob("models--*")):
        snapshot = _snapshot(repo)
        if snapshot is None or weights_size(snapshot) == 0:  # a config without weights won't load offline
            continue
        name = repo.name.removeprefix("models--").replace("--", "/")
        entries.append(folder_entry(snapshot, name=name, source="hf-cache"))
    return entries


def hf_cache_snapshot(hub_id: str) -> Path | None:
    """The cached snapshot of "org/name", if there is one."""
    return _snapshot(hf_cache_dir() / ("models--" + hub_id.replace("/", "--")))


def _snapshot(repo: Path) -> Path | None:
    """The snapshot `refs/main` points at, else the newest snapshot that has a config.json."""
    snapshots = repo / "snapshots"
    main = repo / "refs" / "main"
    if main.is_file():
        pinned = snapshots / main.read_text().strip()
        if (pinned / "config.json").is_file():
            return pinned
    if not snapshots.is_dir():
        return None
    candidates = [folder for folder in snapshots.iterdir() if (folder / "config.json").is_file()]
    return max(candidates, key=lambda folder: folder.stat().st_mtime, default=None)
