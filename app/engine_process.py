"""The engine in another process, seen from the window: the same replies as the engine thread's.

`ProcessEngine` holds an `EngineLink` (attnlab.engine.server.link: the socket or the ssh pipes, a link
thread and a reader thread) and a `_Relay` QObject of the GUI thread. The reader thread emits the
relay's signals; Qt queues them to the GUI thread, where `EngineClient` handles them exactly as it
handles the worker thread's. When the engine dies, `lost` says how, once.
"""

from __future__ import annotations

import os
import weakref
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from attnlab.engine.api.requests import Request
from attnlab.engine.server.link import EngineLink

_engines: weakref.WeakSet[ProcessEngine] = weakref.WeakSet()

MODE_VARIABLE = "ATTNLAB_ENGINE"  # "thread": the engine in the window's process (tests); else a process


def engine_target(explicit: str | None = None) -> str | None:
    """Where the window's engine runs: "thread", None (this user's local engine process), or an address."""
    if explicit:
        return explicit
    return os.environ.get(MODE_VARIABLE) or None


def running_engines() -> list[ProcessEngine]:
    """Process engines whose link threads still run (tests fail when one is left behind)."""
    return [engine for engine in list(_engines) if engine.link.alive]


class _Relay(QObject):
    progressed = Signal(int, object, float)  # request id, EngineMessage, fraction
    yielded = Signal(int, object)
    returned = Signal(int, object)
    errored = Signal(int, object)  # request id, EngineMessage: errors cross the boundary as data
    finished = Signal(int)
    lost = Signal(object)  # EngineMessage: how the engine went ("killed by SIGKILL", an ssh error…)


class ProcessEngine:
    """A link to an engine process, and a relay of its replies into the GUI thread."""

    def __init__(self, client: Any, target: str | None, idle_s: float | None = None):
        self.relay = _Relay()
        queued = Qt.ConnectionType.QueuedConnection
        self.relay.progressed.connect(client._on_progressed, queued)
        self.relay.yielded.connect(client._on_yielded, queued)
        self.relay.returned.connect(client._on_returned, queued)
        self.relay.errored.connect(client._on_errored, queued)
        self.relay.finished.connect(client._on_finished, queued)
        self.relay.lost.connect(client._on_lost, queued)
        self.target = target
        self.link = EngineLink(target, self._on_message, self.relay.lost.emit, idle_s)
        self._stopped = False
        _engines.add(self)

    def _on_message(self, message: dict[str, Any]) -> None:  # the reader thread
        op, rid = message.get("op"), message.get("rid")
        if op == "progressed":
            self.relay.progressed.emit(rid, message["message"], message["fraction"])
        elif op == "yielded":
            self.relay.yielded.emit(rid, message["result"])
        elif op == "returned":
            self.relay.returned.emit(rid, message["result"])
        elif op == "errored":
            self.relay.errored.emit(rid, message["message"])
        elif op == "finished":
            self.relay.finished.emit(rid)

    def submit(self, rid: int, request: Request) -> None:
        self.link.send({"op": "request", "rid": rid, "request": request})

    def cancel(self, rid: int) -> None:
        self.link.send({"op": "cancel", "rid": rid})

    @property
    def stopped(self) -> bool:
        return self._stopped

    def stop(self) -> None:
        """Close the link (the engine drops what is queued). Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self.link.close()

    # the engine thread's test surface: isRunning / quit / wait
    def isRunning(self) -> bool:  # noqa: N802 - QThread's name, for tests that check either
        return self.link.alive

    def quit(self) -> None:
        self.stop()

    def wait(self, _ms: int = 0) -> bool:
        self.stop()
        return True
