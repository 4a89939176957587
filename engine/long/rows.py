"""Analyses that read every attention weight, in long-document mode: the exact rows recomputed a block
of queries at a time.

Long mode keeps no rows, only an overview and what recomputes them (`engine.long_store`). Head
fingerprints and rollout need every weight of every head, so they ask `LongState.probabilities` for
one layer's rows `first..end−1` over keys 0..end−1 ([head, q, key]), rounded to float16 as the exact
store holds them, and fold them in before asking for the next block: at most [head, block, N] is held
at once, never [head, N, N]. The results equal the exact store's (`engine.head_scores`), up to the
order of float32 sums.

Rollout multiplies full [N, N] matrices (O(N³) per layer) and its result is [layer, N, N] float32: it
is computed exactly here too, but refused, with the size, when the result and the matrices it works
on would not fit in memory. Nothing here approximates from the overview.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator, Sequence
from typing import Protocol

import numpy as np
import torch
from numpy.typing import NDArray

from attnlab.engine.analyses.attention_rollout import rollout_layers
from attnlab.engine.analyses.fingerprints import RowTerms, causal_fingerprints, packed_rows
from attnlab.engine.analyses.head_scores import HeadScores, StackRollout, stacked_prints
from attnlab.engine.api.attention_store import AttentionSnapshot
from attnlab.engine.api.config import Progress
from attnlab.engine.api.errors import Cancelled, EngineError
from attnlab.engine.api.float16_table import widen
from attnlab.engine.api.memory_budget import check_fits
from attnlab.engine.api.messages import message
from attnlab.engine.long.store import STACK, LongState

BLOCK_VALUES = 1 << 22  # weights per recomputed block ([head, q, key]): 16 MiB of float32, a few temporaries


class LongModeSession(Protocol):
    """What these analyses need from a session (a `GenerationSession`): its long-mode state, its tokens and
    the knock-outs the rows are recomputed with."""

    @property
    def long_state(self) -> LongState | None:
        """What recomputes the decoder's exact rows; None when the exact store holds them."""
        ...

    @property
    def token_ids(self) -> list[int]:
        """The decoder's sequence, one id per row."""
        ...

    @property
    def knockouts(self) -> dict[str, torch.Tensor]:
        """stack -> [key] bool, True = knocked out."""
        ...


def block_rows(heads: int, tokens: int, block: int | None = None) -> int:
    """Queries per recomputed block: `block`, or as many as keep [head, q, tokens] near BLOCK_VALUES."""
    return block or max(16, BLOCK_VALUES // max(1, heads * tokens))


def layer_blocks(
    session: LongModeSession, layer: int, block: int | None = None, start: int = 0
) -> Iterator[tuple[int, NDArray[np.float16]]]:
    """(first, rows) of one decoder layer in long mode, from query `start` on: rows [head, q, first + q keys]
    float16, the exact store's values of queries first.. over keys 0..first+q−1 (zeros right of the diagonal)."""
    state, rows = _long_state(session), len(session.token_ids)
    size = block_rows(state.heads, rows, block)
    for first in range(start, rows, size):
        end = min(first + size, rows)
        with torch.inference_mode():  # not held across the yield: it is the thread's
            probs = state.probabilities(layer, first, end, slice(None), session.knockouts)  # [head, q, key ≤ end]
            rounded = probs.to(torch.float16).cpu().numpy()
        yield first, rounded


def long_head_scores(
    session: LongModeSession,
    snapshot: AttentionSnapshot | None = None,
    token_ids: Sequence[int] | NDArray[np.integer] | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    block: int | None = None,
) -> HeadScores:
    """Fingerprints of every decoder head (`engine.head_scores.head_scores`) of a long-mode session, from
    recomputed rows. `snapshot`: what the reply carries back (the window's); `token_ids` [query]: the
    tokens along the axes (default: the session's); `cancel` is checked between blocks.

    A causal row never changes once computed, so the terms of the rows scored last time are kept (for
    the same long-mode state and the same tokens up to them) and only later rows are recomputed: after
    a step, one block per layer instead of the whole text."""
    state = _long_state(session)
    ids = np.asarray(session.token_ids if token_ids is None else token_ids, np.int64)
    rows = len(session.token_ids)
    if len(ids) != rows:
        raise EngineError("positions_ids_mismatch", stack="decoder", rows=rows, ids=len(ids))
    kept = _scored.reusable(state, ids)  # per layer, the terms of the blocks of rows still valid
    per_layer = []
    try:
        for layer in range(state.layers):
            parts = kept[layer]
            start = parts[-1].end if parts else 0
            for first, probs in layer_blocks(session, layer, block, start):
                end = first + probs.shape[1]
                triangle = np.tri(probs.shape[1], end, first, dtype=bool)  # [q, key]: keys 0..query
                parts.append(packed_rows(probs[:, triangle], first, end, ids))
                _report(progress, "scoring heads from recomputed rows", layer, state.layers, end / rows)
                _check(cancel, "scoring heads")
            per_layer.append(causal_fingerprints(parts).arrays())
    finally:  # cancelled too: what was scored is kept for the next request
        _scored.keep(state, ids, kept)
    return HeadScores(STACK, stacked_prints(per_layer), rows, snapshot)


class _ScoredRows:
    """The fingerprint terms of the rows one long-mode state had when last scored (one session at a time:
    the worker's, or the export's). Held by a weak reference to the state: a new prefill drops them."""

    def __init__(self) -> None:
        self.state: weakref.ref | None = None
        self.ids = np.zeros(0, np.int64)  # the tokens the rows were scored with
        self.parts: list[list[RowTerms]] = []  # per layer, consecutive blocks of rows from row 0

    def reusable(self, state, ids: NDArray[np.int64]) -> list[list[RowTerms]]:
        """Per layer, the kept blocks whose rows are all below the first token that differs (copies of the lists)."""
        if self.state is None or self.state() is not state:
            return [[] for _ in range(state.layers)]
        same = min(len(ids), len(self.ids))
        differs = np.flatnonzero(ids[:same] != self.ids[:same])
        valid = int(differs[0]) if len(differs) else same  # rows 0..valid−1 saw the same tokens
        return [[part for part in parts if part.end <= valid] for parts in self.parts]

    def keep(self, state, ids: NDArray[np.int64], parts: list[list[RowTerms]]) -> None:
        self.state, self.ids, self.parts = weakref.ref(state), ids.copy(), parts


_scored = _ScoredRows()


def rollout_bytes(layers: int, tokens: int) -> int:
    """Memory a long-mode rollout takes: the result [layer, N, N] and the four [N, N] float32 it works on
    (the head mean, the identity, the mixed matrix and one temporary)."""
    return 4 * tokens * tokens * (layers + 4)


def long_rollout(
    session: LongModeSession,
    snapshot: AttentionSnapshot | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    block: int | None = None,
) -> StackRollout:
    """Attention rollout of the decoder (`engine.analyses.attention_rollout`) of a long-mode session, from
    the head means of recomputed rows, layer by layer; refused when it would not fit in memory."""
    state = _long_state(session)
    rows = len(session.token_ids)
    check_fits(rollout_bytes(state.layers, rows), message("memory_rollout", tokens=rows, layers=state.layers))

    def means() -> Iterator[NDArray[np.float32]]:
        mean = np.zeros((rows, rows), np.float32)  # [query, key], zero right of the diagonal
        for layer in range(state.layers):
            for first, probs in layer_blocks(session, layer, block):
                end = first + probs.shape[1]
                mean[first:end, :end] = widen(probs).mean(axis=0)
                _report(progress, "attention rollout from recomputed rows", layer, state.layers, end / rows)
                _check(cancel, "attention rollout")
            yield mean

    out = np.empty((state.layers, rows, rows), np.float32)  # [layer, query, key]
    rollout_layers(means(), out)
    return StackRollout(STACK, out, snapshot)


def rollout_unavailable(tokens: int) -> EngineError:
    """What the window says instead of a rollout in long mode."""
    return EngineError("rollout_not_in_long_mode", n=f"{tokens:,}")


def _long_state(session: LongModeSession) -> LongState:
    state = session.long_state
    if state is None:
        raise EngineError("not_long_mode")
    return state


def _report(progress: Progress | None, what: str, layer: int, layers: int, done: float) -> None:
    """`done` of layer `layer` (0-based) of `layers`, as the overall fraction."""
    if progress is not None:
        progress(message("layer_progress", what=what, layer=layer + 1, layers=layers), (layer + done) / layers)


def _check(cancel: threading.Event | None, what: str) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("cancelled", what=what)
