"""The models the user opened lately, kept in the config folder for the GUI's model picker."""

from __future__ import annotations

import json
import os
from pathlib import Path

from attnlab.engine.api.errors import ModelLoadError
from attnlab.engine.api.user_dirs import config_dir
from attnlab.engine.models.model_folder import read_json

RECENT_LIMIT = 10
RECENT_FILE = "recent.json"


def recent_paths() -> list[str]:
    """Recently opened models, most recent first, without the ones that have vanished."""
    data = read_json(config_dir() / RECENT_FILE).get("recent", [])
    paths = [path for path in data if isinstance(path, str)] if isinstance(data, list) else []
    return [path for path in paths if os.path.exists(path)][:RECENT_LIMIT]


def remember_recent(path: str | os.PathLike[str]) -> list[str]:
    """Put a model folder (or .gguf) at the top of the recent list; returns the new list."""
    absolute = Path(path).expanduser()
    if not absolute.exists():
        raise ModelLoadError("recent_path_missing", path=str(absolute))
    entry = str(absolute.resolve())
    paths = [entry] + [other for other in recent_paths() if os.path.realpath(other) != entry]
    paths = paths[:RECENT_LIMIT]
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / f".{RECENT_FILE}.{os.getpid()}.tmp"
    scratch.write_text(json.dumps({"recent": paths}, indent=2) + "\n", encoding="utf-8")
    os.replace(scratch, folder / RECENT_FILE)  # atomic: a crash never leaves half a file
    return paths
