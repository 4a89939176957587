"""The window's engine client: typed requests out, the window's signals back, wherever the engine runs.

The engine answers in its own process by default (attnlab.engine.server: a Unix socket, or ssh to
another machine; `ProcessEngine` in app/engine_process.py), or in a thread of this process (`ATTNLAB_ENGINE
=thread`, or a loader given in code: tests and scripts), where one `EngineWorker` QObject runs the same
handlers (attnlab.engine.server.handlers) in a QThread. Either way every request (a frozen dataclass,
attnlab.engine.api.requests) gets an id, and the engine answers through the same few replies:
`progressed` and `yielded` while long work goes on, then `returned` or `errored`, then `finished`. The
client turns those into the window's signals and drops replies that a newer analysis or load made
stale. Stopping a run is a cancel: an event the thread's engine checks between steps, or a message the
engine process reads at once. When the engine process dies, `engine_lost` says how and a new one starts.

Importing this module never pulls in torch: the handlers import it inside a load.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import os
import sys
import threading
import weakref
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

from attnlab.app.engine_messages import translate_engine_message
from attnlab.app.engine_process import ProcessEngine, engine_target, running_engines
from attnlab.app.requests import (
    Analyse,
    AttributeLogit,
    Choose,
    ExplainCause,
    ExplainCell,
    ExplainPrediction,
    ForgetLensRows,
    Latest,
    ListCatalog,
    Load,
    MeasureValues,
    ProbeInduction,
    Region,
    Request,
    Rollout,
    Run,
    ScoreHeads,
    SetSampling,
    SetStoreMode,
    Step,
    TraceFlow,
    Undo,
)
from attnlab.engine.api.attention_store import AttentionSnapshot
from attnlab.engine.api.config import LoadOptions, SamplingConfig, StoreMode
from attnlab.engine.api.consent import ConsentRequest
from attnlab.engine.api.messages import EngineMessage
from attnlab.engine.api.results import Masks
from attnlab.engine.server.handlers import Catalog, EngineHandlers, Loader, engine_catalog, engine_loader

log = logging.getLogger(__name__)

GIL_SWITCH_S = 0.0005
ENGINE_NICENESS = 5  # the engine thread yields the CPU to the GUI thread
COLLECT_MS = 250  # how often the GUI thread collects cyclic garbage while engine threads run

_engines: weakref.WeakSet[_EngineThread] = weakref.WeakSet()


def running_threads() -> list[Any]:
    """Engine threads (and links to engine processes) still running: tests fail when one is left behind."""
    threads: list[Any] = [e.thread for e in list(_engines) if e.thread.isRunning()]
    return threads + running_engines()


@atexit.register
def _stop_engines() -> None:
    """A window that never closed (its constructor failed, a script forgot) still stops its thread
    before the interpreter tears Qt down; otherwise Qt aborts the process over a running QThread."""
    for engine in list(_engines):
        engine.stop()
    for process in running_engines():
        process.stop()


class _GuiThreadCollector:
    """While engine threads run, cyclic garbage is collected on the GUI thread only.

    CPython collects cycles in whichever thread happens to allocate. A Python-owned Qt object
    (pyqtgraph's helpers hold QTimers, for one) freed that way from the engine thread stops its
    timers from the wrong thread, and Qt crashes. So automatic collection is off while any engine
    thread runs, and a timer on the GUI thread collects by the same thresholds instead. Automatic
    collection comes back on that timer's next turn after the last engine thread stopped: from the
    event loop, never inside a Qt destructor (a window deleted without closing stops its thread
    there, and a collection freeing other Qt objects inside a destructor deadlocks on Qt's locks).
    """

    def __init__(self) -> None:
        self._users = 0
        self._timer: QTimer | None = None

    def acquire(self) -> None:
        self._users += 1
        application = QCoreApplication.instance()
        if application is None:
            return
        gc.disable()
        if self._timer is None:
            self._timer = QTimer(application)
            self._timer.timeout.connect(self._collect)
        if not self._timer.isActive():
            self._timer.start(COLLECT_MS)

    def release(self) -> None:
        self._users -= 1  # the timer turns automatic collection back on when it sees no users

    def _collect(self) -> None:
        if self._users == 0:
            gc.enable()
            if self._timer is not None:
                self._timer.stop()
            return
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] >= thresholds[generation]:
                gc.collect(generation)
                return


_collector = _GuiThreadCollector()


class EngineWorker(QObject):
    """Lives in the engine thread: the engine server's handlers, answering through Qt signals."""

    progressed = Signal(int, object, float)  # request id, EngineMessage, fraction (< 0: unknown)
    yielded = Signal(int, object)  # request id, a partial result (a run's StepResult)
    returned = Signal(int, object)  # request id, the request's result
    errored = Signal(int, object)  # request id, EngineMessage for the user (translated by the client)
    finished = Signal(int)  # request id: sent after every request, whatever happened

    def __init__(self, loader: Loader, latest: Latest, catalog: Catalog, closing: threading.Event):
        super().__init__()
        self._handlers = EngineHandlers(_SignalReplies(self), latest, closing, loader, catalog)

    @Slot()
    def lower_priority(self) -> None:
        """Let the GUI thread win the CPU from this one (Linux nice values are per thread)."""
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), ENGINE_NICENESS)

    @Slot(int, object)
    def handle(self, rid: int, request: Request) -> None:
        self._handlers.handle(rid, request)

    def release(self) -> None:
        """Drop the model (call once the thread has finished)."""
        self._handlers.release()


class _SignalReplies:
    """The handlers' replies as the worker's signals (queued to the GUI thread)."""

    def __init__(self, worker: EngineWorker):
        self.progressed = worker.progressed.emit
        self.yielded = worker.yielded.emit
        self.returned = worker.returned.emit
        self.errored = worker.errored.emit
        self.finished = worker.finished.emit


class _EngineThread:
    """The thread and worker of one client, and how to stop them; a plain object, so that it can
    stop the thread even while (or after) the client's Qt object is being destroyed."""

    def __init__(self, worker: EngineWorker, latest: Latest, closing: threading.Event):
        self.thread = QThread()
        self.thread.setObjectName("attnlab-engine")
        self.worker = worker
        self.latest = latest
        self.closing = closing
        self.cancels: dict[int, threading.Event] = {}
        worker.moveToThread(self.thread)
        self.thread.finished.connect(worker.deleteLater)
        self.thread.started.connect(worker.lower_priority)
        _engines.add(self)
        _collector.acquire()
        self._stopped = False

    def stop(self) -> None:
        """Cancel what runs, skip what is queued, quit and wait for the thread. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self.closing.set()  # a load stops at its next progress report
        for event in self.cancels.values():
            event.set()
        self.latest.value = sys.maxsize  # queued session requests are skipped
        self.thread.quit()
        self.thread.wait()
        self.worker.release()
        _collector.release()


class _Engines:
    """The client's engine (a thread, or a link to a process that a death replaces); a plain object, so
    that it can stop them while (or after) the client's Qt object is being destroyed."""

    def __init__(self, cancels: dict[int, threading.Event]):
        self.thread: _EngineThread | None = None
        self.process: ProcessEngine | None = None
        self.cancels = cancels
        self.stopped = False

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        if self.thread is not None:
            self.thread.stop()
        if self.process is not None:
            for event in self.cancels.values():
                event.set()
            self.process.stop()
            _collector.release()


class EngineClient(QObject):
    """The GUI side: sends requests, turns replies into signals, owns the thread's lifetime.

    The thread stops on `shutdown()` (the window calls it when closing) and, failing that, when
    this object is destroyed, whatever the window was doing.
    """

    catalog_listed = Signal(object, object)  # list[CatalogEntry], default name or None
    tokens_previewed = Signal(object)  # TokenPreview: a load's tokens from the tokenizer alone, model still loading
    load_progressed = Signal(str, float)
    model_loaded = Signal(object)  # ModelInfo
    load_failed = Signal(str)
    consent_needed = Signal(object)  # ConsentRequest: the load (also failed) needs the user's yes for that model
    analysed = Signal(object)  # AnalysisResult
    stepped = Signal(object, bool)  # StepResult, replaced the last step
    undone = Signal(object)  # AnalysisResult
    run_finished = Signal(int, str)  # steps, reason
    cell_explained = Signal(object)  # CellExplanation
    heads_scored = Signal(object)  # HeadScores of a snapshot the window sent; None: skipped for newer work
    rollout_computed = Signal(object)  # StackRollout; None: skipped for newer work
    induction_probed = Signal(object)  # HeadScores of the induction probe (snapshot None)
    scoring_failed = Signal(str, str)  # "heads" | "rollout" | "probe" | "region", message (also sent as errored)
    region_computed = Signal(object)  # RegionWeights: exact weights of a long document's region
    prediction_explained = Signal(object)  # LensResult or HeadImportance
    values_measured = Signal(int, object)  # ticket, ValueNorms: the contribution colours of the current input
    information_traced = Signal(object)  # LogitAttribution or FlowGraph
    prediction_progressed = Signal(str, float)  # the exact importance map's progress
    cause_explained = Signal(object)  # Attribution, PatchingResult (partial ones too), PatchedRun; None: cancelled
    cause_progressed = Signal(str, float)  # attribution's and patching's progress
    scoring_progressed = Signal(str, float)  # head scores' progress (long mode: rows recomputed)
    analysis_progressed = Signal(str, float)  # how much of the text an analysis has read
    sampling_applied = Signal(object)  # whether the generation so far has ended now (None: none yet)
    errored = Signal(str)  # message for the user
    analysis_failed = Signal(str)  # an analysis errored (also sent as errored): the views show an older text
    state_changed = Signal()  # a request was sent or finished: busy / running / loading may differ
    engine_lost = Signal(object, str)  # EngineMessage: how the engine process died, during what ("load", "step"…)
    engine_failed = Signal(object)  # EngineMessage: the engine could not be started or reached (ssh, version…)

    _requested = Signal(int, object)

    def __init__(
        self,
        loader: Loader | None = None,
        catalog: Catalog | None = None,
        parent: QObject | None = None,
        target: str | None = None,
    ):
        """target: where the engine runs (None: ATTNLAB_ENGINE, else this user's engine process; "thread";
        "private"; "ssh://[user@]host[:port]"). A loader or catalog given in code runs in a thread."""
        super().__init__(parent)
        self._next_id = 0
        self._latest = Latest()
        self._pending: dict[int, Request] = {}
        self._cancels: dict[int, threading.Event] = {}
        self._target = engine_target(target)
        self.engine_deaths = 0  # how many times the engine process died under this client
        self._engines = _Engines(self._cancels)
        if loader is not None or catalog is not None or self._target == "thread":
            self._engines.thread = self._start_thread(loader, catalog)
        else:
            self._engines.process = ProcessEngine(self, self._target)
            _collector.acquire()  # the link's threads allocate too: cycles are collected on the GUI thread
        self.destroyed.connect(self._engines.stop)  # deleted without shutdown(): the engine still stops

    @property
    def _thread_engine(self) -> _EngineThread | None:
        return self._engines.thread

    @property
    def _process(self) -> ProcessEngine | None:
        return self._engines.process

    def _start_thread(self, loader: Loader | None, catalog: Catalog | None) -> _EngineThread:
        closing = threading.Event()
        worker = EngineWorker(loader or engine_loader, self._latest, catalog or engine_catalog, closing)
        engine = _EngineThread(worker, self._latest, closing)
        engine.cancels = self._cancels
        self._requested.connect(worker.handle)
        worker.progressed.connect(self._on_progressed)
        worker.yielded.connect(self._on_yielded)
        worker.returned.connect(self._on_returned)
        worker.errored.connect(self._on_errored)
        worker.finished.connect(self._on_finished)
        # Every call from Qt into a PySide object takes the GIL; with the engine thread running
        # Python, each take waits up to the switch interval (5 ms by default). Drawing one frame
        # takes it hundreds of times, so hand it over faster.
        if sys.getswitchinterval() > GIL_SWITCH_S:
            sys.setswitchinterval(GIL_SWITCH_S)
        engine.thread.start()
        return engine

    # -- requests ----------------------------------------------------------------------------

    def send(self, request: Request) -> int:
        """Queue `request` for the engine thread; returns its id."""
        self._next_id += 1
        rid = self._next_id
        if request.resets:
            self._latest.value = rid
        self._latest.sent = rid
        if isinstance(request, (Run, ExplainPrediction, ExplainCause)):
            self._cancels[rid] = request.cancel
        if isinstance(request, (Load, Analyse, Step, Choose, Undo, Run)):
            self._stop_lens()  # what the user asked for goes first: a lens in progress gives way
        self._pending[rid] = request
        if self._process is not None:
            self._process.submit(rid, request)
        else:
            self._requested.emit(rid, request)
        self.state_changed.emit()
        return rid

    def list_catalog(self) -> int:
        return self.send(ListCatalog())

    def load(self, spec: str, options: LoadOptions = LoadOptions(), preview: dict[str, str] | None = None) -> int:
        """preview: the strip's text per model kind, to show its tokens before the model is loaded."""
        return self.send(Load(spec, options, tuple((preview or {}).items())))

    def set_sampling(self, config: SamplingConfig) -> int:
        return self.send(SetSampling(config))

    def analyse(
        self, text: str, masks: Masks = Masks(), source: str | None = None, replay: tuple[int, ...] = ()
    ) -> int:
        """Analyse or prefill; `replay`: generated token ids to feed again after the prompt (generators)."""
        return self.send(Analyse(text, masks, source, tuple(replay)))

    def step(self) -> int:
        return self.send(Step())

    def choose(self, token_id: int, replace: bool) -> int:
        """Take `token_id` as the next token, or instead of the last one when `replace`."""
        return self.send(Choose(token_id, replace))

    def undo(self) -> int:
        return self.send(Undo())

    def run(self, count: int) -> int:
        return self.send(Run(count))

    def explain_cell(self, stack: str, layer: int, head: int, query: int, key: int) -> int:
        """The numbers behind one attention weight; a newer analysis makes the request stale."""
        return self.send(ExplainCell(stack, layer, head, query, key))

    def score_heads(self, stack: str, snapshot: AttentionSnapshot, token_ids: tuple[int, ...]) -> int:
        """Fingerprints of every head of `stack` in `snapshot`; `token_ids` along its axes."""
        return self.send(ScoreHeads(stack, snapshot, tuple(token_ids)))

    def rollout(self, stack: str, snapshot: AttentionSnapshot) -> int:
        return self.send(Rollout(stack, snapshot))

    def probe_induction(self) -> int:
        return self.send(ProbeInduction())

    def set_store_mode(self, mode: StoreMode) -> int:
        """ "auto" (the window's), "exact" or "long": how analyses from now on keep attention."""
        return self.send(SetStoreMode(mode))

    def region(self, layer: int, head: int, queries: tuple[int, int], keys: tuple[int, int], view: int = 0) -> int:
        """Exact decoder weights of one head over a region (long-document mode); a newer analysis drops it.
        `view` comes back with the weights."""
        return self.send(Region(layer, head, queries, keys, view))

    def explain_prediction(self, what: str, k: int = 5, positions: int | None = None) -> int:
        """The logit lens ("lens", of the last `positions` tokens) or head importance ("estimate",
        "exact") of the current prediction."""
        return self.send(ExplainPrediction(what, k, positions))

    def forget_lens_rows(self) -> int:
        """Nothing shows the lens any more: the engine's steps stop keeping their rows for it."""
        return self.send(ForgetLensRows())

    def measure_values(self, stack: str, ticket: int = 0) -> int:
        return self.send(MeasureValues(stack, ticket))

    def attribute_logit(self, alternative: int | None = None) -> int:
        return self.send(AttributeLogit(alternative))

    def trace_flow(self, floor: float) -> int:
        return self.send(TraceFlow(floor))

    def explain_cause(self, request: ExplainCause) -> int:
        """Attribution, patching maps or one patched run of the current prediction (see `ExplainCause`)."""
        return self.send(request)

    def stop(self) -> None:
        """Ask every queued or running generation (or importance map) to stop after its current step."""
        for rid, event in self._cancels.items():
            event.set()
            if self._process is not None:
                self._process.cancel(rid)  # read by the engine at once, between its steps

    def _stop_lens(self) -> None:
        for rid, request in self._pending.items():
            if isinstance(request, ExplainPrediction) and request.what == "lens" and not request.cancel.is_set():
                request.cancel.set()
                if self._process is not None:
                    self._process.cancel(rid)  # the engine process holds its own flag: told at once

    def shutdown(self) -> None:
        """Cancel, quit and wait for the thread (or close the link to the engine). Safe to call twice."""
        self._engines.stop()

    # -- state -------------------------------------------------------------------------------

    def superseded(self, rid: int) -> bool:
        """A newer analysis or load was sent after request `rid`: what it answers is about an older input."""
        return self._latest.superseded(rid)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @property
    def running(self) -> bool:
        """A multi-step run is queued or in progress."""
        return any(isinstance(r, Run) for r in self._pending.values())

    @property
    def loading(self) -> bool:
        return any(isinstance(r, Load) for r in self._pending.values())

    @property
    def engine_thread(self) -> Any:
        """The engine's QThread, or the link to the engine process (isRunning, quit, wait like one)."""
        return self._thread_engine.thread if self._thread_engine is not None else self._process

    @property
    def engine_process(self) -> ProcessEngine | None:
        """The link to the engine process (None: the engine runs in a thread here)."""
        return self._process

    # -- replies (GUI thread) ----------------------------------------------------------------

    def _current(self, rid: int) -> Request | None:
        """The request `rid` answers, or None when its reply is no longer wanted."""
        request = self._pending.get(rid)
        return None if request is None or self._latest.stale(rid, request) else request

    def _on_progressed(self, rid: int, stage: EngineMessage, fraction: float) -> None:
        request = self._current(rid)
        text = translate_engine_message(stage)  # the engine speaks codes; the window, the user's language
        if isinstance(request, Load):
            self.load_progressed.emit(text, fraction)
        elif isinstance(request, ExplainPrediction):
            self.prediction_progressed.emit(text, fraction)
        elif isinstance(request, ExplainCause):
            self.cause_progressed.emit(text, fraction)
        elif isinstance(request, ScoreHeads):
            self.scoring_progressed.emit(text, fraction)
        elif isinstance(request, Analyse):
            self.analysis_progressed.emit(text, fraction)

    def _on_yielded(self, rid: int, partial: object) -> None:
        request = self._current(rid)
        if isinstance(partial, ConsentRequest):
            if rid == self._latest.value:  # a newer load makes the question moot
                self.consent_needed.emit(partial)
        elif isinstance(request, Run):
            self.stepped.emit(partial, False)
        elif isinstance(request, ExplainCause):
            self.cause_explained.emit(partial)
        elif isinstance(request, Load) and rid == self._latest.value:  # no newer load was asked for
            self.tokens_previewed.emit(partial)

    def _on_returned(self, rid: int, result: Any) -> None:
        request = self._current(rid)
        if isinstance(request, ListCatalog):
            self.catalog_listed.emit(list(result.entries), result.default)
        elif isinstance(request, Load):
            self.model_loaded.emit(result)
        elif isinstance(request, Analyse):
            self.analysed.emit(result)
        elif isinstance(request, (Step, Choose)):
            self.stepped.emit(result, isinstance(request, Choose) and request.replace)
        elif isinstance(request, Undo):
            self.undone.emit(result)
        elif isinstance(request, Run):
            self.run_finished.emit(result.steps, result.reason)
        elif isinstance(request, SetSampling):
            self.sampling_applied.emit(result.finished)
        elif isinstance(request, ExplainCell):
            self.cell_explained.emit(result)
        elif isinstance(request, ScoreHeads):
            self.heads_scored.emit(result)
        elif isinstance(request, Rollout):
            self.rollout_computed.emit(result)
        elif isinstance(request, ProbeInduction):
            self.induction_probed.emit(result)
        elif isinstance(request, ExplainPrediction):
            self.prediction_explained.emit(result)
        elif isinstance(request, ExplainCause):
            self.cause_explained.emit(result)
        elif isinstance(request, Region):
            self.region_computed.emit(result)
        elif isinstance(request, MeasureValues):
            self.values_measured.emit(request.ticket, result)
        elif isinstance(request, (AttributeLogit, TraceFlow)):
            self.information_traced.emit(result)

    def _on_errored(self, rid: int, error: EngineMessage) -> None:
        message = translate_engine_message(error)  # the engine speaks codes; the window, the user's language
        request = self._current(rid)
        if isinstance(request, Load):
            self.load_failed.emit(message)
        elif request is not None:
            self.errored.emit(message)
            if isinstance(request, Analyse):
                self.analysis_failed.emit(message)
            elif isinstance(request, (ScoreHeads, Rollout, ProbeInduction, Region)):
                kinds = {ScoreHeads: "heads", Rollout: "rollout", ProbeInduction: "probe", Region: "region"}
                kind = kinds[type(request)]
                self.scoring_failed.emit(kind, message)

    def _on_finished(self, rid: int) -> None:
        self._pending.pop(rid, None)
        self._cancels.pop(rid, None)
        self.state_changed.emit()

    def _on_lost(self, reason: EngineMessage) -> None:
        """The engine process died or could not be reached: what was pending is gone, a new engine starts
        (when the old one had answered: one that never did would fail again), and the window is told."""
        if self._engines.stopped or self._process is None:
            return
        moment = _moment(self._pending.values())
        connected = self._process.link.pid is not None
        self._pending.clear()
        for event in self._cancels.values():
            event.set()
        self._cancels.clear()
        self._process.stop()
        if connected:
            self.engine_deaths += 1
            self._engines.process = ProcessEngine(self, self._target)
            self.engine_lost.emit(reason, moment)
        else:
            self.engine_failed.emit(reason)
        self.state_changed.emit()


def _moment(pending: Iterable[Request]) -> str:
    """What the engine was doing, from the requests still pending: "load", "run", "step", "analysis"…"""
    kinds = [type(request) for request in pending]
    for kind, moment in ((Load, "load"), (Run, "run"), (Analyse, "analysis")):
        if kind in kinds:
            return moment
    if any(kind in (Step, Choose, Undo) for kind in kinds):
        return "step"
    return "analysis" if kinds else "idle"
