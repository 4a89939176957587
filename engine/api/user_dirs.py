"""The user's attnlab folders: settings and the recent list (config), converted models (cache),
the log (data).

Read from the environment at each call, not at import, so tests and tools can point them
elsewhere. Neither folder is created here.
"""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    """$ATTNLAB_CONFIG, else $XDG_CONFIG_HOME/attnlab, else ~/.config/attnlab."""
    return _user_dir("ATTNLAB_CONFIG", "XDG_CONFIG_HOME", ".config")


def cache_dir() -> Path:
    """$ATTNLAB_CACHE, else $XDG_CACHE_HOME/attnlab, else ~/.cache/attnlab."""
    return _user_dir("ATTNLAB_CACHE", "XDG_CACHE_HOME", ".cache")


def data_dir() -> Path:
    """$ATTNLAB_DATA, else $XDG_DATA_HOME/attnlab, else ~/.local/share/attnlab."""
    return _user_dir("ATTNLAB_DATA", "XDG_DATA_HOME", ".local/share")


def log_file() -> Path:
    """Where the app logs unexpected errors with their tracebacks, and faulthandler a hard crash."""
    return data_dir() / "logs" / "attnlab.log"


def _user_dir(own_variable: str, xdg_variable: str, home_folder: str) -> Path:
    if os.environ.get(own_variable):
        return Path(os.environ[own_variable]).expanduser()
    base = os.environ.get(xdg_variable) or Path.home() / home_folder
    return Path(base).expanduser() / "attnlab"
