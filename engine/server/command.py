"""`attnlab engine`: run the engine server, or ask a running one how it is (`--status`) or to exit (`--stop`).

Without options it listens on this user's socket (engine/server/runtime.py) and keeps its last model
for `--idle` seconds after its last client left (an engine that never loaded a model leaves with its
client). `--stdio` serves one client over stdin/stdout and exits when it goes: what `ssh host attnlab
engine --stdio` runs for a window on another machine (ssh has authenticated the user; stdout carries
only the protocol, anything printed goes to stderr).
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import sys
import threading
import time
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path

from attnlab.engine.server import runtime, wire
from attnlab.engine.server.runtime import engine_version
from attnlab.engine.server.serve import EngineServer, warm_up

log = logging.getLogger(__name__)

IDLE_S = 15 * 60  # how long an engine keeps its model after its last client left
FIRST_CLIENT_S = 60.0  # how long a new engine waits for the window that started it


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="attnlab engine", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stdio", action="store_true", help="serve one client over stdin/stdout (for ssh)")
    parser.add_argument("--status", action="store_true", help="say whether an engine runs here, and its model")
    parser.add_argument("--stop", action="store_true", help="ask the running engine to exit")
    parser.add_argument("--socket", help="listen on this socket instead of the user's (a private engine)")
    parser.add_argument(
        "--idle", type=float, default=None, help=f"seconds to keep the model after the last client (default {IDLE_S})"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.status or args.stop:
        return _ask(Path(args.socket) if args.socket else runtime.socket_path(), "stop" if args.stop else "status")
    if args.stdio:
        return serve_stdio()
    idle = args.idle if args.idle is not None else float(os.environ.get("ATTNLAB_ENGINE_IDLE", IDLE_S))
    return serve_socket(Path(args.socket) if args.socket else runtime.socket_path(), idle)


def _ask(path: Path, op: str) -> int:
    try:
        connection = Client(str(path), family="AF_UNIX", authkey=runtime.authkey(path.parent))
    except (OSError, EOFError):
        print(f"no engine is running at {path}")
        return 1 if op == "status" else 0
    with connection:
        wire.send(connection, wire.Sender(), {"op": op, "version": engine_version()})
        try:
            reply = wire.receive(connection, wire.Receiver())
        except (EOFError, OSError):
            print("the engine is busy with a window: try again when it is closed")
            return 1
    assert isinstance(reply, dict)
    model = reply.get("model") or "no model"
    verb = "stopping" if op == "stop" else "running"
    print(f"engine {verb}: attnlab {reply.get('version')}, pid {reply.get('pid')}, {model} loaded, at {path}")
    return 0


def serve_stdio() -> int:
    """One client over the pipes ssh gave us; stdout is the protocol's alone from here on."""
    out = os.dup(1)
    os.dup2(2, 1)  # a stray print (a library's) lands on stderr, not in the protocol
    server = EngineServer()
    warm_up()
    server.serve(Connection(os.dup(0), writable=False), Connection(out, readable=False))
    return 0


def serve_socket(path: Path, idle_s: float) -> int:
    """Listen on `path` until told to stop, or idle for `idle_s` with no client."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = open(path.with_suffix(".lock"), "w")  # noqa: SIM115 - held for the process's lifetime
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return 0  # another engine of this version listens here already: the client connects to it
    key = runtime.authkey(path.parent)
    path.unlink(missing_ok=True)  # a socket left by an engine that was killed
    old = os.umask(0o177)
    try:
        listener = Listener(str(path), family="AF_UNIX", authkey=key)
    finally:
        os.umask(old)
    server = EngineServer()
    warm_up()
    global _SOCKET
    _SOCKET = path
    threading.Thread(target=_watch_idle, args=(server, path, idle_s), daemon=True, name="attnlab-idle").start()
    busy_lock = threading.Lock()
    try:
        while not server.stopping.is_set():
            try:
                connection = listener.accept()  # the authkey challenge happens here, before anything is decoded
            except Exception as error:  # noqa: BLE001 - AuthenticationError, a peer gone: refused, next one
                if server.stopping.is_set():
                    break
                log.warning("refused a connection: %s", error)
                continue
            if not busy_lock.acquire(blocking=False):
                threading.Thread(target=_refuse_busy, args=(server, connection), daemon=True).start()
                continue
            threading.Thread(target=_serve_one, args=(server, connection, busy_lock, listener), daemon=True).start()
    finally:
        path.unlink(missing_ok=True)
    return 0


def _serve_one(server: EngineServer, connection: Connection, busy: threading.Lock, listener: Listener) -> None:
    try:
        with connection:
            server.serve(connection, connection)
    finally:
        busy.release()
        if server.stopping.is_set():
            _exit()


def _refuse_busy(server: EngineServer, connection: Connection) -> None:
    """A second window while one is served: its status answered, or told to start an engine of its own."""
    with connection:
        try:
            hello = wire.receive(connection, wire.Receiver())
            if isinstance(hello, dict) and hello.get("op") in ("status", "stop"):
                wire.send(connection, wire.Sender(), server.status())
                if hello["op"] == "stop":
                    _exit()  # the window it serves sees its engine gone, and starts another
            else:
                wire.send(connection, wire.Sender(), {"op": "busy"})
        except (OSError, EOFError, wire.WireError):
            pass


def _watch_idle(server: EngineServer, path: Path, idle_s: float) -> None:
    """Exit once no client has been connected for `idle_s` (at once when no model was ever loaded)."""
    while True:
        time.sleep(0.2)
        if server.serving.is_set():
            continue
        waited = time.monotonic() - server.last_active
        if not server.served:
            limit = max(idle_s, FIRST_CLIENT_S)  # the window that started it is still connecting
        elif server.handlers.info is not None:
            limit = idle_s
        else:
            limit = min(idle_s, 1.0)
        if server.stopping.is_set() or waited >= limit:
            path.unlink(missing_ok=True)
            _exit()


_SOCKET: Path | None = None  # what this engine listens on: removed (with its lock) as it leaves


def _exit() -> None:
    """Leave without waiting for torch's threads or a blocked accept()."""
    if _SOCKET is not None:
        _SOCKET.unlink(missing_ok=True)
        _SOCKET.with_suffix(".lock").unlink(missing_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
