"""Reading a session file in the window: on the GUI thread, so it must never block or crash.

A session path may be a FIFO, a symlink to /dev/zero or a device whose `stat` size says 0
(DESIGN.md, "Files are not always files"): the file is opened without blocking, read only when
`fstat` on the open descriptor says it is a regular file, and never past MAX_BYTES, whatever
its size claims. Whatever a damaged or hostile file holds (nesting that exhausts the parser's
recursion, a 5,000-digit number, a null where a list belongs) becomes a SessionFileError that
names the file, never another exception.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from attnlab.engine.api.messages import message
from attnlab.engine.api.saved_session import MAX_FILE_BYTES, SessionData, SessionFileError, from_json

# A session the window can show is at most a 100,000-character text and a few thousand branches:
# a few MB. Parsing the engine's cap (64 MB) on the GUI thread would freeze it for a second; 8 MB
# parse in under a tenth of a second.
MAX_BYTES = min(MAX_FILE_BYTES, 8 * 1024 * 1024)
MAX_BRANCHES = 1_000  # the branch list shows one row each
CHUNK = 1 << 20


def read_session_file(path: str | os.PathLike[str]) -> SessionData:
    """The session at `path`; SessionFileError (and nothing else) when it cannot be one."""
    source = Path(path).expanduser()
    raw = _read_capped(source)
    name = source.name
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise SessionFileError("session_nested_too_deeply", name=name) from None
    except (UnicodeDecodeError, ValueError) as error:  # JSONDecodeError, and a number of too many digits
        raise SessionFileError("session_not_json", name=name, error=str(error)) from None
    try:
        return from_json(data, name)
    except SessionFileError:
        raise
    except RecursionError:
        raise SessionFileError("session_damaged_too_deep", name=name) from None
    except Exception as error:  # noqa: BLE001 - a value of the wrong kind, anywhere: refused, never a crash
        raise SessionFileError(
            "session_damaged", name=name, what=message("session_wrong_kind", type=type(error).__name__)
        ) from None


def _read_capped(source: Path) -> bytes:
    """The file's bytes: a regular file only, at most MAX_BYTES, without ever waiting on a writer."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(source, flags)
    except FileNotFoundError:
        raise SessionFileError("session_file_missing", path=str(source)) from None
    except IsADirectoryError:
        raise SessionFileError("session_path_is_folder", path=str(source)) from None
    except OSError as error:
        raise SessionFileError(
            "session_file_unreadable", path=str(source), error=str(error.strerror or error)
        ) from None
    try:
        mode = os.fstat(handle).st_mode  # of what was opened: a symlink's target, not the link
        if stat.S_ISDIR(mode):
            raise SessionFileError("session_path_is_folder", path=str(source))
        if not stat.S_ISREG(mode):
            raise SessionFileError("session_not_a_regular_file", name=source.name)
        chunks, total = [], 0
        while True:
            chunk = os.read(handle, CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_BYTES:  # the size `stat` gave is not trusted: the bytes are counted
                raise SessionFileError(
                    "session_file_too_big", name=source.name, size=f"{MAX_BYTES // (1024 * 1024)} MB"
                )
        return b"".join(chunks)
    except BlockingIOError:
        raise SessionFileError("session_would_block", name=source.name) from None
    except OSError as error:
        raise SessionFileError(
            "session_file_unreadable", path=str(source), error=str(error.strerror or error)
        ) from None
    finally:
        os.close(handle)
