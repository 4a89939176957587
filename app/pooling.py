"""Max-pooling attention matrices for display: a peak in a long sequence stays visible."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from engine.attention_store import max_pool as store_max_pool


def pool_factor(size: int, limit: int) -> int:
    """Smallest integer factor that brings `size` cells down to at most `limit`."""
    return max(1, math.ceil(size / max(limit, 1)))


def max_pool(matrix: NDArray[np.float32], fy: int, fx: int) -> NDArray[np.float32]:
    """Max over blocks of fy × fx cells; the last block of a row or column may be partial.

    Works on [..., rows, cols]; returns a C-contiguous float32 [..., ceil(rows/fy), ceil(cols/fx)].
    The store's implementation (strided maxima, many times faster than reducing small axes).
    """
    return store_max_pool(matrix, fy, fx)


def fit(matrix: NDArray[np.float32], limit: int) -> tuple[NDArray[np.float32], int, int]:
    """Pool [..., rows, cols] so neither side exceeds `limit`; returns (image, fy, fx)."""
    fy, fx = pool_factor(matrix.shape[-2], limit), pool_factor(matrix.shape[-1], limit)
    return max_pool(matrix, fy, fx), fy, fx
