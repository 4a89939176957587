"""The window's end of the process boundary: finds or starts an engine, and carries messages both ways.

`EngineLink(target)` returns at once; a link thread connects (spawning a local engine with `subprocess`
when none runs, never `fork`: a forked process with Qt threads can deadlock), says hello, then sends what
was queued meanwhile. A reader thread hands every message to `on_message` and, when the connection ends
without a close, calls `on_lost` once with what happened (the engine's exit signal when it was ours).

Targets: None or "local" (this user's local engine, reused while it runs), "private" (a new engine for this link
alone, on a socket of its own, gone with it), "ssh://[user@]host[:port]" (`ssh host attnlab engine
--stdio`, the user's own ssh with their keys and agent) and "stdio:COMMAND" (any command that speaks the
protocol on its stdin/stdout). Torch-free and Qt-free.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Client, Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from attnlab import __version__
from attnlab.engine.api.messages import EngineMessage, as_message, message
from attnlab.engine.server import runtime, wire
from attnlab.engine.server.runtime import mismatch

log = logging.getLogger(__name__)

CONNECT_S = 60.0  # a new engine on a busy machine: Python and attnlab's imports before it listens


class EngineGone(Exception):
    """The engine could not be reached, refused us, or went away; `message` says so as data (the window
    translates it by code)."""

    def __init__(self, said: EngineMessage | str):
        super().__init__(str(said))
        self.message = as_message(said)


def describe_exit(code: int | None) -> EngineMessage:
    """'killed by SIGKILL', 'exited with status 3', or 'lost' (not ours to wait for)."""
    if code is None:
        return message("engine_lost")
    if code < 0:
        try:
            return message("engine_killed", signal=signal.Signals(-code).name)
        except ValueError:
            return message("engine_killed", signal=f"signal {-code}")
    return message("engine_exited", code=code)


def ssh_command(target: str) -> list[str]:
    """`ssh [-p port] [user@]host attnlab engine --stdio` for ssh://[user@]host[:port]."""
    parts = urlsplit(target)
    if parts.scheme != "ssh" or not parts.hostname:
        raise ValueError(f"{target!r} is not an engine address: use ssh://[user@]host[:port]")
    host = f"{parts.username}@{parts.hostname}" if parts.username else parts.hostname
    command = ["ssh", "-o", "BatchMode=yes", "-T"]
    if parts.port:
        command += ["-p", str(parts.port)]
    remote = os.environ.get("ATTNLAB_REMOTE_COMMAND", "attnlab engine --stdio")
    return command + [host, remote]


def engine_command(socket: Path | None = None, idle_s: float | None = None) -> list[str]:
    command = [sys.executable, "-m", "attnlab.engine.server"]
    if socket is not None:
        command += ["--socket", str(socket)]
    if idle_s is not None:
        command += ["--idle", str(idle_s)]
    return command


class EngineLink:
    """One connection to one engine. `send` never blocks on the engine; callbacks run on the reader thread."""

    def __init__(
        self,
        target: str | None,
        on_message: Callable[[dict[str, Any]], None],
        on_lost: Callable[[EngineMessage], None],
        idle_s: float | None = None,
    ):
        self.target = target
        self._on_message, self._on_lost = on_message, on_lost
        self._idle_s = idle_s
        self._out: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._closed = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None  # an engine this link started (and may wait for)
        self.pid: int | None = None  # the engine's process id, as it said in its hello
        self.engine_version: str | None = None
        self.model: str | None = None  # what the engine had loaded when we connected (a warm engine)
        self._reader: Connection | None = None
        self._writer: Connection | None = None
        self._receiver = wire.Receiver()
        self._thread = threading.Thread(target=self._run, name="attnlab-engine-link", daemon=True)
        self._reader_thread: threading.Thread | None = None
        self._thread.start()

    # -- the window's side ---------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        if not self._closed.is_set():
            self._out.put(message)

    def close(self, stop_engine: bool = False, timeout: float = 10.0) -> None:
        """Say goodbye (the engine drops what is queued), end both threads; stop a private engine."""
        if self._closed.is_set():
            return
        self.send({"op": "stop" if stop_engine or self.target == "private" else "close"})
        self._out.put(None)
        self._closed.set()
        self._thread.join(timeout)
        if self._reader_thread is not None:
            self._reader_thread.join(timeout)
        for connection in (self._reader, self._writer):
            if connection is not None:
                with contextlib.suppress(OSError):
                    connection.close()
        if self.process is not None and self.target not in (None, "local", "private"):
            try:  # ssh or stdio: the remote end leaves at end of input
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        elif self.process is not None and self.target == "private":
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() or (self._reader_thread is not None and self._reader_thread.is_alive())

    # -- the link thread -----------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._connect()
        except EngineGone as error:
            if not self._closed.is_set():
                self._on_lost(error.message)
            return
        self._reader_thread = threading.Thread(target=self._read, name="attnlab-engine-reader", daemon=True)
        self._reader_thread.start()
        sender = wire.Sender()
        while True:
            outgoing = self._out.get()
            if outgoing is None:
                break
            try:
                assert self._writer is not None
                wire.send(self._writer, sender, outgoing)
            except (OSError, EOFError, ValueError):
                break  # the reader says what happened

    def _connect(self) -> None:
        if self.target in (None, "local", "private"):
            self._connect_local()
        elif self.target.startswith("ssh://"):
            self._connect_pipes(ssh_command(self.target))
        elif self.target.startswith("stdio:"):
            self._connect_pipes(shlex.split(self.target[len("stdio:") :]))
        else:
            raise EngineGone(message("engine_bad_address", target=repr(self.target)))

    def _connect_pipes(self, command: list[str]) -> None:
        try:
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except OSError as error:
            raise EngineGone(message("engine_command_failed", command=command[0], error=str(error))) from error
        assert self.process.stdin is not None and self.process.stdout is not None
        self._writer = Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self._reader = Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self.process.stdin.close()
        self.process.stdout.close()
        self._hello(self._reader, self._writer)

    def _connect_local(self) -> None:
        folder = runtime.runtime_dir()
        private = self.target == "private"
        path = folder / f"engine-{__version__}-{os.getpid()}-{id(self):x}.sock" if private else runtime.socket_path()
        deadline = time.monotonic() + CONNECT_S
        spawned = False
        while True:
            if self._closed.is_set():
                raise EngineGone(message("engine_closed_early"))
            connection = self._try(path)
            if connection is not None:
                try:
                    self._hello(connection, connection)
                    return
                except _Busy:
                    connection.close()
                    path = folder / f"engine-{__version__}-{os.getpid()}-{id(self):x}.sock"  # one of our own
                    private, spawned = True, False
                    self.target = "private"
                    continue
            if not spawned:
                # its own log, not our stderr: an engine that outlives the window must hold none of its pipes
                with open(folder / f"engine-{__version__}.log", "ab") as log_file:
                    self.process = subprocess.Popen(
                        engine_command(path, 0.0 if private else self._idle_s),
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=log_file,
                        start_new_session=True,  # a Ctrl-C in the window's terminal is the window's
                    )
                spawned = True
            elif self.process is not None and self.process.poll() not in (None, 0):
                raise EngineGone(message("engine_could_not_start", reason=describe_exit(self.process.returncode)))
            if time.monotonic() > deadline:
                raise EngineGone(message("engine_no_answer", path=str(path), seconds=f"{CONNECT_S:.0f}"))
            time.sleep(0.02)

    @staticmethod
    def _try(path: Path) -> Connection | None:
        if not path.exists():
            return None
        try:
            return Client(str(path), family="AF_UNIX", authkey=runtime.authkey(path.parent))
        except (OSError, EOFError):  # not listening yet, or an old socket of a dead engine
            return None
        except Exception as error:  # multiprocessing's AuthenticationError: a foreign key
            raise EngineGone(message("engine_refused_key", path=str(path), error=str(error))) from error

    def _hello(self, reader: Connection, writer: Connection) -> None:
        self._reader, self._writer = reader, writer
        try:
            wire.send(writer, wire.Sender(), {"op": "hello", "version": __version__, "pid": os.getpid()})
            reply = wire.receive(reader, self._receiver)
        except (OSError, EOFError, wire.WireError) as error:
            raise EngineGone(message("engine_did_not_answer", reason=self._exit_reason() or str(error))) from error
        if not isinstance(reply, dict):
            raise EngineGone(message("engine_bad_hello"))
        if reply.get("op") == "busy":
            raise _Busy
        if reply.get("op") == "refused":
            refusal = reply.get("message")  # the engine's message, as data
            raise EngineGone(refusal if isinstance(refusal, EngineMessage) else str(refusal))
        if reply.get("version") != __version__:
            raise EngineGone(mismatch(str(reply.get("version")), __version__))
        self.pid, self.engine_version, self.model = reply.get("pid"), reply.get("version"), reply.get("model")

    # -- the reader thread ---------------------------------------------------------------------

    def _read(self) -> None:
        assert self._reader is not None
        receiver = self._receiver
        try:
            while True:
                received = wire.receive(self._reader, receiver)
                if isinstance(received, dict):
                    self._on_message(received)
        except (OSError, EOFError, wire.WireError) as error:
            if self._closed.is_set():
                return
            reason = self._exit_reason() or (as_message(error) if isinstance(error, wire.WireError) else None)
            self._on_lost(reason or message("engine_lost"))

    def _exit_reason(self) -> EngineMessage | None:
        """How our engine process ended (None when it is not ours, or has not ended)."""
        if self.process is None:
            return None
        try:
            return describe_exit(self.process.wait(2.0))
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """Tests: end the engine as the kernel would (SIGKILL)."""
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)


class _Busy(Exception):
    """The user's engine serves another window: this one starts its own."""
