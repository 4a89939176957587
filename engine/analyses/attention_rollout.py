"""Attention rollout (Abnar & Zuidema 2020): how much each query draws on each input token
through all the layers below it, counting the residual stream as half of every layer."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

BLOCK = 64  # query rows per matmul when the matrices are lower triangular


def rollout(attention: NDArray[np.floating]) -> NDArray[np.float32]:
    """attention [layer, head, query, key] (a self-attention stack) -> rollout [layer, query, key].

    Per layer Ã = 0.5·Ā + 0.5·I, Ā the mean over heads, rows renormalised to sum to 1;
    R₁ = Ã₁ and R_l = Ã_l·R_{l−1}. Entry l (0-based) is the rollout through layer l, so entry 0
    is Ã₁. Knock-outs and ablations are in the stored attention, so they flow through.
    """
    return rollout_of_means(np.asarray(attention, np.float32).mean(axis=1))


def rollout_of_means(means: NDArray[np.floating]) -> NDArray[np.float32]:
    """Rollout from the head means Ā [layer, query, key] (see `rollout`) -> [layer, query, key]."""
    layers, n, keys = means.shape
    if n != keys:
        raise ValueError(f"rollout needs self-attention (query = key positions), got {n} queries × {keys} keys")
    out = np.empty((layers, n, n), np.float32)  # [layer, query, key]
    rollout_layers(iter(means), out)
    return out


def rollout_layers(means: Iterator[NDArray[np.floating]], out: NDArray[np.float32]) -> None:
    """Rollout into out [layer, query, query] from the head means Ā of one layer after another (each
    [query, query], asked for only when its layer is due: a long text's are recomputed one at a time)."""
    n = out.shape[1]
    lower = True  # causal: every product stays (block) lower triangular
    for layer in range(out.shape[0]):
        mean = np.asarray(next(means), np.float32)
        lower = lower and _block_lower(mean)
        mixed = 0.5 * mean + 0.5 * np.eye(n, dtype=np.float32)
        mixed /= mixed.sum(axis=-1, keepdims=True)
        if layer == 0:
            out[0] = mixed
        elif lower:
            _lower_product(mixed, out[layer - 1], out[layer])
        else:
            np.matmul(mixed, out[layer - 1], out=out[layer])


def _block_lower(mean: NDArray[np.floating]) -> bool:
    """Whether every [BLOCK rows, keys past the block] corner of one layer's [query, key] is zero:
    `_lower_product` is then exact."""
    n = mean.shape[-1]
    return not any(mean[start : start + BLOCK, start + BLOCK :].any() for start in range(0, n, BLOCK))


def _lower_product(a: NDArray[np.float32], b: NDArray[np.float32], out: NDArray[np.float32]) -> None:
    """out = a @ b for block-lower-triangular a and b, in row blocks that skip the zero upper part (~0.4× the work)."""
    n = a.shape[0]
    out[:] = 0
    for start in range(0, n, BLOCK):
        end = min(start + BLOCK, n)
        out[start:end, :end] = a[start:end, :end] @ b[:end, :end]
