"""Shared test set-up: headless Qt, no hub, caches in a temporary folder.

The window's engine runs in a thread of the test process (ATTNLAB_ENGINE=thread): ~300 window tests
cannot each start an engine process (torch's imports, seconds). Tests of the process boundary ask for
one explicitly; every engine process of the run lives in a runtime folder of its own, and whatever still
listens there at the end is stopped, so `make test` leaves no process behind.
"""

import contextlib
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
os.environ.setdefault("ATTNLAB_ENGINE", "thread")
RUNTIME = Path(tempfile.mkdtemp(prefix="attnlab-test-runtime-"))  # mode 0700
os.environ["ATTNLAB_RUNTIME_DIR"] = str(RUNTIME)
os.environ.setdefault("ATTNLAB_ENGINE_IDLE", "0")


def engine_pids(folder: Path = RUNTIME) -> list[int]:
    """Engine processes still running whose socket lock files lie in `folder` (fuser-free: /proc)."""
    locks = {str(path.resolve()) for path in folder.glob("*.lock")}
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            targets = {os.readlink(fd) for fd in (proc / "fd").iterdir()}
        except OSError:
            continue
        if targets & locks:
            found.append(int(proc.name))
    return found


@pytest.fixture(scope="session", autouse=True)
def _no_engine_process_left():
    yield
    for pid in engine_pids():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(RUNTIME, ignore_errors=True)
