"""A training run in its own engine process: `attnlab train --json --control stdin`, driven by QProcess.

Training never runs on the window's thread and shares no interpreter with it: the process prints
one JSON object per line (records as attnlab.engine.api.train_run reads them, a phase event, the
end), reads "pause", "resume" and "stop" lines, and writes its run folder. The window's engine is
left free to load checkpoints while training goes on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal

from attnlab.app.i18n import translate
from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.train_run import TrainRecord, record_from_json


class TrainProcess(QObject):
    started = Signal(str)  # the run folder
    record_arrived = Signal(object)  # TrainRecord
    phase_reached = Signal(int, str)  # step, the message
    checkpoint_saved = Signal()
    finished = Signal(str, str)  # status ("finished", "stopped", "failed"), a message
    state_changed = Signal(str)  # "running", "paused", "stopping", "idle"

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.process: QProcess | None = None
        self.folder: Path | None = None
        self.state = "idle"
        self._buffer = b""
        self._errors = b""
        self._ended = False

    @property
    def running(self) -> bool:
        """A run is going (it has not said it ended, though its process may still be exiting)."""
        return not self._ended and self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    def start(self, arguments: list[str], folder: Path) -> None:
        """Run `attnlab train ARGUMENTS --out FOLDER --json --control stdin` (with this installation's Python)."""
        if self.running:
            raise RuntimeError("a training run is already going")
        self.folder = folder
        self._buffer = self._errors = b""
        self._ended = False
        process = QProcess(self)
        process.setProgram(sys.executable)
        process.setArguments(
            ["-m", "attnlab", "train", *arguments, "--out", str(folder), "--json", "--control", "stdin"]
        )
        process.readyReadStandardOutput.connect(self._read)
        process.readyReadStandardError.connect(self._read_errors)
        process.finished.connect(self._on_finished)
        process.errorOccurred.connect(self._on_error)
        self.process = process
        process.start()
        self._set_state("running")

    def pause(self) -> None:
        self._send("pause", "paused")

    def resume(self) -> None:
        self._send("resume", "running")

    def stop(self) -> None:
        self._send("stop", "stopping")

    def wait(self, msecs: int) -> bool:
        """Block until the process has ended (closing the window); True if it did."""
        return self.process is None or self.process.waitForFinished(msecs)

    def kill(self) -> None:
        if self.running and self.process is not None:
            self.process.kill()
            self.process.waitForFinished(2000)

    def _send(self, command: str, state: str) -> None:
        if self.running and self.process is not None:
            self.process.write((command + "\n").encode())
            self._set_state(state)

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    def _read(self) -> None:
        assert self.process is not None
        self._buffer += bytes(self.process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            self._handle(line)

    def _read_errors(self) -> None:
        assert self.process is not None
        self._errors = (self._errors + bytes(self.process.readAllStandardError().data()))[-20_000:]

    def _handle(self, line: bytes) -> None:
        try:
            event = json.loads(line)
        except ValueError:
            return  # a library's own print: not ours
        if not isinstance(event, dict):
            return
        kind = event.get("event")
        if kind == "started":
            self.started.emit(str(event.get("out", self.folder)))
        elif kind == "record":
            try:
                record: TrainRecord = record_from_json(event)
            except EngineError:
                return
            self.record_arrived.emit(record)
        elif kind == "phase":
            self.phase_reached.emit(int(event.get("step", 0)), str(event.get("message", "")))
        elif kind == "error":
            self._end("failed", str(event.get("message", "")))
        elif kind == "finished":
            self._end(str(event.get("status", "finished")), str(event.get("message", "")))

    def _end(self, status: str, message: str) -> None:
        if not self._ended:
            self._ended = True
            self._set_state("idle")
            self.finished.emit(status, message)

    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read()
        if status == QProcess.ExitStatus.CrashExit or code != 0:
            tail = self._errors.decode("utf-8", errors="replace").strip().splitlines()[-1:] or [""]
            self._end(
                "failed",
                translate("training", "the training process ended ({0}): {1}").format(
                    translate("training", "crashed") if status == QProcess.ExitStatus.CrashExit else code, tail[0]
                ),
            )
        self._end("finished", "")

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._end("failed", translate("training", "the training process could not start"))
