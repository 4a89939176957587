"""Two runs side by side: how much each head's attention moved from one run to the other."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def js_divergence(a: NDArray[np.float32], b: NDArray[np.float32]) -> NDArray[np.float32]:
    """Jensen–Shannon divergence per head, in bits (0: same rows, 1: disjoint), [layer, head].

    a, b: [layer, head, query, key] attention of the same tokens in two runs. For each query row,
    JS(p, q) = ½ KL(p ‖ m) + ½ KL(q ‖ m) with m = ½ (p + q) and 0 · log 0 = 0; the head's value is
    the mean over its query rows.
    """
    if a.shape != b.shape or a.ndim != 4:
        raise ValueError(
            f"js_divergence needs two [layer, head, query, key] arrays of one shape, got {a.shape} and {b.shape}"
        )
    p, q = a.astype(np.float64), b.astype(np.float64)
    m = (p + q) / 2
    return (0.5 * (_kl(p, m) + _kl(q, m))).mean(axis=-1).astype(np.float32)


def _kl(p: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Σ_k p log2(p / m) over the key axis; m > 0 wherever p > 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(p / m), 0.0)
    return terms.sum(axis=-1)
