"""Autosave: each window writes its session to the user data folder after every change.

One file per window, named after the process (`<pid>-<n>.attnlab`), written atomically. A clean
close deletes it, so a file whose process is gone is the work of a window that crashed or was
killed: the next window offers to restore it.
"""

from __future__ import annotations

import itertools
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from attnlab.engine.api.saved_session import SUFFIX, SessionData, write_session
from attnlab.engine.api.user_dirs import data_dir

log = logging.getLogger(__name__)
_numbers = itertools.count(1)


def autosave_dir() -> Path:
    return data_dir() / "autosave"


def new_autosave_path() -> Path:
    """This window's own file (not created yet)."""
    return autosave_dir() / f"{os.getpid()}-{next(_numbers)}{SUFFIX}"


def folder_problem() -> str | None:
    """Why autosave cannot write here (the data folder missing and impossible to create, read-only,
    a file in its place), or None: found at start, so the window says so instead of failing."""
    folder = autosave_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):  # creating a file is the only proof it can be written
            pass
    except OSError as error:
        return f"{error.filename or folder}: {error.strerror or error}"
    return None


def write_autosave(session: SessionData, path: Path) -> bool:
    """Write it; False (and a log line) when the disk says no — autosave never interrupts the user."""
    return try_autosave(session, path) is None


def try_autosave(session: SessionData, path: Path) -> str | None:
    """Write it; None, or why the disk said no (a log line too: full, read-only, gone)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_session(session, path)
    except (OSError, ValueError) as error:
        log.warning("autosave to %s failed: %s", path, error)
        return str(error.strerror or error) if isinstance(error, OSError) else str(error)
    return None


class AutosaveWriter:
    """Writes a window's autosave off the GUI thread (an fsync can take a tenth of a second on a
    busy disk), one write at a time; the newest session waiting replaces an older one."""

    def __init__(self, path: Path, reported: Callable[[str | None], None] | None = None):
        self.path = path
        self.reported = reported  # called from the writing thread after each write: None (written) or why not
        self._lock = threading.Lock()
        self._waiting: SessionData | None = None
        self._after: list[Callable[[], object]] = []  # run once the waiting session is on disk
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="attnlab-autosave")

    def submit(self, session: SessionData, after: Callable[[], object] | None = None) -> None:
        """Write `session` soon; `after` runs (in the writing thread) once it is on disk, not if the write fails."""
        with self._lock:
            if self._closed:
                return
            queued = self._waiting is not None
            self._waiting = session
            if after is not None:
                self._after.append(after)
            if not queued:
                self._executor.submit(self._write)

    def _write(self) -> None:
        with self._lock:
            session, self._waiting = self._waiting, None
            after, self._after = self._after, []
        if session is None:
            return
        problem = try_autosave(session, self.path)
        if problem is None:
            for then in after:
                then()
        if self.reported is not None:
            self.reported(problem)

    def close(self) -> None:
        """Finish the write under way, then delete the file: a clean exit leaves nothing to restore."""
        with self._lock:
            self._closed = True
            self._waiting = None
        self._executor.shutdown(wait=True)
        remove(self.path)


def remove(path: Path) -> bool:
    """Delete an autosave; False when the folder says no (read-only, gone, not a folder): never raises,
    since it runs on close and on the user's Discard."""
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        log.warning("cannot delete the autosave %s: %s", path, error)
        return False
    return True


def orphans() -> list[Path]:
    """Autosaves left by processes that are gone, newest first."""
    folder = autosave_dir()
    if not folder.is_dir():
        return []
    for scratch in folder.glob(f".*{SUFFIX}.*.tmp"):  # a write cut short by the crash: never a whole file
        if not _alive(scratch.with_name(scratch.name.lstrip("."))):
            remove(scratch)
    found = [path for path in folder.glob(f"*{SUFFIX}") if not _alive(path)]
    return sorted(found, key=_mtime, reverse=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # a dangling link: still offered (and refused by name), never a failed start
        return 0.0


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
