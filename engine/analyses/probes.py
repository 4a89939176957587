"""Token sequences that make a kind of head show itself."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def induction_probe(length: int, vocab_size: int, seed: int = 0, low: int = 0) -> NDArray[np.int64]:
    """`length` distinct random token ids from [low, vocab_size), then the same ids again: [2 · length].

    In the second half every query's token appeared once before, so an induction head attends to
    the token that followed it there (query q → key q − length + 1) and scores 1; the first half
    has no repeats. `low` skips special tokens at the start of the vocabulary.
    """
    if length < 2:
        raise ValueError(f"an induction probe needs at least 2 tokens per half, got {length}")
    if not 0 <= low < vocab_size or length > vocab_size - low:
        raise ValueError(f"cannot draw {length} distinct ids from [{low}, {vocab_size}): use a shorter probe")
    half = np.random.default_rng(seed).choice(np.arange(low, vocab_size, dtype=np.int64), length, replace=False)
    return np.concatenate([half, half])
