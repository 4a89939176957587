"""Head fingerprints: six numbers per head that say what kind of head it is.

Every function takes the attention p[..., query, key] of one self-attention stack (any leading
axes, e.g. [head, q, k] or [layer, head, q, k]; rows sum to 1) and returns float32 [...]: one
number per head. `causal` says the stack is causal: p is zero above the diagonal, and row 0,
which has a single key, is left out of the entropy and sink means. A mean over no rows is NaN.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from engine.float16_table import widen

BLOCK = 64  # query rows per step (causal attention: keys past the block's last row are skipped)
GROUP = 8  # matrices per step: a [GROUP, BLOCK, key] float32 piece stays in cache
_TINY = np.finfo(np.float32).tiny  # log(max(p, tiny)) · p is 0 at p = 0: 0 log 0 = 0


@dataclass(frozen=True)
class HeadFingerprints:
    """One number per head for each fingerprint; every array is float32 [..., head]."""

    entropy: NDArray[np.float32]  # nats: how spread out a query's attention is
    sink: NDArray[np.float32]  # weight on key 0
    prev_token: NDArray[np.float32]  # weight on the previous token
    self_weight: NDArray[np.float32]  # weight on the query's own token
    distance: NDArray[np.float32]  # mean |query − key| under the attention
    induction: NDArray[np.float32]  # weight on tokens that followed earlier copies of the query's token; NaN: none

    def arrays(self) -> dict[str, NDArray[np.float32]]:
        """By the names `attnlab export` writes (`{stack}_head_{name}`)."""
        return {
            "entropy": self.entropy, "sink": self.sink, "prev_token": self.prev_token, "self": self.self_weight,
            "distance": self.distance, "induction": self.induction,
        }


def head_fingerprints(
    attention: NDArray[np.floating], causal: bool, token_ids: NDArray[np.integer] | None = None
) -> HeadFingerprints:
    """All six fingerprints of attention [..., head, query, key]. `token_ids` [query] are the tokens
    along the axes; give them for decoder self-attention only (induction is NaN without them)."""
    p = _square(attention)
    return HeadFingerprints(
        entropy=entropy(p, causal),
        sink=sink(p, causal),
        prev_token=prev_token(p),
        self_weight=self_weight(p),
        distance=distance(p, causal),
        induction=induction(p, token_ids) if token_ids is not None else np.full(p.shape[:-2], np.nan, np.float32),
    )


def packed_fingerprints(
    packed: NDArray[np.floating], rows: int, token_ids: NDArray[np.integer] | None = None
) -> HeadFingerprints:
    """`head_fingerprints(p, causal=True, token_ids)` of causal attention given as its lower triangle,
    packed [..., rows·(rows+1)/2] row after row (row q holds keys 0..q; the store's layout), read
    as it is: no [query, key] matrix is built, so no zeros above the diagonal are read."""
    size = rows * (rows + 1) // 2
    if packed.shape[-1] < size:
        raise ValueError(f"a packed triangle of {rows} rows needs {size} values, got {packed.shape[-1]}")
    part = packed[..., :size]
    half = part.dtype == np.float16  # the store's: converted through tables (exact, and ~10× faster)
    p = widen(part) if half else np.asarray(part, np.float32)  # [..., packed]
    starts, gaps = _triangle(rows)
    query = np.arange(rows)
    terms = widen(part, _p_log_p) if half else _p_log_p(p)
    entropies = -np.add.reduceat(terms, starts, axis=-1)  # [..., query]
    terms = np.multiply(p, gaps, out=terms)
    distances = np.add.reduceat(terms, starts, axis=-1)
    if token_ids is None:
        scores = np.full(p.shape[:-1], np.nan, np.float32)
    else:
        targets = _induction_targets(np.asarray(token_ids), rows)
        hit_query, hit_key = np.nonzero(targets)
        asked = targets.any(axis=-1).sum()
        total = p[..., starts[hit_query] + hit_key].sum(axis=-1, dtype=np.float64)
        scores = (total / asked).astype(np.float32) if asked else np.full(p.shape[:-1], np.nan, np.float32)
    return HeadFingerprints(
        entropy=_mean_rows(entropies, 1),
        sink=_mean_rows(p[..., starts], 1),
        prev_token=_mean_rows(p[..., starts[1:] + query[1:] - 1], 0),
        self_weight=_mean_rows(p[..., starts + query], 0),
        distance=_mean_rows(distances, 0),
        induction=scores,
    )


def entropy(attention: NDArray[np.floating], causal: bool) -> NDArray[np.float32]:
    """Mean over query rows of −Σ_k p[q, k] log p[q, k], in nats (0 log 0 = 0); causal: rows 1.. ."""
    p = _square(attention)
    flat = p.reshape(-1, *p.shape[-2:])  # [matrix, query, key]
    rows = np.empty(flat.shape[:2], np.float64)  # [matrix, query]
    scratch = np.empty((GROUP, BLOCK, p.shape[-1]), p.dtype)  # reused: big temporaries cost page faults
    for group, start, end, keys in _chunks(flat.shape[0], p.shape[-1], causal):
        block = flat[group, start:end, :keys]
        logs = scratch[: block.shape[0], : end - start, :keys]
        np.log(np.maximum(block, _TINY, out=logs), out=logs)
        rows[group, start:end] = -np.einsum("mqk,mqk->mq", block, logs)
    return _mean_rows(rows.reshape(p.shape[:-1]), 1 if causal else 0)


def sink(attention: NDArray[np.floating], causal: bool) -> NDArray[np.float32]:
    """Mean over query rows of p[q, 0], the weight on the first key; causal: rows 1.. ."""
    p = _square(attention)
    return _mean_rows(p[..., :, 0], 1 if causal else 0)


def prev_token(attention: NDArray[np.floating]) -> NDArray[np.float32]:
    """Mean over rows q ≥ 1 of p[q, q − 1], the weight on the previous token."""
    p = _square(attention)
    return _mean_rows(np.diagonal(p, offset=-1, axis1=-2, axis2=-1), 0)


def self_weight(attention: NDArray[np.floating]) -> NDArray[np.float32]:
    """Mean over all rows of p[q, q], the weight on the query's own token."""
    p = _square(attention)
    return _mean_rows(np.diagonal(p, axis1=-2, axis2=-1), 0)


def distance(attention: NDArray[np.floating], causal: bool) -> NDArray[np.float32]:
    """Mean over all rows of Σ_k p[q, k]·|q − k|: how far back (or away) a head looks, in tokens."""
    p = _square(attention)
    n = p.shape[-1]
    positions = np.arange(n)
    gaps = np.abs(positions[:, None] - positions[None, :]).astype(p.dtype)  # [query, key]
    return _mean_rows(_weighted_row_sums(p, gaps, causal), 0)


def induction(attention: NDArray[np.floating], token_ids: NDArray[np.integer]) -> NDArray[np.float32]:
    """For query q let K(q) = {m + 1 : m < q − 1 and token[m] = token[q]}: the keys right after
    earlier copies of q's token. Score = mean over the queries with non-empty K(q) of
    Σ_{k∈K(q)} p[q, k]; NaN when no query has one. Meant for decoder self-attention."""
    p = _square(attention)
    n = p.shape[-1]
    targets = _induction_targets(np.asarray(token_ids), n)
    queries = targets.any(axis=-1)
    if not queries.any():
        return np.full(p.shape[:-2], np.nan, np.float32)
    # Every query with targets counts once, so the mean is the sum over all (q, k ∈ K(q)) / their count.
    if targets.sum() <= n * n // 8:  # few repeats (real text): read only the targets
        query, key = np.nonzero(targets)
        total = p[..., query, key].sum(axis=-1, dtype=np.float64)
    else:
        total = _weighted_row_sums(p, targets.astype(p.dtype), True).sum(axis=-1)  # K(q) holds keys before q only
    return (total / queries.sum()).astype(np.float32)


def _p_log_p(p: NDArray[np.float32]) -> NDArray[np.float32]:
    """p · log p elementwise, 0 at p = 0 (the terms of −entropy)."""
    return p * np.log(np.maximum(p, _TINY))


def _induction_targets(ids: NDArray[np.integer], n: int) -> NDArray[np.bool_]:
    """[query, key]: key ∈ K(query), the keys right after earlier copies of the query's token."""
    if ids.shape != (n,):
        raise ValueError(f"attention has {n} positions but {ids.size} token ids were given")
    targets = np.zeros((n, n), bool)
    targets[:, 1:] = ids[None, :-1] == ids[:, None]  # token[key − 1] = token[query]
    targets &= np.tri(n, n, -1, dtype=bool)  # key < query, i.e. m < q − 1
    return targets


@lru_cache(maxsize=4)
def _triangle(rows: int) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
    """Where each row starts in a packed triangle [query], and |query − key| of every packed entry [packed]."""
    lengths = np.arange(1, rows + 1)
    starts = np.cumsum(lengths) - lengths
    keys = np.arange(rows * (rows + 1) // 2) - np.repeat(starts, lengths)
    gaps = (np.repeat(np.arange(rows), lengths) - keys).astype(np.float32)
    for array in (starts, gaps):
        array.setflags(write=False)
    return starts, gaps


def _square(attention: NDArray[np.floating]) -> NDArray[np.floating]:
    p = np.asarray(attention)
    if p.dtype not in (np.float32, np.float64):
        p = p.astype(np.float32)
    if p.ndim < 2 or p.shape[-1] != p.shape[-2]:
        raise ValueError(f"head fingerprints need self-attention [..., query, key] with as many keys as queries, "
                         f"got shape {p.shape}")
    return p


def _weighted_row_sums(p: NDArray[np.floating], weights: NDArray[np.floating], lower: bool) -> NDArray[np.float64]:
    """Σ_k p[..., q, k]·weights[q, k] -> [..., query]; `lower`: p·weights is zero above the diagonal."""
    flat = p.reshape(-1, *p.shape[-2:])  # [matrix, query, key]
    rows = np.empty(flat.shape[:2], np.float64)  # [matrix, query]
    for group, start, end, keys in _chunks(flat.shape[0], p.shape[-1], lower):
        rows[group, start:end] = np.einsum("mqk,qk->mq", flat[group, start:end, :keys], weights[start:end, :keys])
    return rows.reshape(p.shape[:-1])


def _chunks(matrices: int, n: int, causal: bool) -> Iterator[tuple[slice, int, int, int]]:
    """(matrices, first row, end row, keys to read) in cache-sized pieces of [matrix, query, key]
    attention; causal rows never reach keys past the block's last row."""
    for first in range(0, matrices, GROUP):
        for start in range(0, n, BLOCK):
            end = min(start + BLOCK, n)
            yield slice(first, first + GROUP), start, end, end if causal else n


def _mean_rows(values: NDArray[np.floating], first: int) -> NDArray[np.float32]:
    """values [..., row] -> mean over rows first.. as float32 [...]; NaN when there are none."""
    if values.shape[-1] <= first:
        return np.full(values.shape[:-1], np.nan, np.float32)
    return values[..., first:].mean(axis=-1).astype(np.float32)
