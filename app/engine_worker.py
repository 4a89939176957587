"""The engine thread: one worker QObject in one QThread owns the model and the session.

The GUI talks to it through `EngineClient`: every request gets an id and travels as a queued
signal; replies come back as signals carrying that id, and the client drops stale ones (a
reply to an analysis the user has since replaced). Cancelling a run is a `threading.Event`
the GUI sets directly; the engine checks it between steps.

This is the only app module that touches engine sessions and loading, and it imports them
inside the worker's slots, so importing the GUI never pulls in torch.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from engine.config import LoadOptions, SamplingConfig
from engine.results import Masks, ModelInfo

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]
# (spec, options, progress) -> (model info, session); runs in the engine thread.
Loader = Callable[[str, LoadOptions, Progress], tuple[ModelInfo, Any]]

# Session operations a later analysis or load makes pointless: the worker skips them.
SESSION_OPS = frozenset({"analyse", "step", "choose", "undo", "run"})
RESETTING_OPS = frozenset({"analyse", "load"})

GIL_SWITCH_S = 0.0005
ENGINE_NICENESS = 5  # the engine thread yields the CPU to the GUI thread

_threads: weakref.WeakSet[QThread] = weakref.WeakSet()


def running_threads() -> list[QThread]:
    """Engine threads still running (tests fail when one is left behind)."""
    return [t for t in list(_threads) if t.isRunning()]


def engine_loader(spec: str, options: LoadOptions, progress: Progress) -> tuple[ModelInfo, Any]:
    """The real loader: imports torch and transformers, so it only ever runs in the worker."""
    from engine.loading import load_model  # sets torch's threads, leaving a core for the GUI
    from engine.session import make_session

    loaded = load_model(spec, options, progress=progress)
    return loaded.info, make_session(loaded)


def engine_catalog() -> tuple[list, str | None]:
    """(catalog entries, default model name); an unavailable catalog is an empty one."""
    try:
        from engine.catalog import default_model, list_models
    except ImportError:
        return [], None
    entries = list_models()
    try:
        default = default_model()
    except Exception:  # noqa: BLE001 - no default is not an error worth showing
        default = None
    return entries, default


@dataclass(frozen=True)
class Request:
    id: int
    op: str  # "catalog" | "load" | "analyse" | "step" | "choose" | "undo" | "run" | "sampling"
    args: dict = field(default_factory=dict)


class _Latest:
    """The id of the newest resetting request; written by the GUI, read by the worker."""

    value = 0


class EngineWorker(QObject):
    """Lives in the engine thread. Builds the model inside a slot, never in __init__."""

    progressed = Signal(int, str, float)  # request id, message, fraction (< 0: unknown)
    catalog_listed = Signal(int, object, object)  # id, list[CatalogEntry], default name or None
    model_loaded = Signal(int, object)  # id, ModelInfo
    analysed = Signal(int, object)  # id, AnalysisResult
    stepped = Signal(int, object, bool)  # id, StepResult, replaced the last step
    undone = Signal(int, object)  # id, AnalysisResult after removing the last token
    run_finished = Signal(int, int, str)  # id, steps taken, why it stopped
    errored = Signal(int, str, str)  # id, op, message for the user
    request_finished = Signal(int)  # id: sent after every request, whatever happened

    def __init__(self, loader: Loader, latest: _Latest, catalog: Callable[[], tuple[list, str | None]]):
        super().__init__()
        self._loader = loader
        self._catalog = catalog
        self._latest = latest
        self._info: ModelInfo | None = None
        self._session: Any = None
        self._sampling = SamplingConfig()
        self._max_new_tokens = 256

    @Slot()
    def lower_priority(self) -> None:
        """Let the GUI thread win the CPU from this one (Linux nice values are per thread)."""
        if sys.platform.startswith("linux"):
            try:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), ENGINE_NICENESS)
            except OSError:
                pass

    @Slot(object)
    def handle(self, request: Request) -> None:
        try:
            if request.op in SESSION_OPS and request.id < self._latest.value:
                return  # superseded: a newer analysis or load will set the state
            getattr(self, f"_do_{request.op}")(request.id, **request.args)
        except (ValueError, MemoryError) as error:  # EngineError is a ValueError
            self.errored.emit(request.id, request.op, str(error) or type(error).__name__)
        except Exception as error:  # noqa: BLE001 - the thread must survive anything
            log.exception("engine request %s failed", request.op)
            self.errored.emit(request.id, request.op, f"unexpected error ({type(error).__name__}): {error}")
        finally:
            self.request_finished.emit(request.id)

    def release(self) -> None:
        """Drop the model (call once the thread has finished)."""
        self._session = None
        self._info = None

    # -- operations --------------------------------------------------------------------------

    def _do_catalog(self, rid: int) -> None:
        entries, default = self._catalog()
        self.catalog_listed.emit(rid, entries, default)

    def _do_load(self, rid: int, spec: str, options: LoadOptions) -> None:
        info, session = self._loader(spec, options, lambda message, fraction: self.progressed.emit(rid, message, fraction))
        self._apply_sampling(session)
        self._info, self._session = info, session  # only now: a failed load keeps the old model
        self.model_loaded.emit(rid, info)

    def _do_sampling(self, rid: int, config: SamplingConfig, max_new_tokens: int) -> None:
        self._sampling, self._max_new_tokens = config, max_new_tokens
        if self._session is not None:
            self._apply_sampling(self._session)

    def _apply_sampling(self, session: Any) -> None:
        if hasattr(session, "set_sampling"):
            session.set_sampling(self._sampling)
            session.max_new_tokens = self._max_new_tokens

    def _do_analyse(self, rid: int, text: str, masks: Masks, source: str | None, replay: tuple[int, ...]) -> None:
        session = self._require_session()
        if self._info.kind == "encoder":
            result = session.analyse(text, masks, top_k=self._sampling.candidates)
        else:
            result = session.prefill(text, masks, source=source, replay=replay)
        self.analysed.emit(rid, result)

    def _do_step(self, rid: int) -> None:
        self.stepped.emit(rid, self._generator().step(), False)

    def _do_choose(self, rid: int, token_id: int, replace: bool) -> None:
        session = self._generator()
        if replace:
            session.undo()
        self.stepped.emit(rid, session.step(choose=token_id), replace)

    def _do_undo(self, rid: int) -> None:
        self.undone.emit(rid, self._generator().undo())

    def _do_run(self, rid: int, count: int, cancel: threading.Event) -> None:
        steps = self._generator().run(count, cancel=cancel, on_step=lambda step: self.stepped.emit(rid, step, False))
        if cancel.is_set():
            reason = "stopped"
        elif steps and steps[-1].reason:
            reason = steps[-1].reason
        else:
            reason = "done"
        self.run_finished.emit(rid, len(steps), reason)

    def _require_session(self) -> Any:
        if self._session is None:
            raise ValueError("no model is loaded yet: pick one in the model list")
        return self._session

    def _generator(self) -> Any:
        session = self._require_session()
        if not self._info.can_generate:
            raise ValueError(f"{self._info.name} cannot generate text: it is a {self._info.kind} model")
        return session


class EngineClient(QObject):
    """The GUI side: sends requests, filters replies, owns the thread's lifetime."""

    catalog_listed = Signal(object, object)  # list[CatalogEntry], default name or None
    load_progressed = Signal(str, float)
    model_loaded = Signal(object)  # ModelInfo
    load_failed = Signal(str)
    analysed = Signal(object)  # AnalysisResult
    stepped = Signal(object, bool)  # StepResult, replaced the last step
    undone = Signal(object)  # AnalysisResult
    run_finished = Signal(int, str)  # steps, reason
    errored = Signal(str)  # message for the user
    state_changed = Signal()  # a request was sent or finished: busy / running / loading may differ

    _requested = Signal(object)

    def __init__(self, loader: Loader | None = None, catalog: Callable | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._next_id = 0
        self._latest = _Latest()
        self._pending: dict[int, str] = {}  # id -> op
        self._cancels: dict[int, threading.Event] = {}
        self._thread = QThread()
        self._thread.setObjectName("attnlab-engine")
        self._worker = EngineWorker(loader or engine_loader, self._latest, catalog or engine_catalog)
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._thread.started.connect(self._worker.lower_priority)
        self._requested.connect(self._worker.handle)
        w = self._worker
        w.progressed.connect(self._on_progressed)
        w.catalog_listed.connect(self._on_catalog)
        w.model_loaded.connect(self._on_loaded)
        w.analysed.connect(self._on_analysed)
        w.stepped.connect(self._on_stepped)
        w.undone.connect(self._on_undone)
        w.run_finished.connect(self._on_run_finished)
        w.errored.connect(self._on_errored)
        w.request_finished.connect(self._on_request_finished)
        _threads.add(self._thread)
        # Every call from Qt into a PySide object takes the GIL; with the engine thread running
        # Python, each take waits up to the switch interval (5 ms by default). Drawing one frame
        # takes it hundreds of times, so hand it over faster.
        if sys.getswitchinterval() > GIL_SWITCH_S:
            sys.setswitchinterval(GIL_SWITCH_S)
        self._thread.start()

    # -- requests ----------------------------------------------------------------------------

    def _send(self, op: str, **args: Any) -> int:
        self._next_id += 1
        rid = self._next_id
        if op in RESETTING_OPS:
            self._latest.value = rid
        self._pending[rid] = op
        self._requested.emit(Request(rid, op, args))
        self.state_changed.emit()
        return rid

    def list_catalog(self) -> int:
        return self._send("catalog")

    def load(self, spec: str, options: LoadOptions = LoadOptions()) -> int:
        return self._send("load", spec=spec, options=options)

    def set_sampling(self, config: SamplingConfig, max_new_tokens: int) -> int:
        return self._send("sampling", config=config, max_new_tokens=max_new_tokens)

    def analyse(self, text: str, masks: Masks = Masks(), source: str | None = None, replay: tuple[int, ...] = ()) -> int:
        """Analyse or prefill; `replay`: generated token ids to feed again after the prompt (generators)."""
        return self._send("analyse", text=text, masks=masks, source=source, replay=tuple(replay))

    def step(self) -> int:
        return self._send("step")

    def choose(self, token_id: int, replace: bool) -> int:
        """Take `token_id` as the next token, or instead of the last one when `replace`."""
        return self._send("choose", token_id=token_id, replace=replace)

    def undo(self) -> int:
        return self._send("undo")

    def run(self, count: int) -> int:
        cancel = threading.Event()
        rid = self._send("run", count=count, cancel=cancel)
        self._cancels[rid] = cancel
        return rid

    def stop(self) -> None:
        """Ask every queued or running generation to stop after its current step."""
        for event in self._cancels.values():
            event.set()

    def shutdown(self) -> None:
        """Cancel, quit and wait for the thread. Safe to call twice."""
        if not self._thread.isRunning():
            return
        self.stop()
        self._latest.value = self._next_id + 1  # queued session requests are skipped
        self._thread.quit()
        self._thread.wait()
        self._worker.release()

    # -- state -------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @property
    def running(self) -> bool:
        """A multi-step run is queued or in progress."""
        return "run" in self._pending.values()

    @property
    def loading(self) -> bool:
        return "load" in self._pending.values()

    @property
    def thread(self) -> QThread:
        return self._thread

    def _stale(self, rid: int) -> bool:
        return rid < self._latest.value

    # -- replies (GUI thread) ----------------------------------------------------------------

    def _on_progressed(self, rid: int, message: str, fraction: float) -> None:
        self.load_progressed.emit(message, fraction)

    def _on_catalog(self, rid: int, entries: object, default: object) -> None:
        self.catalog_listed.emit(entries, default)

    def _on_loaded(self, rid: int, info: ModelInfo) -> None:
        # Never dropped: loads run in order, so the last one received is the worker's model.
        self.model_loaded.emit(info)

    def _on_analysed(self, rid: int, result: object) -> None:
        if not self._stale(rid):
            self.analysed.emit(result)

    def _on_stepped(self, rid: int, step: object, replaced: bool) -> None:
        if not self._stale(rid):
            self.stepped.emit(step, replaced)

    def _on_undone(self, rid: int, result: object) -> None:
        if not self._stale(rid):
            self.undone.emit(result)

    def _on_run_finished(self, rid: int, count: int, reason: str) -> None:
        if not self._stale(rid):
            self.run_finished.emit(count, reason)

    def _on_errored(self, rid: int, op: str, message: str) -> None:
        if op == "load":
            self.load_failed.emit(message)
        elif not self._stale(rid):
            self.errored.emit(message)

    def _on_request_finished(self, rid: int) -> None:
        self._pending.pop(rid, None)
        self._cancels.pop(rid, None)
        self.state_changed.emit()
