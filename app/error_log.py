"""The app's log file: unexpected engine errors with their tracebacks, and a hard crash's stacks.

A soak run that dies leaves a trace: `faulthandler` writes every thread's stack to the same file
on a segfault or abort, which a Python logging handler never sees. The file lives in the user's
data folder (engine/user_dirs.py; $ATTNLAB_DATA redirects it).
"""

from __future__ import annotations

import atexit
import faulthandler
import logging
import os
from pathlib import Path
from typing import IO

from attnlab.engine.api.user_dirs import log_file

MAX_BYTES = 5 * 1024 * 1024  # a log past this size is moved to attnlab.log.1 when the app starts
LOGGERS = ("attnlab",)  # whose records go to the file (attnlab.app.*, attnlab.engine.*)

_handler: logging.FileHandler | None = None
_fault_file: IO[str] | None = None  # kept open: faulthandler writes to its descriptor


def open_log(crashes: bool = False) -> Path | None:
    """Send the app's and engine's log records (INFO and up) to the log file; with `crashes`, also
    point faulthandler at it. Idempotent; follows the folder if $ATTNLAB_DATA changed.

    None when the data folder cannot be written (read-only, missing, a file in its way): the app
    starts anyway, without a log, and the window says so (app/autosave.py: folder_problem)."""
    try:
        return _open_log(crashes)
    except OSError as error:
        logging.getLogger(__name__).warning("no log file: %s", error)
        return None


def _open_log(crashes: bool) -> Path:
    global _handler, _fault_file
    path = log_file()
    if _handler is None or Path(_handler.baseFilename) != path.resolve():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(path.parent, os.W_OK):
            raise PermissionError(13, "the folder is read-only", str(path.parent))
        if path.exists() and path.stat().st_size > MAX_BYTES:
            path.replace(path.with_name(path.name + ".1"))
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
        for name in LOGGERS:
            logger = logging.getLogger(name)
            if _handler is not None:
                logger.removeHandler(_handler)
            logger.addHandler(handler)
            if logger.level == logging.NOTSET or logger.level > logging.INFO:
                logger.setLevel(logging.INFO)
        if _handler is not None:
            _handler.close()
        _handler = handler
    if crashes:
        previous = _fault_file
        _fault_file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        faulthandler.enable(file=_fault_file, all_threads=True)
        if previous is not None:
            previous.close()
    return path


@atexit.register
def _close_fault_file() -> None:
    """faulthandler holds the file's descriptor until the end; close it there, not at garbage collection."""
    if _fault_file is not None:
        faulthandler.disable()
        _fault_file.close()
