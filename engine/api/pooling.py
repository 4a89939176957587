"""Max-pooling attention for display: a long sequence shrinks to the screen and its peaks stay visible.

Pure numpy. Every function takes attention [..., rows, cols] with values ≥ 0 and pools blocks of
fy × fx cells; the last block of a row or column may be partial.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray


def pool_factor(size: int, limit: int) -> int:
    """Smallest integer factor that brings `size` cells down to at most `limit`."""
    return max(1, math.ceil(size / max(limit, 1)))


def fit(matrix: NDArray, limit: int) -> tuple[NDArray[np.float32], int, int]:
    """Pool [..., rows, cols] so neither side exceeds `limit`; returns (image, fy, fx)."""
    fy, fx = pool_factor(matrix.shape[-2], limit), pool_factor(matrix.shape[-1], limit)
    return max_pool(matrix, fy, fx), fy, fx


def max_pool(matrix: NDArray, fy: int, fx: int) -> NDArray[np.float32]:
    """Max over blocks of fy × fx cells. Returns C-contiguous float32 [..., ceil(rows/fy), ceil(cols/fx)].

    float16 is pooled as its bit patterns: for values ≥ 0 they order like the values, and integer
    maxima are many times faster than numpy's float16 arithmetic (or converting everything first).
    """
    if matrix.dtype == np.float16:
        return _pool_slices(matrix.view(np.uint16), fy, fx).view(np.float16).astype(np.float32)
    return np.ascontiguousarray(_pool_slices(np.asarray(matrix, dtype=np.float32), fy, fx))


def max_pool_triangle(packed: NDArray[np.float16], rows: int, fy: int, fx: int) -> NDArray[np.float32]:
    """max_pool of a causal [..., rows, rows] matrix stored as its packed lower triangle [..., rows(rows+1)/2]
    (row r holds keys 0..r), without building the full matrix: one band of fy rows at a time, on float16
    bit patterns (see max_pool)."""
    bits = packed.view(np.uint16)
    out_rows, out_cols = -(-rows // fy), -(-rows // fx)
    lead = packed.shape[:-1]
    bands = np.zeros(lead + (out_rows, out_cols * fx), np.uint16)  # [..., band, key]: max over the band's rows
    band = np.zeros(lead + (fy, out_cols * fx), np.uint16)  # one band's rows, zeros right of the diagonal
    for b in range(out_rows):
        first, end = b * fy, min(rows, (b + 1) * fy)
        # Rows only grow, so every slot of `band` written before is overwritten here: no clearing needed.
        for j, row in enumerate(range(first, end)):
            lo = row * (row + 1) // 2  # where row `row` starts in the packed triangle
            band[..., j, : row + 1] = bits[..., lo : lo + row + 1]
        width = -(-end // fx) * fx  # keys this band can have, rounded up to whole column blocks
        np.max(band[..., : end - first, :width], axis=-2, out=bands[..., b, :width])
    return _pool_slices(bands, 1, fx).view(np.float16).astype(np.float32)


def _pool_slices(a: NDArray, fy: int, fx: int) -> NDArray:
    """Max over fy × fx blocks of [..., rows, cols], same dtype, partial blocks at the edges.

    Element-wise maxima of strided slices: numpy vectorises these, unlike a reduction over small axes.
    """
    bands = a[..., 0::fy, :].copy()  # [..., ceil(rows/fy), cols]
    for j in range(1, fy):
        part = a[..., j::fy, :]
        np.maximum(bands[..., : part.shape[-2], :], part, out=bands[..., : part.shape[-2], :])
    out = bands[..., 0::fx].copy()  # [..., ceil(rows/fy), ceil(cols/fx)]
    for j in range(1, fx):
        part = bands[..., j::fx]
        np.maximum(out[..., : part.shape[-1]], part, out=out[..., : part.shape[-1]])
    return out
