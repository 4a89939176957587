"""Activation patching ("causal tracing", Meng et al. 2022): where in the model a change of input matters.

Two runs of the same token length: clean (the session's current input, masks and ablations in force)
and corrupted (another text, or chosen tokens replaced or noised in embedding space, see `Corruption`).
A patched run is the corrupted run with one activation taken from the clean run:

- residual: the output of block l at position p (the residual stream after layer l),
- attention / mlp: the output of block l's attention module / MLP at position p (before it is added to
  the residual; both are position-wise linear at the end, so patching before or after the output
  projection is the same),
- heads: head h of layer l's output (before heads are merged) at the predicted position.

The metric m is logit(target) − logit(alternative), or log p(target) without an alternative; each cell
holds the recovered share (m_patched − m_corrupt) / (m_clean − m_corrupt). Batched: the batch dimension
carries the patches of one layer, and each forward starts at that layer from the inputs the blocks got
in the corrupted run (layers before it are the corrupted run's), where the model allows; otherwise
every patched forward runs the whole model.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from attnlab.engine.api.config import Corruption, Progress
from attnlab.engine.api.errors import Cancelled, EngineError, UnsupportedError
from attnlab.engine.api.messages import message
from attnlab.engine.api.results import PatchedRun, PatchingResult
from attnlab.engine.api.tokens import readable_tokens
from attnlab.engine.capture import attention as capture
from attnlab.engine.capture.attention import Recorder
from attnlab.engine.interpret import embeddings, lens

if TYPE_CHECKING:
    from attnlab.engine.session.analysis_session import AnalysisSession as Session

SITES = ("residual", "attention", "mlp", "heads")
_MLPS = ("mlp", "feed_forward", "ffn", "intermediate")  # a block's MLP (BERT: the part before the residual)
TOKENS_PER_FORWARD = 4096  # patched rows × tokens per forward
GROUPS = 5  # suffix runs: a layer's positions in this many forwards (each feeds from its first position on)
Partial = Callable[[PatchingResult], None]


def _output(out: object) -> torch.Tensor:
    return out[0] if isinstance(out, tuple) else out  # type: ignore[return-value]


def _with_output(out: object, hidden: torch.Tensor) -> object:
    return (hidden, *out[1:]) if isinstance(out, tuple) else hidden


@dataclass
class _HeadRecorder(Recorder):
    """The session's recorder that also reads (clean run) or overwrites (patched runs) per-head outputs
    at one position: batch row rows[i] gets head heads[i] of `layer` from `clean`."""

    stack: str = "decoder"
    position: int = -1
    seen: dict[int, torch.Tensor] | None = None  # layer -> [head, dim], filled by the clean run
    layer: int = -1
    rows: list[int] | None = None
    heads: list[int] | None = None
    clean: torch.Tensor | None = None  # [head, dim] of `layer`
    offset: int = 0  # the first position this forward feeds (a suffix run's queries start there)
    keys: dict[int, tuple[torch.Tensor, torch.Tensor]] | None = None  # layer -> (key, value), the corrupted run's

    def on_inputs(self, module, query, key, value, scaling, softcap, position_bias, attention_mask) -> None:
        site = self.sites.get(capture.site_key(module))
        if self.keys is not None and site is not None and site[0] == self.stack:
            self.keys[site[1]] = (key, value)  # [batch, kv_head, key, dim], after position encoding

    def on_output(self, module: torch.nn.Module, output: torch.Tensor) -> torch.Tensor:
        site = self.sites.get(capture.site_key(module))
        output = super().on_output(module, output)  # [batch, head, query, dim]
        if site is None or site[0] != self.stack:
            return output
        if self.seen is not None:
            self.seen[site[1]] = output[0, :, self.position].clone()
        if site[1] == self.layer and self.rows is not None and self.heads is not None and self.clean is not None:
            output = output.clone()
            output[self.rows, self.heads, self.position - self.offset] = self.clean[self.heads].to(output.dtype)
        return output


class _Experiment:
    """The clean and corrupted runs of one patching question, and patched runs on demand."""

    def __init__(self, session: Session, corruption: Corruption, target: int | None, alternative: int | None):
        embeddings.check_kind(session, "activation patching")
        self.session = session
        prediction = session.prediction()
        stack, ids, position = prediction.stack, prediction.ids, prediction.position
        if position is None:
            raise EngineError("patching_mask_a_token_first")
        self.stack, self.ids, self.position = stack, ids, position
        self.blocks = lens.blocks(session.model, session.loaded.sites, stack)
        if len({id(b) for b in self.blocks}) != len(self.blocks):
            raise UnsupportedError("patching_shared_block", model=session.info.name)
        modules = {id(m): m for m in session.model.modules()}
        by_layer = {layer: key[0] for key, (s, layer) in session.loaded.sites.items() if s == stack}
        self.attention = [modules[by_layer[layer]] for layer in range(len(self.blocks))]
        self.mlp = [
            next((getattr(b, n) for n in _MLPS if isinstance(getattr(b, n, None), torch.nn.Module)), None)
            for b in self.blocks
        ]
        self.heads = session.stack_shape(stack)[1]
        self.corrupt_ids, self.corrupt_x = self._corrupted(corruption)
        with torch.inference_mode():
            self._run_clean()
            self._run_corrupted()
        vocab = self.clean_logits.shape[-1]
        self.target = int(torch.argmax(self.clean_logits)) if target is None else int(target)
        for token in (self.target, alternative):
            if token is not None and not 0 <= token < vocab:
                raise EngineError("token_not_in_vocabulary", id=token, range=f"0..{vocab - 1}")
        self.alternative = alternative
        self.clean_metric = float(self.metric(self.clean_logits[None])[0])
        self.corrupt_metric = float(self.metric(self.corrupt_logits[None])[0])

    # -- the two runs -----------------------------------------------------------------------------
    def _corrupted(self, corruption: Corruption) -> tuple[list[int], torch.Tensor]:
        """The corrupted run's token ids and embeddings [token, hidden]."""
        session, n = self.session, len(self.ids)
        if corruption.text is not None:
            pair = session.info.kind == "encoder" and session.info.has_nsp_head
            ids = session.tokenize(corruption.text, "corrupted text", pair=pair)["input_ids"][0].tolist()
            if len(ids) != n:
                raise EngineError("patching_lengths_differ", count=len(ids), clean=n)
            for p in session.masks.mask_positions:  # a masked LM's [MASK] slots stay masked
                ids[p] = session.tokenizer.mask_token_id
            return ids, embeddings.embed(session, ids)
        bad = sorted(p for p in corruption.positions if not 0 <= p < n)
        if bad:
            raise EngineError("corrupted_positions_out_of_range", bad=str(bad), count=n, range=f"0..{n - 1}")
        ids = list(self.ids)
        chosen = sorted(set(corruption.positions))
        if corruption.replacement is not None:
            vocab = session.info.vocab_size
            if not 0 <= corruption.replacement < vocab:
                raise EngineError("token_not_in_vocabulary", id=corruption.replacement, range=f"0..{vocab - 1}")
            for p in chosen:
                ids[p] = corruption.replacement
            return ids, embeddings.embed(session, ids)
        x = embeddings.embed(session, ids)
        generator = torch.Generator().manual_seed(corruption.seed)
        noise = torch.randn((len(chosen), x.shape[-1]), generator=generator) * corruption.noise
        x[chosen] += (noise * embeddings.embedding_sigma(session)).to(x.device, x.dtype)
        return ids, x

    def _run_clean(self) -> None:
        """One forward of the clean input, keeping every site's activation: residual, attention and MLP
        outputs [layer] of [token, hidden], per-head outputs at the position [layer] of [head, dim]."""
        self.seen: dict[str, list[torch.Tensor]] = {"residual": [], "attention": [], "mlp": []}
        recorder = self._recorder(seen={})
        with ExitStack() as hooks:
            for name, modules in (("residual", self.blocks), ("attention", self.attention), ("mlp", self.mlp)):
                for module in modules:
                    if module is not None:
                        keep = self.seen[name]
                        hooks.enter_context(_hook(module, lambda m, a, out, keep=keep: keep.append(_output(out)[0])))
            self.clean_logits = self.session.rerun(recorder, 1, self.position)[0].float()  # [vocab]
        assert recorder.seen is not None
        self.seen_heads = [recorder.seen[layer] for layer in range(len(self.blocks))]

    def _run_corrupted(self) -> None:
        """One forward of the corrupted input, keeping what each block was called with (to resume from)."""
        calls: list[tuple[tuple, dict]] = []

        def record(module, args, kwargs):
            calls.append((args, kwargs))

        recorder = self._recorder()
        self.keys: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
        recorder.keys = self.keys
        with ExitStack() as hooks, embeddings.replaced(self.session, self.corrupt_x):
            for block in self.blocks:
                hooks.enter_context(_pre_hook(block, record))
            self.corrupt_logits = self.session.rerun(recorder, 1, self.position)[0].float()
        self.calls = calls
        self.project = None
        self.suffix = False
        if len(calls) == len(self.blocks):
            try:
                self.project = lens.projection(self.session.model, self.session.info.kind)
                again = self._resume(self.session.interventions(), len(self.blocks) - 1, 1)[0].float()
                tolerance = 1e-4 if again.dtype == self.corrupt_logits.dtype == torch.float32 else 2e-2
                if not torch.allclose(torch.softmax(again, -1), torch.softmax(self.corrupt_logits, -1), atol=tolerance):
                    self.project = None
            except Exception:  # noqa: BLE001 - a block that cannot be called alone: run the whole model
                self.project = None
        self.suffix = self.project is not None and self._suffix_reproduces()

    def _suffix_reproduces(self) -> bool:
        """Whether feeding only the positions from the middle on, through every block with the corrupted run's
        earlier keys and values in a cache, gives the corrupted run's logits (causal decoders predicting at
        the last position: earlier positions never see a later patch)."""
        n = len(self.ids)
        if self.session.info.kind != "decoder" or self.position != n - 1 or len(self.keys) != len(self.blocks):
            return False
        try:
            self.suffix = True
            again = self._resume(self._recorder(), 0, 1, start=n // 2)[0].float()
        except Exception:  # noqa: BLE001 - a block that cannot take a cache this way: run every position
            return False
        finally:
            self.suffix = False
        tolerance = 1e-4 if again.dtype == self.corrupt_logits.dtype == torch.float32 else 2e-2
        return bool(torch.allclose(torch.softmax(again, -1), torch.softmax(self.corrupt_logits, -1), atol=tolerance))

    # -- patched runs ---------------------------------------------------------------------------
    def metric(self, logits: torch.Tensor) -> torch.Tensor:
        """[batch, vocab] -> [batch]: logit(target) − logit(alternative), or log p(target)."""
        logits = logits.float()
        if self.alternative is not None:
            return logits[:, self.target] - logits[:, self.alternative]
        return torch.log_softmax(logits, dim=-1)[:, self.target]

    def share(self, metric: np.ndarray) -> np.ndarray:
        """Recovered share; when the corruption changes nothing: 1 where the patched run is the clean run."""
        gap = self.clean_metric - self.corrupt_metric
        if abs(gap) <= 1e-6 * max(1.0, abs(self.clean_metric)):
            return np.where(np.abs(metric - self.clean_metric) < 1e-4, 1.0, np.nan).astype(np.float32)
        return ((metric - self.corrupt_metric) / gap).astype(np.float32)

    def patched(self, site: str, layer: int, indices: list[int]) -> torch.Tensor:
        """Logits at the position, [len(indices), vocab]: row i patches `site` of `layer` at position (or
        head) indices[i]."""
        rows = list(range(len(indices)))
        start = 0
        if self.suffix:  # positions before the first patched one are the corrupted run's
            start = self.position if site == "heads" else min(indices)
        recorder = self._recorder()
        recorder.offset = start
        with ExitStack() as hooks:
            if site == "heads":
                recorder.layer, recorder.rows, recorder.heads = layer, rows, list(indices)
                recorder.clean = self.seen_heads[layer]
            else:
                modules: dict[str, list[torch.nn.Module | None]] = {
                    "residual": list(self.blocks),
                    "attention": list(self.attention),
                    "mlp": self.mlp,
                }
                module = modules[site][layer]
                if module is None:
                    raise UnsupportedError("patching_no_mlp", model=self.session.info.name, layer=layer)
                hooks.enter_context(_hook(module, _patcher(rows, indices, self.seen[site][layer], start)))
            if self.project is not None:
                return self._resume(recorder, layer, len(indices), start)
            with embeddings.replaced(self.session, self.corrupt_x):
                return self.session.rerun(recorder, len(indices), self.position)

    def _resume(self, recorder: Recorder, layer: int, batch: int, start: int = 0) -> torch.Tensor:
        """Blocks `layer`.. run from the corrupted run's input to block `layer`, then the final norm and head
        at the position: [batch, vocab]. `start` > 0 (causal decoders): only positions start.. are fed, the
        earlier ones' keys and values given from the corrupted run in a cache."""
        assert self.project is not None
        args, kwargs = self.calls[layer]
        hidden = (args[0] if args else kwargs["hidden_states"])[:, start:].expand(batch, -1, -1)
        cache = self._prefix_cache(layer, batch, start) if start else None
        with capture.recording(recorder):
            for block, (args, kwargs) in zip(self.blocks[layer:], self.calls[layer:], strict=True):
                if cache is not None:
                    args, kwargs = _suffix_call(block, args, kwargs, start, len(self.ids), cache)
                rest = {name: _batched(value, batch) for name, value in kwargs.items() if name != "hidden_states"}
                hidden = _output(block(hidden, *(_batched(a, batch) for a in args[1:]), **rest))
        return self.project(hidden[:, self.position - start])

    def _prefix_cache(self, layer: int, batch: int, start: int) -> object:
        """A fresh cache holding the corrupted run's keys and values of positions < start for layers ≥ `layer`."""
        from transformers import DynamicCache

        cache = DynamicCache()  # full layers: a sliding-window layer would drop keys the recorded mask counts
        for index in range(layer, len(self.blocks)):
            key, value = self.keys[index]
            slot = getattr(self.attention[index], "layer_idx", index)
            cache.update(_batched(key[:, :, :start], batch), _batched(value[:, :, :start], batch), slot)
        return cache

    def _recorder(self, seen: dict[int, torch.Tensor] | None = None) -> _HeadRecorder:
        s = self.session
        return _HeadRecorder(
            s.loaded.sites, None, {}, s.knockouts, s.ablations, stack=self.stack, position=self.position, seen=seen
        )


def _batched(value, batch: int):
    """A recorded argument for `batch` rows: tensors (and tuples of them) of batch 1 expanded (a view)."""
    if isinstance(value, torch.Tensor) and value.ndim >= 2 and value.shape[0] == 1:
        return value.expand(batch, *value.shape[1:])
    if isinstance(value, tuple):
        return tuple(_batched(v, batch) for v in value)
    return value


_CACHE_NAMES = ("cache", "past_key_values", "past_key_value", "layer_past")


def _suffix_call(block: torch.nn.Module, args: tuple, kwargs: dict, start: int, n: int, cache: object):
    """A block's recorded call for positions start.. only: masks, positions and rotary tables cut to those
    queries, the cache (holding the earlier keys) in the cache argument."""
    names = list(inspect.signature(block.forward).parameters)

    def cut(name: str, value):
        if name in _CACHE_NAMES:
            return cache
        if isinstance(value, tuple):
            return tuple(cut("", v) for v in value)
        if not isinstance(value, torch.Tensor):
            return value
        if value.ndim == 4 and value.shape[-2] == n:  # a mask, [batch, 1, query, key]
            return value[..., start:, :]
        if value.ndim >= 2 and value.shape[1] == n:  # position ids, rotary tables: [batch, position, ...]
            return value[:, start:]
        if value.ndim == 1 and value.shape[0] == n:  # cache positions
            return value[start:]
        return value

    positional = tuple(cut(names[i] if i < len(names) else "", a) for i, a in enumerate(args))
    if not any(name in kwargs or name in names[: len(args)] for name in _CACHE_NAMES):
        raise UnsupportedError("block_takes_no_cache")
    return positional, {name: cut(name, value) for name, value in kwargs.items()}


def _patcher(rows: list[int], positions: list[int], clean: torch.Tensor, start: int = 0):
    """A forward hook: output row rows[i] at positions[i] set to the clean run's ([token, hidden]); the
    output's first position is `start`."""

    def patch(module, args, out):
        hidden = _output(out).clone()
        hidden[rows, [p - start for p in positions]] = clean[positions].to(hidden.dtype)
        return _with_output(out, hidden)

    return patch


@contextmanager
def _hook(module: torch.nn.Module, hook) -> Iterator[None]:
    handle = module.register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()


@contextmanager
def _pre_hook(module: torch.nn.Module, hook) -> Iterator[None]:
    handle = module.register_forward_pre_hook(hook, with_kwargs=True)
    try:
        yield
    finally:
        handle.remove()


def patch(
    session: Session,
    corruption: Corruption,
    sites: tuple[str, ...] = SITES,
    target: int | None = None,
    alternative: int | None = None,
    rows: int | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    partial: Partial | None = None,
) -> PatchingResult:
    """The maps of `sites` for the session's current input against `corruption`; at most `rows` patched
    runs per forward (default: rows × tokens near TOKENS_PER_FORWARD). `partial` hears the result so far
    after each forward; `cancel` is checked between forwards. Changes nothing in the session."""
    unknown = [s for s in sites if s not in SITES]
    if unknown:
        raise EngineError("patching_sites_unknown", sites=str(unknown), known=", ".join(SITES))
    experiment = _Experiment(session, corruption, target, alternative)
    layers, tokens, heads = len(experiment.blocks), len(experiment.ids), experiment.heads
    # Suffix runs feed positions from the first patched one on: small groups of positions cost less in all.
    default = max(1, -(-tokens // GROUPS)) if experiment.suffix else max(1, TOKENS_PER_FORWARD // tokens)
    rows = rows or default
    lens.check_rerun_fits(session, "activation patching", min(rows, max(tokens, heads)))
    maps = {site: np.full((layers, heads if site == "heads" else tokens), np.nan, np.float32) for site in SITES}
    jobs = [
        (site, layer, list(range(start, min(start + rows, maps[site].shape[1]))))
        for site in sites
        for layer in range(layers)
        for start in range(0, maps[site].shape[1], rows)
    ]
    total, done = sum(len(indices) for *_, indices in jobs), 0

    def result() -> PatchingResult:
        return PatchingResult(
            stack=experiment.stack,
            tokens=tuple(readable_tokens(session.tokenizer, experiment.ids)),
            corrupt_tokens=tuple(readable_tokens(session.tokenizer, experiment.corrupt_ids)),
            target_id=experiment.target,
            target_text=session.token_text(experiment.target),
            alternative_id=-1 if alternative is None else int(alternative),
            clean_metric=experiment.clean_metric,
            corrupt_metric=experiment.corrupt_metric,
            **{site: maps[site].copy() for site in SITES},
            done=done,
            total=total,
        )

    with torch.inference_mode():
        for site, layer, indices in jobs:
            if cancel is not None and cancel.is_set():
                raise Cancelled("cancelled", what="activation patching")
            metric = experiment.metric(experiment.patched(site, layer, indices)).cpu().numpy()
            maps[site][layer, indices] = experiment.share(metric)
            done += len(indices)
            if progress is not None:
                progress(message("patching_runs", site=site, done=done, total=total), done / total)
            if partial is not None:
                partial(result())
    return result()


def patched_run(
    session: Session,
    corruption: Corruption,
    site: str,
    layer: int,
    index: int,
    target: int | None = None,
    alternative: int | None = None,
    k: int = 10,
) -> PatchedRun:
    """One cell of a map as a run: its metric, share and top-k candidates at the predicted position."""
    if site not in SITES:
        raise EngineError("patching_site_unknown", site=repr(site), known=", ".join(SITES))
    experiment = _Experiment(session, corruption, target, alternative)
    width = experiment.heads if site == "heads" else len(experiment.ids)
    if not (0 <= layer < len(experiment.blocks) and 0 <= index < width):
        raise EngineError(
            "patching_no_cell", site=site, layer=layer, index=index, blocks=len(experiment.blocks), width=width
        )
    with torch.inference_mode():
        logits = experiment.patched(site, layer, [index])
        metric = experiment.metric(logits).cpu().numpy()
    return PatchedRun(
        site, layer, index, float(metric[0]), float(experiment.share(metric)[0]), session.candidates(logits[0], k)
    )
