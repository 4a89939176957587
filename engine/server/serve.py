"""The engine server: one client at a time, its requests answered in order, cancels and closes at once.

A connection carries messages encoded by `wire` (dicts with an "op"). The client sends `hello`, then
`request`s (each with its id), `cancel`s (a run or an importance map stops at its next step), `close`
(its window is closing) and `stop` (the engine should exit). A reader thread takes them off the
connection as they come, so a cancel never waits behind the forward that runs; the requests queue for
the engine's own loop, which answers each with `progressed`/`yielded` messages, then `returned` or
`errored`, then `finished` — the same replies the engine thread gives in-process.

The server mirrors the client's `Latest` (the newest resetting request), so it skips queued requests a
newer analysis or load made stale, as the worker thread always did.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
import time
from typing import Any

from attnlab.engine.api.messages import EngineMessage
from attnlab.engine.api.requests import Latest, Request
from attnlab.engine.server import wire
from attnlab.engine.server.handlers import Catalog, EngineHandlers, Loader, unexpected
from attnlab.engine.server.runtime import engine_version, mismatch

log = logging.getLogger(__name__)

PROTOCOL = 1


class _Client:
    """One connected client: how replies reach it, and the cancel flags of its requests."""

    def __init__(self, reader: Any, writer: Any):
        self.reader, self.writer = reader, writer
        self.sender, self.receiver = wire.Sender(), wire.Receiver()
        self.lock = threading.Lock()
        self.gone = False

    def send(self, message: dict[str, Any]) -> None:
        if self.gone:
            return
        try:
            wire.send(self.writer, self.sender, message, self.lock)
        except (OSError, EOFError, ValueError):
            self.gone = True  # the window went away; the loop notices at the next message


class EngineServer:
    """Owns the handlers (model and session) across clients: a later client finds the model loaded."""

    def __init__(self, loader: Loader | None = None, catalog: Catalog | None = None):
        self.latest = Latest()
        self.closing = threading.Event()
        self.handlers = EngineHandlers(self, self.latest, self.closing, loader, catalog)
        self.handlers.reuse_loaded = True
        self.stopping = threading.Event()
        self.last_active = time.monotonic()
        self.serving = threading.Event()  # a client is connected
        self.served = False  # a client has connected once
        self._client: _Client | None = None
        self._cancels: dict[int, threading.Event] = {}

    # -- Replies (called by the handlers, on the engine's loop) ---------------------------------

    def progressed(self, rid: int, message: EngineMessage, fraction: float) -> None:
        self._send({"op": "progressed", "rid": rid, "message": message, "fraction": float(fraction)})

    def yielded(self, rid: int, partial: object) -> None:
        self._send({"op": "yielded", "rid": rid, "result": partial})

    def returned(self, rid: int, result: object) -> None:
        try:
            self._send({"op": "returned", "rid": rid, "result": result})
        except wire.WireError as error:
            log.exception("reply to request %d does not encode", rid)
            self.errored(rid, unexpected(error))

    def errored(self, rid: int, message: EngineMessage) -> None:
        self._send({"op": "errored", "rid": rid, "message": message})

    def finished(self, rid: int) -> None:
        self._send({"op": "finished", "rid": rid})

    def _send(self, message: dict[str, Any]) -> None:
        if self._client is not None:
            self._client.send(message)

    # -- one client ------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        info = self.handlers.info
        return {"op": "status", "version": engine_version(), "pid": os.getpid(), "model": info.name if info else None}

    def serve(self, reader: Any, writer: Any) -> None:
        """Answer one client until it closes, goes away, or asks the engine to stop."""
        client = _Client(reader, writer)
        hello = self._hello(client)
        if hello is None:
            return
        self.latest.value = self.latest.sent = 0  # the client counts its requests from 1
        self.closing.clear()
        self._client = client
        self.served = True
        self.serving.set()
        work: queue.Queue[tuple[int, Request] | None] = queue.Queue()
        reader_thread = threading.Thread(target=self._read, args=(client, work), name="attnlab-engine-reader")
        reader_thread.daemon = True
        reader_thread.start()
        try:
            while True:
                item = work.get()
                if item is None:
                    break
                rid, request = item
                self.last_active = time.monotonic()
                if self.closing.is_set():
                    continue  # the window closed: what it still had queued is dropped, as a quit thread drops it
                self.handlers.handle(rid, request)
                self._cancels.pop(rid, None)
        finally:
            self._client = None
            self._cancels.clear()
            self.serving.clear()
            self.last_active = time.monotonic()
            reader_thread.join(5)

    def _hello(self, client: _Client) -> dict[str, Any] | None:
        try:
            hello = wire.receive(client.reader, client.receiver)
        except (EOFError, OSError, wire.WireError):
            return None
        if not isinstance(hello, dict) or hello.get("op") not in ("hello", "status", "stop"):
            return None
        if hello["op"] == "status":
            client.send(self.status())
            return None
        if hello["op"] == "stop":
            client.send(self.status())
            self.stopping.set()
            return None
        theirs = str(hello.get("version"))
        if theirs != engine_version():
            client.send({"op": "refused", "message": mismatch(engine_version(), theirs)})
            return None
        reply = self.status()
        reply["op"] = "hello"
        client.send(reply)
        return hello

    def _read(self, client: _Client, work: queue.Queue[tuple[int, Request] | None]) -> None:
        """Off the connection as it comes: requests queue, cancels and closes act at once."""
        try:
            while True:
                message = wire.receive(client.reader, client.receiver)
                if not isinstance(message, dict):
                    raise wire.WireError(f"unexpected {type(message).__name__} from the window")
                op = message.get("op")
                if op == "request":
                    self._queue(int(message["rid"]), message["request"], work)
                elif op == "cancel":
                    event = self._cancels.get(int(message["rid"]))
                    if event is not None:
                        event.set()
                elif op in ("close", "stop"):
                    if op == "stop":
                        self.stopping.set()
                    break
        except (EOFError, OSError):
            pass  # the window went away (or its machine did): like a close
        except wire.WireError as error:
            log.error("closing a connection that sent something undecodable: %s", error)
        self._close_all()
        client.gone = True
        work.put(None)

    def _queue(self, rid: int, request: object, work: queue.Queue[tuple[int, Request] | None]) -> None:
        if not isinstance(request, Request):
            raise wire.WireError(f"{type(request).__name__} is not a request")
        if request.resets:
            self.latest.value = rid
        self.latest.sent = rid
        cancel = getattr(request, "cancel", None)
        if isinstance(cancel, threading.Event):
            self._cancels[rid] = cancel
        work.put((rid, request))

    def _close_all(self) -> None:
        """The window closes: a load stops at its next progress report, runs at their next step, and
        whatever is still queued is skipped as stale."""
        self.closing.set()
        for event in list(self._cancels.values()):
            event.set()
        self.latest.value = sys.maxsize


def warm_up() -> None:
    """Import torch and transformers while the window builds (on the engine's other core, no GIL shared)."""

    def imports() -> None:
        try:
            import torch  # noqa: F401
            import transformers  # noqa: F401
        except Exception:  # a load reports what is missing
            log.debug("warm-up imports failed", exc_info=True)

    threading.Thread(target=imports, name="attnlab-engine-warm-up", daemon=True).start()
