"""The colour map and the few colours the views share."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray

from attnlab.engine.api.pooling import max_pool

COLORMAP_NAME = "viridis"
LEVELS = (0.0, 1.0)  # attention probabilities; the colour bar lets the user narrow them
GRID_LINE = "#d0d0d0"
SELECTION = "#ff4081"
ABLATED = "#e53935"


@lru_cache(maxsize=1)
def colormap() -> pg.ColorMap:
    return pg.colormap.get(COLORMAP_NAME)


@lru_cache(maxsize=1)
def lookup_table() -> NDArray[np.uint8]:
    """256 RGB entries: [256, 3]."""
    return colormap().getLookupTable(nPts=256, alpha=False)


def peak_pool(matrix: NDArray[np.float32], fy: int, fx: int) -> NDArray[np.float32]:
    """Signed values pooled for display over fy × fx blocks ([..., rows, cols]): each block shows its value
    of largest magnitude, so peaks of either sign stay visible."""
    high, low = max_pool(matrix, fy, fx), -max_pool(-matrix, fy, fx)
    return np.where(high >= -low, high, low)


DIVERGING = ((0.0, (33, 102, 172)), (0.49, (255, 255, 255)), (0.51, (255, 255, 255)), (1.0, (178, 24, 43)))


@lru_cache(maxsize=1)
def diverging_colormap() -> pg.ColorMap:
    """Blue (negative) to red (positive) through white; white spans the middle 2 %, so with symmetric
    levels a difference of zero draws white in a lookup table of 256 entries."""
    return pg.ColorMap([p for p, _ in DIVERGING], [c for _, c in DIVERGING])
