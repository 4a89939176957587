"""float16 → float32 through a 65,536-entry table: the attention store keeps float16, and numpy
converts float16 one element at a time in software (about 30 ns each here), while a table lookup is
a plain gather (a few ns). Exact: the table holds the conversion of every float16 bit pattern."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

_ALL = np.arange(1 << 16, dtype=np.uint16).view(np.float16)  # every float16, by its bits


@lru_cache(maxsize=8)
def table(function: Callable[[NDArray[np.float32]], NDArray[np.float32]] | None = None) -> NDArray[np.float32]:
    """[65536] float32: function(x) for every float16 x, as float32 (None: x itself)."""
    values = _ALL.astype(np.float32)
    if function is not None:
        with np.errstate(all="ignore"):  # NaN and infinity bit patterns: whatever they give
            values = np.asarray(function(values), np.float32)
    values.setflags(write=False)
    return values


def widen(
    values: NDArray[np.floating], function: Callable[[NDArray[np.float32]], NDArray[np.float32]] | None = None
) -> NDArray[np.float32]:
    """function(values) (or values) as float32, same shape; `function` must be a module-level function
    (tables are cached by it)."""
    return table(function)[np.asarray(values, np.float16).view(np.uint16)]
