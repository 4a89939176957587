"""One attnlab per user owns the settings: the first process to start takes a lock beside the settings file.

The lock is an `flock` on `window.lock`, which the kernel drops when its process ends however it ends, so a
window that was killed never blocks the next one (no stale lock to clean up). The holder writes its pid into
the file, so that a second copy can say which process it is second to. Per process: a process holds it
once, however many windows it makes (tests make many).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_NAME = "window.lock"
_held: tuple[Path, IO[str]] | None = None  # (lock file, its open file) while this process holds it


def lock_path(settings_file: str | os.PathLike[str]) -> Path:
    """The lock that guards a settings file: beside it."""
    return Path(settings_file).expanduser().resolve().parent / LOCK_NAME


def claim(path: Path) -> int | None:
    """Take the lock at `path` for this process. None: this process holds it (now or already); else the pid
    of the process that does (0 when it cannot be read). None too when no lock can be made there: a
    read-only folder must not stop the app, which then goes on as the only copy it knows of."""
    global _held
    if _held is not None and _held[0] == path:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="ascii")  # noqa: SIM115 - held for the process's lifetime
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        text = handle.read(32).strip()
        handle.close()
        return int(text) if text.isdigit() else 0
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    release()
    _held = (path, handle)
    return None


def release() -> None:
    """Let go of the lock this process holds, if any (the next copy to start becomes the first)."""
    global _held
    if _held is None:
        return
    _path, handle = _held
    _held = None
    with contextlib.suppress(OSError):
        fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()
