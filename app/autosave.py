"""Autosave: each window writes its session to the user data folder after every change.

One file per window, named after the process (`<pid>-<n>.attnlab`), written atomically. A clean
close deletes it, so a file whose process is gone is the work of a window that crashed or was
killed: the next window offers to restore it.
"""

from __future__ import annotations

import itertools
import logging
import os
from pathlib import Path

from engine.saved_session import SUFFIX, SessionData, write_session
from engine.user_dirs import data_dir

log = logging.getLogger(__name__)
_numbers = itertools.count(1)


def autosave_dir() -> Path:
    return data_dir() / "autosave"


def new_autosave_path() -> Path:
    """This window's own file (not created yet)."""
    return autosave_dir() / f"{os.getpid()}-{next(_numbers)}{SUFFIX}"


def write_autosave(session: SessionData, path: Path) -> bool:
    """Write it; False (and a log line) when the disk says no — autosave never interrupts the user."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_session(session, path)
    except (OSError, ValueError) as error:
        log.warning("autosave to %s failed: %s", path, error)
        return False
    return True


def orphans() -> list[Path]:
    """Autosaves left by processes that are gone, newest first."""
    folder = autosave_dir()
    if not folder.is_dir():
        return []
    found = [path for path in folder.glob(f"*{SUFFIX}") if not _alive(path)]
    return sorted(found, key=lambda path: path.stat().st_mtime, reverse=True)


def _alive(path: Path) -> bool:
    """The process that wrote `path` still runs (then it is that window's, not an orphan)."""
    try:
        pid = int(path.stem.split("-")[0])
    except ValueError:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a platform that cannot tell: leave it alone
    return True
