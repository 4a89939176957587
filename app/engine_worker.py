"""The engine thread: one worker QObject in one QThread owns the model and the session.

The GUI talks to it through `EngineClient`: every request (a frozen dataclass, app/requests.py)
gets an id and travels as a queued signal. Whatever the request, the worker answers through the
same few signals: `progressed` and `yielded` while long work goes on, then `returned` or
`errored`, then `finished`. The client turns those into the window's signals and drops replies
that a newer analysis or load made stale. Cancelling a run is a `threading.Event` the GUI sets
directly; the engine checks it between steps.

This is the only app module that touches engine sessions and loading, and it imports them
inside the worker's slots, so importing the GUI never pulls in torch.
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
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

from attnlab.app.engine_messages import translate_engine_message
from attnlab.app.raw_errors import plain_error
from attnlab.app.requests import (
    Analyse,
    AttributeLogit,
    CatalogListing,
    Choose,
    ExplainCause,
    ExplainCell,
    ExplainPrediction,
    Latest,
    LensSkipped,
    ListCatalog,
    Load,
    MeasureValues,
    ProbeInduction,
    Region,
    RegionWeights,
    Request,
    Rollout,
    Run,
    RunSummary,
    SamplingApplied,
    ScoreHeads,
    SetSampling,
    SetStoreMode,
    Step,
    TokenPreview,
    TraceFlow,
    Undo,
)
from attnlab.engine.api.attention_store import AttentionSnapshot
from attnlab.engine.api.config import LoadOptions, Progress, SamplingConfig, StoreMode
from attnlab.engine.api.consent import ConsentNeeded, ConsentRequest
from attnlab.engine.api.errors import Cancelled, EngineError
from attnlab.engine.api.messages import LEGACY, EngineMessage, as_message, message
from attnlab.engine.api.results import CatalogEntry, Masks, ModelInfo
from attnlab.engine.api.user_dirs import log_file

if TYPE_CHECKING:  # the sessions import torch: only the engine thread loads them, in engine_loader
    from attnlab.engine.session.sessions import EncoderSession, GenerationSession, Session

log = logging.getLogger(__name__)

# (spec, options, progress) -> (model info, session); runs in the engine thread.
Loader = Callable[[str, LoadOptions, Progress], "tuple[ModelInfo, Session]"]
Catalog = Callable[[], tuple[list[CatalogEntry], str | None]]

GIL_SWITCH_S = 0.0005
ENGINE_NICENESS = 5  # the engine thread yields the CPU to the GUI thread
COLLECT_MS = 250  # how often the GUI thread collects cyclic garbage while engine threads run

_engines: weakref.WeakSet[_EngineThread] = weakref.WeakSet()


def running_threads() -> list[QThread]:
    """Engine threads still running (tests fail when one is left behind)."""
    return [e.thread for e in list(_engines) if e.thread.isRunning()]


@atexit.register
def _stop_engines() -> None:
    """A window that never closed (its constructor failed, a script forgot) still stops its thread
    before the interpreter tears Qt down; otherwise Qt aborts the process over a running QThread."""
    for engine in list(_engines):
        engine.stop()


def engine_loader(spec: str, options: LoadOptions, progress: Progress) -> tuple[ModelInfo, Session]:
    """The real loader: imports torch and transformers, so it only ever runs in the worker."""
    from attnlab.engine.models.startup import import_engine

    import_engine(spec)  # torch, transformers, the model's code: most of a first load's time, clocked
    quiet_length_warning()
    from attnlab.engine.models.catalog import remember_recent
    from attnlab.engine.session.opening import open_session

    # options.threads: the GUI starts the engine, it leaves a core for itself; "auto": exact attention
    # while it fits memory, the long-document overview beyond
    session = open_session(spec, options, progress, store_mode="auto")
    if session.loaded.recent_path is not None:
        remember_recent(session.loaded.recent_path)
    return session.info, session


def _generator_of(session: Session | None, info: ModelInfo | None) -> GenerationSession | None:
    """The session as a generator, None for an encoder's (or none). Told by the model's kind, as make_session
    chose the class, not by isinstance: the window's tests run this thread on fake sessions without torch."""
    if session is None or info is None or info.kind == "encoder":
        return None
    return cast("GenerationSession", session)


class _LongTextWarning(logging.Filter):
    """transformers warns on stderr when a text has more tokens than the model takes; the window
    says so itself (the engine refuses the text with a message), so the console stays quiet."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Token indices sequence length")


_long_text_warning = _LongTextWarning()


def quiet_length_warning() -> None:
    logging.getLogger("transformers.tokenization_utils_base").addFilter(_long_text_warning)  # once: a set


def engine_catalog() -> tuple[list[CatalogEntry], str | None]:
    """(catalog entries, default model name); an unavailable catalog is an empty one."""
    try:
        from attnlab.engine.models.catalog import default_model, list_models
    except ImportError:
        return [], None
    entries = list_models()
    try:
        default = default_model()
    except Exception:  # noqa: BLE001 - no default is not an error worth showing
        default = None
    return entries, default


class _Closing(Exception):
    """Raised inside a load when its window is closing: nothing is reported."""


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
    """Lives in the engine thread. Builds the model inside a slot, never in __init__."""

    progressed = Signal(int, object, float)  # request id, EngineMessage, fraction (< 0: unknown)
    yielded = Signal(int, object)  # request id, a partial result (a run's StepResult)
    returned = Signal(int, object)  # request id, the request's result
    errored = Signal(int, object)  # request id, EngineMessage for the user (translated by the client)
    finished = Signal(int)  # request id: sent after every request, whatever happened

    def __init__(self, loader: Loader, latest: Latest, catalog: Catalog, closing: threading.Event):
        super().__init__()
        self._loader = loader
        self._catalog = catalog
        self._latest = latest
        self._closing = closing
        self._info: ModelInfo | None = None
        self._session: Session | None = None
        self._sampling = SamplingConfig()
        # set by SetStoreMode for every session from then on; None: the loader's
        self._store_mode: StoreMode | None = None
        self._refused = False  # the last analysis failed: its text is not the prompt a step would continue
        self._handlers: dict[type[Request], Callable[[int, Any], object]] = {
            ListCatalog: self._list_catalog,
            Load: self._load,
            SetSampling: self._set_sampling,
            Analyse: self._analyse,
            Step: self._step,
            Choose: self._choose,
            Undo: self._undo,
            Run: self._run,
            ExplainCell: self._explain_cell,
            ScoreHeads: self._score_heads,
            Rollout: self._rollout,
            ProbeInduction: self._probe_induction,
            ExplainPrediction: self._explain_prediction,
            ExplainCause: self._explain_cause,
            SetStoreMode: self._set_store_mode,
            Region: self._region,
            MeasureValues: lambda rid, request: measure_values(self._require_session()[0], request),
            AttributeLogit: lambda rid, request: attribute_logit(self._require_session()[0], request),
            TraceFlow: lambda rid, request: trace_flow(self._require_session()[0], request),
        }

    @Slot()
    def lower_priority(self) -> None:
        """Let the GUI thread win the CPU from this one (Linux nice values are per thread)."""
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), ENGINE_NICENESS)

    @Slot(int, object)
    def handle(self, rid: int, request: Request) -> None:
        try:
            if not self._latest.stale(rid, request):  # else superseded: a newer analysis or load sets the state
                self.returned.emit(rid, self._handlers[type(request)](rid, request))
        except _Closing:
            pass
        except (ValueError, MemoryError, OverflowError) as error:  # EngineError is a ValueError
            if isinstance(error, OverflowError):
                log.warning("engine request %s overflowed", type(request).__name__, exc_info=True)
            if isinstance(error, ConsentNeeded):  # the window asks the user, then loads again
                self.yielded.emit(rid, error.request)
            coded = as_message(error)
            self.errored.emit(rid, coded if coded.code != LEGACY else as_message(plain_error(error)))
        except Exception as error:
            log.exception("engine request %s failed", type(request).__name__)
            unexpected = message("unexpected_error", type=type(error).__name__, error=str(error), path=str(log_file()))
            self.errored.emit(rid, unexpected)
        finally:
            self.finished.emit(rid)

    def release(self) -> None:
        """Drop the model (call once the thread has finished)."""
        self._session = None
        self._info = None

    # -- one handler per request -------------------------------------------------------------

    def _list_catalog(self, rid: int, request: ListCatalog) -> CatalogListing:
        entries, default = self._catalog()
        return CatalogListing(tuple(entries), default)

    def _load(self, rid: int, request: Load) -> ModelInfo:
        def report(stage: EngineMessage, fraction: float) -> None:
            if self._closing.is_set():
                raise _Closing
            self.progressed.emit(rid, stage, fraction)

        if request.preview:
            self._preview_tokens(rid, request)
        info, session = self._loader(request.spec, request.options, report)
        generator = _generator_of(session, info)
        if generator is not None:
            generator.set_sampling(self._sampling)
            if self._store_mode is not None:
                generator.store_mode = self._store_mode
        self._info, self._session = info, session  # only now: a failed load keeps the old model
        self._refused = False  # a new session holds no prompt: it says so itself
        return info

    def _preview_tokens(self, rid: int, request: Load) -> None:
        """Send the strip's tokens from the tokenizer alone, before the loader imports torch (seconds)."""
        try:
            from attnlab.engine.models.fast_tokens import preview_tokens

            found = preview_tokens(request.spec, dict(request.preview))
        except Exception:
            log.debug("no early tokens for %s", request.spec, exc_info=True)
            return
        if found is not None:
            self.yielded.emit(rid, TokenPreview(*found))

    def _set_sampling(self, rid: int, request: SetSampling) -> SamplingApplied:
        self._sampling = request.config
        generator = _generator_of(self._session, self._info)
        if generator is not None:
            generator.set_sampling(request.config)  # a new max_new_tokens may end or reopen generation
            if generator.token_ids:
                return SamplingApplied(generator.finished)
        return SamplingApplied(None)

    def _set_store_mode(self, rid: int, request: SetStoreMode) -> None:
        self._store_mode = request.mode
        generator = _generator_of(self._session, self._info)
        if generator is not None:
            generator.store_mode = request.mode  # from the next analysis on

    def _region(self, rid: int, request: Region) -> RegionWeights:
        session = self._generator()
        rows = len(session.token_ids)  # an undo may have come first: the region is cut to what is there now

        def cut(span: tuple[int, int]) -> tuple[int, int]:
            return min(max(span[0], 0), rows), min(max(span[1], 0), rows)

        request = replace(request, queries=cut(request.queries), keys=cut(request.keys))
        weights = session.region(request.layer, request.head, range(*request.queries), range(*request.keys))
        return RegionWeights(request, weights)

    def _analyse(self, rid: int, request: Analyse) -> object:
        self._refused = True  # until this one succeeds
        result = self._analyse_text(rid, request)
        self._refused = False
        return result

    def _continued(self) -> Any:
        """The session to step, unless the text in the window was refused (the previous prompt would go on)."""
        if self._refused:
            raise EngineError("not_analysed")
        return self._generator()

    def _analyse_text(self, rid: int, request: Analyse) -> object:
        session, info = self._require_session()
        generator = _generator_of(session, info)
        if generator is None:  # an encoder's: the kind says so, as in _generator_of
            encoder = cast("EncoderSession", session)
            return encoder.analyse(request.text, request.masks, top_k=self._sampling.candidates)

        def report(stage: EngineMessage, fraction: float) -> None:  # a long text takes minutes: say how far it got
            self.progressed.emit(rid, stage, fraction)

        return generator.prefill(
            request.text, request.masks, source=request.source, replay=request.replay, progress=report
        )

    def _step(self, rid: int, request: Step) -> object:
        return self._continued().step()

    def _choose(self, rid: int, request: Choose) -> object:
        session = self._continued()
        if request.replace:
            session.undo()
        return session.step(choose=request.token_id)

    def _undo(self, rid: int, request: Undo) -> object:
        return self._generator().undo()

    def _run(self, rid: int, request: Run) -> RunSummary:
        def on_step(step: Any) -> None:
            self.yielded.emit(rid, step)
            self.progressed.emit(rid, EngineMessage(LEGACY, (("text", repr(step.text)),)), -1.0)  # a token, as is

        steps = self._continued().run(request.count, cancel=request.cancel, on_step=on_step)
        if request.cancel.is_set():
            reason = "stopped"
        elif steps and steps[-1].reason:
            reason = steps[-1].reason
        else:
            reason = "done"
        return RunSummary(len(steps), reason)

    def _explain_cell(self, rid: int, request: ExplainCell) -> object:
        from attnlab.engine.interpret.inspector import explain_cell

        session, _info = self._require_session()
        return explain_cell(session, request.stack, request.layer, request.head, request.query, request.key)

    def _score_heads(self, rid: int, request: ScoreHeads) -> object:
        from attnlab.engine.analyses.head_scores import head_scores

        if self._latest.queued_after(rid):  # the window asks again once the newer work is done
            return None
        if self._long_mode(request.stack, request.snapshot):
            return self._score_long_heads(rid, request)
        return head_scores(request.snapshot, request.stack, request.token_ids)

    def _score_long_heads(self, rid: int, request: ScoreHeads) -> object:
        """Long mode: from rows recomputed a block at a time (seconds at 8k tokens), with progress; given up
        (None, asked again) as soon as other work is queued, so scoring never makes stepping wait."""
        from attnlab.engine.long.rows import long_head_scores

        session, cancel = self._generator(), threading.Event()
        if len(request.token_ids) != len(session.token_ids):  # of a state the session has left: asked again
            return None

        def report(stage: EngineMessage, fraction: float) -> None:
            if self._closing.is_set():
                raise _Closing
            self.progressed.emit(rid, stage, fraction)
            if self._latest.queued_after(rid):
                cancel.set()

        try:
            return long_head_scores(session, request.snapshot, request.token_ids, report, cancel)
        except Cancelled:
            return None

    def _rollout(self, rid: int, request: Rollout) -> object:
        from attnlab.engine.analyses.head_scores import stack_rollout

        if self._latest.queued_after(rid):
            return None
        if self._long_mode(request.stack, request.snapshot):  # answered as an error: the panel says it
            from attnlab.engine.long.rows import rollout_unavailable

            raise rollout_unavailable(len(self._generator().token_ids))
        return stack_rollout(request.snapshot, request.stack)

    def _long_mode(self, stack: str, snapshot: AttentionSnapshot) -> bool:
        """Whether `stack` of `snapshot` is the session's decoder in long-document mode (not in the store)."""
        generator = _generator_of(self._session, self._info)
        return stack not in snapshot.stacks and generator is not None and generator.long_mode

    def _probe_induction(self, rid: int, request: ProbeInduction) -> object:
        from attnlab.engine.interpret.probe_run import run_induction_probe

        self.progressed.emit(rid, message("running_induction_probe"), -1.0)
        return run_induction_probe(self._require_session()[0].loaded)

    def _explain_prediction(self, rid: int, request: ExplainPrediction) -> object:
        from attnlab.engine.interpret.importance import head_importance
        from attnlab.engine.interpret.lens import logit_lens

        session, _info = self._require_session()
        if request.what == "lens":  # never makes a step wait: the client cancels it when the user asks for more
            if request.cancel.is_set():  # (a step, an undo, a new text sent after it: see EngineClient.send)
                return LensSkipped()
            try:
                return logit_lens(session, request.k, request.positions, cancel=request.cancel)
            except Cancelled:
                return LensSkipped()

        def report(stage: EngineMessage, fraction: float) -> None:
            if self._closing.is_set():
                raise _Closing
            if self._latest.superseded(rid):  # the input changed: the map would explain an older prediction
                request.cancel.set()
            self.progressed.emit(rid, stage, fraction)

        try:
            return head_importance(session, exact=request.what == "exact", progress=report, cancel=request.cancel)
        except Cancelled:
            return None  # stopped by the user or by a newer input: nothing to show, nothing went wrong

    def _explain_cause(self, rid: int, request: ExplainCause) -> object:
        """Attribution, patching maps (each partial map yielded) or one patched run; None when cancelled."""
        from attnlab.engine.interpret import attribution, patching

        session, _info = self._require_session()

        def report(message: EngineMessage, fraction: float) -> None:
            if self._closing.is_set():
                raise _Closing
            if self._latest.superseded(rid):  # the input changed: the answer would be about an older one
                request.cancel.set()
            self.progressed.emit(rid, message, fraction)

        try:
            if request.what == "attribution":
                target = attribution.Target(token=request.target)
                return attribution.attribute(
                    session, target, True, request.baseline, request.max_steps, report, request.cancel
                )
            if request.corruption is None:
                raise ValueError("activation patching needs a corrupted run: choose what to corrupt first")
            if request.what == "cell":
                return patching.patched_run(
                    session, request.corruption, request.site, request.layer, request.index, request.target
                )
            return patching.patch(
                session,
                request.corruption,
                target=request.target,
                progress=report,
                cancel=request.cancel,
                partial=lambda result: self.yielded.emit(rid, result),
            )
        except Cancelled:
            return None

    def _require_session(self) -> tuple[Session, ModelInfo]:
        if self._session is None or self._info is None:
            raise EngineError("no_model_loaded")
        return self._session, self._info

    def _generator(self) -> GenerationSession:
        session, info = self._require_session()
        generator = _generator_of(session, info)
        if generator is None or not info.can_generate:
            raise EngineError("cannot_generate_kind", model=info.name, kind=info.kind)
        return generator


def measure_values(session: Any, request: MeasureValues) -> object:
    """The contribution colours' norms (self-contained: the worker may move to its own process)."""
    from attnlab.engine.interpret.contributions import measure

    return measure(session, request.stack)[0]  # type: ignore[arg-type]


def attribute_logit(session: Any, request: AttributeLogit) -> object:
    from attnlab.engine.interpret.logit_attribution import logit_attribution

    return logit_attribution(session, alternative=request.alternative)


def trace_flow(session: Any, request: TraceFlow) -> object:
    from attnlab.engine.interpret.flow import flow_graph

    return flow_graph(session, threshold=request.floor, floor=request.floor)


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

    _requested = Signal(int, object)

    def __init__(self, loader: Loader | None = None, catalog: Catalog | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._next_id = 0
        self._latest = Latest()
        self._pending: dict[int, Request] = {}
        closing = threading.Event()
        worker = EngineWorker(loader or engine_loader, self._latest, catalog or engine_catalog, closing)
        self._engine = _EngineThread(worker, self._latest, closing)
        self._requested.connect(worker.handle)
        worker.progressed.connect(self._on_progressed)
        worker.yielded.connect(self._on_yielded)
        worker.returned.connect(self._on_returned)
        worker.errored.connect(self._on_errored)
        worker.finished.connect(self._on_finished)
        self.destroyed.connect(self._engine.stop)  # deleted without shutdown(): the thread still stops
        # Every call from Qt into a PySide object takes the GIL; with the engine thread running
        # Python, each take waits up to the switch interval (5 ms by default). Drawing one frame
        # takes it hundreds of times, so hand it over faster.
        if sys.getswitchinterval() > GIL_SWITCH_S:
            sys.setswitchinterval(GIL_SWITCH_S)
        self._engine.thread.start()

    # -- requests ----------------------------------------------------------------------------

    def send(self, request: Request) -> int:
        """Queue `request` for the engine thread; returns its id."""
        self._next_id += 1
        rid = self._next_id
        if request.resets:
            self._latest.value = rid
        self._latest.sent = rid
        if isinstance(request, (Run, ExplainPrediction, ExplainCause)):
            self._engine.cancels[rid] = request.cancel
        if isinstance(request, (Load, Analyse, Step, Choose, Undo, Run)):
            self._stop_lens()  # what the user asked for goes first: a lens in progress gives way
        self._pending[rid] = request
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
        for event in self._engine.cancels.values():
            event.set()

    def _stop_lens(self) -> None:
        for request in self._pending.values():
            if isinstance(request, ExplainPrediction) and request.what == "lens":
                request.cancel.set()

    def shutdown(self) -> None:
        """Cancel, quit and wait for the thread. Safe to call twice."""
        self._engine.stop()

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
    def engine_thread(self) -> QThread:
        return self._engine.thread

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
        self._engine.cancels.pop(rid, None)
        self.state_changed.emit()
