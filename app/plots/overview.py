"""What the large heatmap draws of a long document: the head's max-pooled overview, in token units, and
the exact weights of the region the user zoomed into, once the engine has recomputed them.

Plain numpy, no Qt: the heatmap draws it, tests read it.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from attnlab.app.colour_scale import Scale

Bounds = tuple[int, int, int, int]  # (first query, end query, first key, end key): half-open token ranges


def covers(outer: Bounds, inner: Bounds) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1] and outer[2] <= inner[2] and inner[3] <= outer[3]


@dataclass(frozen=True)
class ExactRegion:
    """Exact weights of queries q0..q1-1 × keys k0..k1-1, and the colours drawn for them."""

    bounds: Bounds
    weights: NDArray[np.float32]  # [query, key]
    colours: NDArray[np.float32]  # [query, key] in [0, 1]

    def holds(self, query: int, key: int) -> bool:
        q0, q1, k0, k1 = self.bounds
        return q0 <= query < q1 and k0 <= key < k1


@dataclass(frozen=True)
class Overview:
    """One head of a long document: cell (i, j) is the largest weight of queries i·factor.. × keys j·factor..

    `key` says what the weights are of (layer, head, analysis…): an exact region asked for one key is
    never drawn over another's overview.
    """

    weights: NDArray[np.float32]  # [cell, cell]
    colours: NDArray[np.float32]  # [cell, cell] in [0, 1], what is drawn
    factor: int  # tokens per cell along each axis
    size: int  # tokens along each axis
    key: Hashable
    scale: Scale = "linear"  # the colour scale of `colours`

    def cell(self, query: int, key: int) -> float:
        return float(self.weights[query // self.factor, key // self.factor])

    def block(self, query: int, key: int) -> Bounds:
        """The tokens of the cell that holds (query, key)."""
        f = self.factor
        q0, k0 = query // f * f, key // f * f
        return q0, min(q0 + f, self.size), k0, min(k0 + f, self.size)


def wanted_region(visible: Bounds, size: int, limit: int) -> Bounds:
    """A region of up to `limit` × `limit` tokens around the visible one, within 0..size: asked for once,
    it also covers small pans."""

    def widen(first: int, end: int) -> tuple[int, int]:
        extra = max(0, limit - (end - first))
        first = max(0, first - extra // 2)
        end = min(size, first + max(limit, end - first))
        return max(0, min(first, end - limit)), end

    q0, q1 = widen(visible[0], visible[1])
    k0, k1 = widen(visible[2], visible[3])
    return q0, q1, k0, k1
