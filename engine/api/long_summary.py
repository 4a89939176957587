"""What the long-document store mode hands out: per head, a max-pooled overview written during the forward.

Pure numpy (no torch, no Qt), so the GUI can read it. Exact regions are recomputed on the engine's
thread (`GenerationSession.region`), never read from here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from attnlab.engine.api.pooling import max_pool

OVERVIEW_PIXELS = 512  # an overview is at most this many cells square


def overview_factor(capacity: int) -> int:
    """Rows (and keys) per overview cell: the smallest that fits `capacity` tokens into OVERVIEW_PIXELS."""
    return max(1, math.ceil(capacity / OVERVIEW_PIXELS))


@dataclass(frozen=True)
class LongAttention:
    """A frozen view of one causal stack in long mode.

    `pooled` is [layer, head, ceil(capacity/factor), ceil(capacity/factor)] float16: cell (i, j) is the
    largest weight of query rows i·factor.. and keys j·factor.. (rows below `rows` are valid).
    """

    stack: str
    pooled: NDArray[np.float16]
    factor: int
    rows: int

    def shape(self) -> tuple[int, int, int, int]:
        """[layer, head, query, key] of the attention it summarises."""
        return self.pooled.shape[0], self.pooled.shape[1], self.rows, self.rows

    def overview(
        self, layer: int, head: int | None, fy: int | None = None, fx: int | None = None
    ) -> NDArray[np.float32]:
        """Max-pooled blocks of fy × fx cells (multiples of `factor`; default: `factor`), [q, k], or [head, q, k]
        when head is None: equal to max-pooling the exact matrix."""
        fy, fx = fy or self.factor, fx or self.factor
        if fy % self.factor or fx % self.factor:
            raise ValueError(f"long-mode overviews pool blocks of a multiple of {self.factor} tokens, not {fy} × {fx}")
        cells = -(-self.rows // self.factor)
        heads = slice(None) if head is None else head
        return max_pool(self.pooled[layer, heads, :cells, :cells], fy // self.factor, fx // self.factor)
