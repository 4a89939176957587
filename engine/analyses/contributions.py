"""Contributions from weights: ‖f_ij‖ = α_ij · ‖v_j W_Oʰ‖ and each cell's share of its row.

Pure numpy, so the window turns the weights it shows into contributions without the model: the
engine measures ‖v_j W_Oʰ‖ once per input (`engine.interpret.contributions`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def contribution_norms(weights: NDArray[np.float32], projected: NDArray[np.float32]) -> NDArray[np.float32]:
    """‖f_ij‖ = α_ij ‖v_j W_Oʰ‖: weights [..., query, key] and projected norms [..., key] (the same leading axes)."""
    keys = weights.shape[-1]
    return (weights * projected[..., None, :keys]).astype(np.float32, copy=False)


def row_share(contributions: NDArray[np.float32]) -> NDArray[np.float32]:
    """‖f_ij‖ / Σ_j ‖f_ij‖ along the last axis (0 for a row that moves nothing)."""
    total = contributions.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, contributions / np.where(total > 0, total, 1), 0)
    return share.astype(np.float32, copy=False)
