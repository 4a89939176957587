"""Where a local engine listens: a Unix-domain socket in a per-user folder only its owner can enter.

The folder is $ATTNLAB_RUNTIME_DIR, else $XDG_RUNTIME_DIR/attnlab, else /tmp/attnlab-<uid>; it is made
with mode 0700 and refused when another user owns it or others can enter it. It holds the authkey (mode
0600) that a client proves it knows before the engine decodes anything it sends, and one socket per
attnlab version, so two versions never talk. Torch-free: the window imports it.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from attnlab import __version__
from attnlab.engine.api.messages import EngineMessage, message

KEY_BYTES = 32


def runtime_dir() -> Path:
    """The folder, made private when missing; raises PermissionError when it is not private."""
    if os.environ.get("ATTNLAB_RUNTIME_DIR"):
        folder = Path(os.environ["ATTNLAB_RUNTIME_DIR"]).expanduser()
    elif os.environ.get("XDG_RUNTIME_DIR"):
        folder = Path(os.environ["XDG_RUNTIME_DIR"]) / "attnlab"
    else:
        folder = Path("/tmp") / f"attnlab-{os.getuid()}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise PermissionError(f"{folder} is not a folder of this user: the engine will not listen there")
    if info.st_mode & 0o077:
        raise PermissionError(f"{folder} can be entered by other users (mode {info.st_mode & 0o777:o}): chmod 700 it")
    return folder


def socket_path(folder: Path | None = None) -> Path:
    """The socket of this version's engine (a version of its own per socket: no mixed ends)."""
    return (folder or runtime_dir()) / f"engine-{__version__}.sock"


def authkey(folder: Path | None = None) -> bytes:
    """The folder's key, made on first use (mode 0600, written once, never replaced while it exists)."""
    path = (folder or runtime_dir()) / "authkey"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
    info = path.lstat()
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{path} is not a private file of this user: remove it")
    key = path.read_bytes()
    if len(key) < KEY_BYTES:  # another process is writing it right now
        raise FileNotFoundError(f"{path} is not written yet")
    return key


def engine_version() -> str:
    """This engine's version (ATTNLAB_ENGINE_PRETEND_VERSION: a test's way to make the two ends differ)."""
    return os.environ.get("ATTNLAB_ENGINE_PRETEND_VERSION") or __version__


def mismatch(engine: str, window: str) -> EngineMessage:
    return message("engine_version_mismatch", engine=engine, window=window)
