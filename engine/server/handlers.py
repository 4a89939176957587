"""The engine's answers to the window's requests: one handler per request type, in one table.

`EngineHandlers` owns the model and the session. The engine server (serve.py, in its own process) and
the in-process engine thread (app/engine_worker.py, for tests and scripts) both call `handle`, which
answers through a `Replies`: `progressed` and `yielded` while long work goes on, then `returned` or
`errored`, then `finished`. A new request type adds one entry to `_table` and one method.

Imports no torch at module level: the loader imports it inside a load.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol, cast

from attnlab.engine.api.attention_store import AttentionSnapshot
from attnlab.engine.api.config import LoadOptions, Progress, SamplingConfig, StoreMode
from attnlab.engine.api.consent import ConsentNeeded
from attnlab.engine.api.errors import Cancelled, EngineError
from attnlab.engine.api.messages import LEGACY, EngineMessage, as_message, message
from attnlab.engine.api.raw_errors import plain_error
from attnlab.engine.api.requests import (
    Analyse,
    AttributeLogit,
    CatalogListing,
    Choose,
    ExplainCause,
    ExplainCell,
    ExplainPrediction,
    ForgetLensRows,
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
from attnlab.engine.api.results import CatalogEntry, ModelInfo
from attnlab.engine.api.user_dirs import log_file

if TYPE_CHECKING:  # the sessions import torch: only the engine loads them, in engine_loader
    from attnlab.engine.session.sessions import EncoderSession, GenerationSession, Session

log = logging.getLogger(__name__)

# (spec, options, progress) -> (model info, session); runs in the engine.
Loader = Callable[[str, LoadOptions, Progress], "tuple[ModelInfo, Session]"]
Catalog = Callable[[], tuple[list[CatalogEntry], str | None]]


class Replies(Protocol):
    """Where a request's answers go (the engine thread's signals, or the server's connection)."""

    def progressed(self, rid: int, message: EngineMessage, fraction: float) -> None: ...
    def yielded(self, rid: int, partial: object) -> None: ...
    def returned(self, rid: int, result: object) -> None: ...
    def errored(self, rid: int, message: EngineMessage) -> None: ...
    def finished(self, rid: int) -> None: ...


def engine_loader(spec: str, options: LoadOptions, progress: Progress) -> tuple[ModelInfo, Session]:
    """The real loader: imports torch and transformers, so it only ever runs in the engine."""
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


def generator_of(session: Session | None, info: ModelInfo | None) -> GenerationSession | None:
    """The session as a generator, None for an encoder's (or none). Told by the model's kind, as make_session
    chose the class, not by isinstance: the window's tests run the engine thread on fake sessions without torch."""
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


class Closing(Exception):
    """Raised inside a load when its window is closing: nothing is reported."""


class EngineHandlers:
    """The model, the session and one handler per request. Not thread-safe: one request at a time."""

    def __init__(
        self,
        replies: Replies,
        latest: Latest,
        closing: threading.Event,
        loader: Loader | None = None,
        catalog: Catalog | None = None,
    ):
        self._replies = replies
        self._loader = loader or engine_loader
        self._catalog = catalog or engine_catalog
        self._latest = latest
        self._closing = closing
        self._info: ModelInfo | None = None
        self._session: Session | None = None
        self._sampling = SamplingConfig()
        # set by SetStoreMode for every session from then on; None: the loader's
        self._store_mode: StoreMode | None = None
        self._refused = False  # the last analysis failed: its text is not the prompt a step would continue
        self._loaded: tuple[str, LoadOptions] | None = None  # what the session was loaded from
        self.reuse_loaded = False  # the server: a load of the model already there (same options) is answered at once
        self._table: dict[type[Request], Callable[[int, Any], object]] = {
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
            ForgetLensRows: self._forget_lens_rows,
            ExplainCause: self._explain_cause,
            SetStoreMode: self._set_store_mode,
            Region: self._region,
            MeasureValues: lambda rid, request: measure_values(self._require_session()[0], request),
            AttributeLogit: lambda rid, request: attribute_logit(self._require_session()[0], request),
            TraceFlow: lambda rid, request: trace_flow(self._require_session()[0], request),
        }

    @property
    def info(self) -> ModelInfo | None:
        """The loaded model (None: none yet)."""
        return self._info

    def handle(self, rid: int, request: Request) -> None:
        """Answer one request; whatever happens, `finished` comes last."""
        replies = self._replies
        try:
            if not self._latest.stale(rid, request):  # else superseded: a newer analysis or load sets the state
                replies.returned(rid, self._table[type(request)](rid, request))
        except Closing:
            pass
        except (ValueError, MemoryError, OverflowError) as error:  # EngineError is a ValueError
            if isinstance(error, OverflowError):
                log.warning("engine request %s overflowed", type(request).__name__, exc_info=True)
            if isinstance(error, ConsentNeeded):  # the window asks the user, then loads again
                replies.yielded(rid, error.request)
            coded = as_message(error)  # data, not an exception: it crosses the process boundary as it is
            replies.errored(rid, coded if coded.code != LEGACY else as_message(plain_error(error)))
        except Exception as error:  # the engine must survive anything
            log.exception("engine request %s failed", type(request).__name__)
            replies.errored(rid, unexpected(error))
        finally:
            replies.finished(rid)

    def release(self) -> None:
        """Drop the model."""
        self._session = None
        self._info = None

    # -- one handler per request -------------------------------------------------------------

    def _list_catalog(self, rid: int, request: ListCatalog) -> CatalogListing:
        entries, default = self._catalog()
        return CatalogListing(tuple(entries), default)

    def _load(self, rid: int, request: Load) -> ModelInfo:
        def report(message: EngineMessage, fraction: float) -> None:
            if self._closing.is_set():
                raise Closing
            self._replies.progressed(rid, message, fraction)

        reuse = self._session is not None and self._info is not None and self._loaded == (request.spec, request.options)
        if self.reuse_loaded and reuse and self._info is not None:
            self._refused = False  # a new window: it analyses its own text before it steps
            return self._info  # a warm engine: the model the last window had, with the same consent and device
        if request.preview:
            self._preview_tokens(rid, request)
        info, session = self._loader(request.spec, request.options, report)
        generator = generator_of(session, info)
        if generator is not None:
            generator.set_sampling(self._sampling)
            if self._store_mode is not None:
                generator.store_mode = self._store_mode
        self._info, self._session = info, session  # only now: a failed load keeps the old model
        self._loaded = (request.spec, request.options)
        self._refused = False  # a new session holds no prompt: it says so itself
        return info

    def _preview_tokens(self, rid: int, request: Load) -> None:
        """Send the strip's tokens from the tokenizer alone, before the loader imports torch (seconds)."""
        try:
            from attnlab.engine.models.fast_tokens import preview_tokens

            found = preview_tokens(request.spec, dict(request.preview))
        except Exception:  # only a preview: the load itself says what is wrong
            log.debug("no early tokens for %s", request.spec, exc_info=True)
            return
        if found is not None:
            self._replies.yielded(rid, TokenPreview(*found))

    def _set_sampling(self, rid: int, request: SetSampling) -> SamplingApplied:
        self._sampling = request.config
        generator = generator_of(self._session, self._info)
        if generator is not None:
            generator.set_sampling(request.config)  # a new max_new_tokens may end or reopen generation
            if generator.token_ids:
                return SamplingApplied(generator.finished)
        return SamplingApplied(None)

    def _set_store_mode(self, rid: int, request: SetStoreMode) -> None:
        self._store_mode = request.mode
        generator = generator_of(self._session, self._info)
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

    def _continued(self) -> GenerationSession:
        """The session to step, unless the text in the window was refused (the previous prompt would go on)."""
        if self._refused:
            raise EngineError("not_analysed")
        return self._generator()

    def _analyse_text(self, rid: int, request: Analyse) -> object:
        session, info = self._require_session()
        generator = generator_of(session, info)
        if generator is None:  # an encoder's: the kind says so, as in generator_of
            encoder = cast("EncoderSession", session)
            return encoder.analyse(request.text, request.masks, top_k=self._sampling.candidates)

        def report(stage: EngineMessage, fraction: float) -> None:  # a long text takes minutes: say how far it got
            self._replies.progressed(rid, stage, fraction)

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
            self._replies.yielded(rid, step)
            self._replies.progressed(rid, EngineMessage(LEGACY, (("text", repr(step.text)),)), -1.0)  # a token, as is

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
                raise Closing
            self._replies.progressed(rid, stage, fraction)
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
        generator = generator_of(self._session, self._info)
        return stack not in snapshot.stacks and generator is not None and generator.long_mode

    def _probe_induction(self, rid: int, request: ProbeInduction) -> object:
        from attnlab.engine.interpret.probe_run import run_induction_probe

        self._replies.progressed(rid, message("running_induction_probe"), -1.0)
        return run_induction_probe(self._require_session()[0].loaded)

    def _explain_prediction(self, rid: int, request: ExplainPrediction) -> object:
        from attnlab.engine.interpret.importance import head_importance
        from attnlab.engine.interpret.lens import ROWS_KEPT, LensRows, logit_lens

        session, info = self._require_session()
        if request.what == "lens":  # never makes a step wait: the client cancels it when the user asks for more
            if request.cancel.is_set():  # (a step, an undo, a new text sent after it: see EngineClient.send)
                return LensSkipped()
            try:
                lens = logit_lens(session, request.k, request.positions, cancel=request.cancel)
            except Cancelled:
                return LensSkipped()
            generator = generator_of(session, info)
            if generator is not None and not isinstance(generator.step_watcher, LensRows):
                # the next steps keep their rows: the lens of what they add is then read, not recomputed
                generator.step_watcher = LensRows.of(generator, request.positions or ROWS_KEPT)
            return lens

        def report(stage: EngineMessage, fraction: float) -> None:
            if self._closing.is_set():
                raise Closing
            if self._latest.superseded(rid):  # the input changed: the map would explain an older prediction
                request.cancel.set()
            self._replies.progressed(rid, stage, fraction)

        try:
            return head_importance(session, exact=request.what == "exact", progress=report, cancel=request.cancel)
        except Cancelled:
            return None  # stopped by the user or by a newer input: nothing to show, nothing went wrong

    def _forget_lens_rows(self, rid: int, request: ForgetLensRows) -> None:
        generator = generator_of(self._session, self._info)
        if generator is not None:
            generator.step_watcher = None

    def _explain_cause(self, rid: int, request: ExplainCause) -> object:
        """Attribution, patching maps (each partial map yielded) or one patched run; None when cancelled."""
        from attnlab.engine.interpret import attribution, patching

        session, _info = self._require_session()

        def report(stage: EngineMessage, fraction: float) -> None:
            if self._closing.is_set():
                raise Closing
            if self._latest.superseded(rid):  # the input changed: the answer would be about an older one
                request.cancel.set()
            self._replies.progressed(rid, stage, fraction)

        try:
            if request.what == "attribution":
                target = attribution.Target(token=request.target)
                return attribution.attribute(
                    session, target, True, request.baseline, request.max_steps, report, request.cancel
                )
            if request.corruption is None:
                raise EngineError("patching_without_corruption")
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
                partial=lambda result: self._replies.yielded(rid, result),
            )
        except Cancelled:
            return None

    def _require_session(self) -> tuple[Session, ModelInfo]:
        if self._session is None or self._info is None:
            raise EngineError("no_model_loaded")
        return self._session, self._info

    def _generator(self) -> GenerationSession:
        session, info = self._require_session()
        generator = generator_of(session, info)
        if generator is None or not info.can_generate:
            raise EngineError("cannot_generate_kind", model=info.name, kind=info.kind)
        return generator


def unexpected(error: BaseException) -> EngineMessage:
    """An error the engine did not expect, said with where its details were logged."""
    return message("unexpected_error", type=type(error).__name__, error=str(error), path=str(log_file()))


def measure_values(session: Any, request: MeasureValues) -> object:
    """The contribution colours' norms."""
    from attnlab.engine.interpret.contributions import measure

    return measure(session, request.stack)[0]  # type: ignore[arg-type]


def attribute_logit(session: Any, request: AttributeLogit) -> object:
    from attnlab.engine.interpret.logit_attribution import logit_attribution

    return logit_attribution(session, alternative=request.alternative)


def trace_flow(session: Any, request: TraceFlow) -> object:
    from attnlab.engine.interpret.flow import flow_graph

    return flow_graph(session, threshold=request.floor, floor=request.floor)
