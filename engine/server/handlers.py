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
from typing import Any, Protocol

from attnlab.engine.api.attention_store import AttentionSnapshot
from attnlab.engine.api.config import LoadOptions, Progress, SamplingConfig
from attnlab.engine.api.errors import Cancelled
from attnlab.engine.api.requests import (
    Analyse,
    CatalogListing,
    Choose,
    ExplainCell,
    ExplainPrediction,
    Latest,
    ListCatalog,
    Load,
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
    Undo,
)
from attnlab.engine.api.results import CatalogEntry, ModelInfo
from attnlab.engine.api.user_dirs import log_file

log = logging.getLogger(__name__)

# (spec, options, progress) -> (model info, session); runs in the engine.
Loader = Callable[[str, LoadOptions, Progress], tuple[ModelInfo, Any]]
Catalog = Callable[[], tuple[list[CatalogEntry], str | None]]


class Replies(Protocol):
    """Where a request's answers go (the engine thread's signals, or the server's connection)."""

    def progressed(self, rid: int, message: str, fraction: float) -> None: ...
    def yielded(self, rid: int, partial: object) -> None: ...
    def returned(self, rid: int, result: object) -> None: ...
    def errored(self, rid: int, message: str) -> None: ...
    def finished(self, rid: int) -> None: ...


def engine_loader(spec: str, options: LoadOptions, progress: Progress) -> tuple[ModelInfo, Any]:
    """The real loader: imports torch and transformers, so it only ever runs in the engine."""
    from attnlab.engine.models.startup import import_engine, phase

    import_engine(spec)  # torch, transformers, the model's code: most of a first load's time, clocked
    from attnlab.engine.models.catalog import remember_recent
    from attnlab.engine.models.loading import load_model, set_threads
    from attnlab.engine.session.sessions import make_session

    set_threads(options.threads)  # the GUI starts the engine: it leaves a core for itself
    with phase("load"):
        loaded = load_model(spec, options, progress=progress)
    if loaded.recent_path is not None:
        remember_recent(loaded.recent_path)
    session = make_session(loaded)
    if hasattr(session, "store_mode"):  # exact attention while it fits memory, the long-document overview beyond
        session.store_mode = "auto"
    return loaded.info, session


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
        self._session: Any = None
        self._sampling = SamplingConfig()
        self._store_mode: str | None = None  # set by SetStoreMode for every session from then on; None: the loader's
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
            SetStoreMode: self._set_store_mode,
            Region: self._region,
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
        except (ValueError, MemoryError) as error:  # EngineError is a ValueError
            replies.errored(rid, str(error) or type(error).__name__)
        except Exception as error:  # noqa: BLE001 - the engine must survive anything
            log.exception("engine request %s failed", type(request).__name__)
            replies.errored(
                rid, f"unexpected error ({type(error).__name__}): {error} — the details are in {log_file()}"
            )
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
        def report(message: str, fraction: float) -> None:
            if self._closing.is_set():
                raise Closing
            self._replies.progressed(rid, message, fraction)

        reuse = self._session is not None and self._info is not None and self._loaded == (request.spec, request.options)
        if self.reuse_loaded and reuse and self._info is not None:
            return self._info  # a warm engine: the model the last window had, with the same consent and device
        if request.preview:
            self._preview_tokens(rid, request)
        info, session = self._loader(request.spec, request.options, report)
        if hasattr(session, "set_sampling"):
            session.set_sampling(self._sampling)
        if self._store_mode is not None and hasattr(session, "store_mode"):
            session.store_mode = self._store_mode
        self._info, self._session = info, session  # only now: a failed load keeps the old model
        self._loaded = (request.spec, request.options)
        return info

    def _preview_tokens(self, rid: int, request: Load) -> None:
        """Send the strip's tokens from the tokenizer alone, before the loader imports torch (seconds)."""
        try:
            from attnlab.engine.models.fast_tokens import preview_tokens

            found = preview_tokens(request.spec, dict(request.preview))
        except Exception:  # noqa: BLE001 - only a preview: the load itself says what is wrong
            log.debug("no early tokens for %s", request.spec, exc_info=True)
            return
        if found is not None:
            self._replies.yielded(rid, TokenPreview(*found))

    def _set_sampling(self, rid: int, request: SetSampling) -> SamplingApplied:
        self._sampling = request.config
        if self._session is not None and hasattr(self._session, "set_sampling"):
            self._session.set_sampling(request.config)  # a new max_new_tokens may end or reopen generation
            if getattr(self._session, "token_ids", None):
                return SamplingApplied(bool(self._session.finished))
        return SamplingApplied(None)

    def _set_store_mode(self, rid: int, request: SetStoreMode) -> None:
        self._store_mode = request.mode
        if hasattr(self._session, "store_mode"):
            self._session.store_mode = request.mode  # from the next analysis on

    def _region(self, rid: int, request: Region) -> RegionWeights:
        session = self._generator()
        rows = len(session.token_ids)  # an undo may have come first: the region is cut to what is there now

        def cut(span: tuple[int, int]) -> tuple[int, int]:
            return min(max(span[0], 0), rows), min(max(span[1], 0), rows)

        request = replace(request, queries=cut(request.queries), keys=cut(request.keys))
        weights = session.region(request.layer, request.head, range(*request.queries), range(*request.keys))
        return RegionWeights(request, weights)

    def _analyse(self, rid: int, request: Analyse) -> object:
        session, info = self._require_session()
        if info.kind == "encoder":
            return session.analyse(request.text, request.masks, top_k=self._sampling.candidates)

        def report(message: str, fraction: float) -> None:  # a long text takes minutes: say how far it got
            self._replies.progressed(rid, message, fraction)

        return session.prefill(
            request.text, request.masks, source=request.source, replay=request.replay, progress=report
        )

    def _step(self, rid: int, request: Step) -> object:
        return self._generator().step()

    def _choose(self, rid: int, request: Choose) -> object:
        session = self._generator()
        if request.replace:
            session.undo()
        return session.step(choose=request.token_id)

    def _undo(self, rid: int, request: Undo) -> object:
        return self._generator().undo()

    def _run(self, rid: int, request: Run) -> RunSummary:
        def on_step(step: Any) -> None:
            self._replies.yielded(rid, step)
            self._replies.progressed(rid, f"{step.text!r}", -1.0)

        steps = self._generator().run(request.count, cancel=request.cancel, on_step=on_step)
        if request.cancel.is_set():
            reason = "stopped"
        elif steps and steps[-1].reason:
            reason = steps[-1].reason
        else:
            reason = "done"
        return RunSummary(len(steps), reason)

    def _explain_cell(self, rid: int, request: ExplainCell) -> object:
        session, _info = self._require_session()
        return session.explain_cell(request.stack, request.layer, request.head, request.query, request.key)

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

        session, cancel = self._session, threading.Event()
        if len(request.token_ids) != len(session.token_ids):  # of a state the session has left: asked again
            return None

        def report(message: str, fraction: float) -> None:
            if self._closing.is_set():
                raise Closing
            self._replies.progressed(rid, message, fraction)
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

            raise rollout_unavailable(len(self._session.token_ids))
        return stack_rollout(request.snapshot, request.stack)

    def _long_mode(self, stack: str, snapshot: AttentionSnapshot) -> bool:
        """Whether `stack` of `snapshot` is the session's decoder in long-document mode (not in the store)."""
        return stack not in snapshot.stacks and getattr(self._session, "long_mode", False)

    def _probe_induction(self, rid: int, request: ProbeInduction) -> object:
        from attnlab.engine.interpret.probe_run import run_induction_probe

        self._replies.progressed(rid, "Running the induction probe…", -1.0)
        return run_induction_probe(self._require_session()[0].loaded)

    def _explain_prediction(self, rid: int, request: ExplainPrediction) -> object:
        session, _info = self._require_session()
        if request.what == "lens":
            return session.logit_lens(request.k, request.positions)

        def report(message: str, fraction: float) -> None:
            if self._closing.is_set():
                raise Closing
            if self._latest.superseded(rid):  # the input changed: the map would explain an older prediction
                request.cancel.set()
            self._replies.progressed(rid, message, fraction)

        try:
            return session.head_importance(exact=request.what == "exact", progress=report, cancel=request.cancel)
        except Cancelled:
            return None  # stopped by the user or by a newer input: nothing to show, nothing went wrong

    def _require_session(self) -> tuple[Any, ModelInfo]:
        if self._session is None or self._info is None:
            raise ValueError("no model is loaded yet: pick one in the model list")
        return self._session, self._info

    def _generator(self) -> Any:
        session, info = self._require_session()
        if not info.can_generate:
            raise ValueError(f"{info.name} cannot generate text: it is a {info.kind} model")
        return session
