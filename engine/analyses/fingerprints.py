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

from attnlab.engine.api.float16_table import widen

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
            "entropy": self.entropy,
            "sink": self.sink,
            "prev_token": self.prev_token,
            "self": self.self_weight,
            "distance": self.distance,
            "induction": self.induction,
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
    if token_ids is not None:
        _check_ids(np.asarray(token_ids), rows)
    return causal_fingerprints([packed_rows(packed[..., :size], 0, rows, token_ids)])


@dataclass(frozen=True)
class RowTerms:
    """What the fingerprints of causal attention rows first..end−1 add up, per row [..., row]: the pieces
    that `causal_fingerprints` joins, so a long text is read a block of rows at a time."""

    first: int  # the first row's position
    entropy: NDArray[np.float32]  # −Σ_k p log p
    sink: NDArray[np.float32]  # p[q, 0]
    prev_token: NDArray[np.float32]  # p[q, q − 1]; 0 for row 0, which has none (left out of the mean)
    self_weight: NDArray[np.float32]  # p[q, q]
    distance: NDArray[np.float32]  # Σ_k p·(q − k)
    induction: NDArray[np.float64] | None  # [...]: Σ over the rows and their keys K(q) of p; None: no token ids
    asked: int  # rows with a non-empty K(q)

    @property
    def end(self) -> int:
        """One past the last row."""
        return self.first + self.sink.shape[-1]


def packed_rows(
    packed: NDArray[np.floating], first: int, end: int, token_ids: NDArray[np.integer] | None = None
) -> RowTerms:
    """The terms of causal rows first..end−1 packed [..., Σ (q+1)] row after row (row q holds keys 0..q).
    `token_ids` [≥ end]: the tokens along the axes (induction); None: induction is NaN."""
    starts, gaps = _triangle(first, end)
    if packed.shape[-1] != gaps.size:
        raise ValueError(
            f"rows {first}..{end - 1} of a packed triangle hold {gaps.size} values, got {packed.shape[-1]}"
        )
    half = packed.dtype == np.float16  # the store's: converted through tables (exact, and ~10× faster)
    p = widen(packed) if half else np.asarray(packed, np.float32)  # [..., packed]
    query = np.arange(first, end)
    terms = widen(packed, _p_log_p) if half else _p_log_p(p)
    entropies = -np.add.reduceat(terms, starts, axis=-1)  # [..., row]
    terms = np.multiply(p, gaps, out=terms)
    previous = p[..., starts + np.maximum(query - 1, 0)]
    previous[..., query == 0] = 0
    total, asked = None, 0
    if token_ids is not None:
        targets = _induction_targets(np.asarray(token_ids), first, end)  # [row, key]
        hit_row, hit_key = np.nonzero(targets)
        asked = int(targets.any(axis=-1).sum())
        total = p[..., starts[hit_row] + hit_key].sum(axis=-1, dtype=np.float64)
    return RowTerms(
        first=first,
        entropy=entropies,
        sink=p[..., starts],
        prev_token=previous,
        self_weight=p[..., starts + query],
        distance=np.add.reduceat(terms, starts, axis=-1),
        induction=total,
        asked=asked,
    )


def causal_fingerprints(parts: list[RowTerms]) -> HeadFingerprints:
    """The fingerprints (see `head_fingerprints`, causal) from the terms of consecutive rows 0.. ."""
    if not parts or parts[0].first != 0:
        raise ValueError("causal fingerprints need the terms of every row from row 0 on")

    def joined(name: str) -> NDArray[np.float32]:
        return np.concatenate([getattr(part, name) for part in parts], axis=-1)  # [..., row]

    totals = [part.induction for part in parts if part.induction is not None]
    asked = sum(part.asked for part in parts)
    if len(totals) < len(parts) or not asked:
        scores = np.full(parts[0].sink.shape[:-1], np.nan, np.float32)
    else:
        scores = (np.sum(totals, axis=0) / asked).astype(np.float32)
    return HeadFingerprints(
        entropy=_mean_rows(joined("entropy"), 1),
        sink=_mean_rows(joined("sink"), 1),
        prev_token=_mean_rows(joined("prev_token"), 1),
        self_weight=_mean_rows(joined("self_weight"), 0),
        distance=_mean_rows(joined("distance"), 0),
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
    ids = np.asarray(token_ids)
    _check_ids(ids, n)
    targets = _induction_targets(ids, 0, n)
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


def _induction_targets(ids: NDArray[np.integer], first: int, end: int) -> NDArray[np.bool_]:
    """[query first..end−1, key 0..end−1]: key ∈ K(query), the keys right after earlier copies of the
    query's token. `ids` are the tokens along the axes: [end] (or more, for a block of a longer text)."""
    if ids.ndim != 1 or len(ids) < end:
        raise ValueError(f"attention has {end} positions but {ids.size} token ids were given")
    query = np.arange(first, end)
    targets = np.zeros((end - first, end), bool)
    targets[:, 1:] = ids[None, : end - 1] == ids[first:end, None]  # token[key − 1] = token[query]
    targets &= np.arange(end)[None, :] < query[:, None]  # key < query, i.e. m < q − 1
    return targets


def _check_ids(ids: NDArray[np.integer], n: int) -> None:
    if ids.shape != (n,):
        raise ValueError(f"attention has {n} positions but {ids.size} token ids were given")


@lru_cache(maxsize=4)
def _triangle(first: int, end: int) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
    """Where each of rows first..end−1 starts in their packed triangle [row], and |query − key| of
    every packed entry [packed]."""
    lengths = np.arange(first + 1, end + 1)
    starts = np.cumsum(lengths) - lengths
    keys = np.arange(int(lengths.sum())) - np.repeat(starts, lengths)
    gaps = (np.repeat(np.arange(first, end), lengths) - keys).astype(np.float32)
    for array in (starts, gaps):
        array.setflags(write=False)
    return starts, gaps


def _square(attention: NDArray[np.floating]) -> NDArray[np.floating]:
    p = np.asarray(attention)
    if p.dtype not in (np.float32, np.float64):
        p = p.astype(np.float32)
    if p.ndim < 2 or p.shape[-1] != p.shape[-2]:
        raise ValueError(
            f"head fingerprints need self-attention [..., query, key] with as many keys as queries, got shape {p.shape}"
        )
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
