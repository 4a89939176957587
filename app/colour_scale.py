"""How attention weights map to colour: linear, log or per row, optionally past the first token.

Many language models park most of every row's weight on token 0 (an "attention sink"), which
leaves the rest of a linear heatmap black. These transforms change only what is drawn; hover
text, the inspector and every analysis keep the true weights. Pure numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Scale = Literal["linear", "log", "row"]
SCALES: dict[Scale, str] = {"linear": "linear", "log": "log", "row": "per row"}
LOG_DECADES = 4  # the log scale spans weights from 10⁻⁴ (darkest) to 1 (brightest)


@dataclass(frozen=True)
class ScaledMatrix:
    image: NDArray[np.float32]  # [query, key] in [0, 1], what is drawn
    hidden: float | None  # first token hidden: mean over rows of the weight it had; None if not hidden


def hide_first_key(matrix: NDArray[np.float32]) -> tuple[NDArray[np.float32], float]:
    """Rows without key 0, renormalised to sum to 1 over the other keys, and the mean weight key 0 had.

    A row whose whole weight was on key 0 (the first query of a causal head) becomes all zeros.
    """
    first = matrix[:, 0]
    rest = np.array(matrix, dtype=np.float32, copy=True)
    rest[:, 0] = 0.0
    total = rest.sum(axis=1, keepdims=True)
    np.divide(rest, total, out=rest, where=total > 0)
    rest[(total <= 0)[:, 0]] = 0.0
    return rest, float(first.mean()) if len(first) else 0.0


def scale_for_display(matrix: NDArray[np.float32], scale: Scale = "linear", hide_first: bool = False) -> ScaledMatrix:
    """[query, key] weights -> [query, key] colour values in [0, 1].

    linear: the weight itself. log: (log10 p + LOG_DECADES) / LOG_DECADES, clipped to [0, 1], with
    p = 0 (masked or knocked out) staying 0. row: each row divided by its largest weight.
    """
    values = np.asarray(matrix, dtype=np.float32)
    hidden = None
    if hide_first and values.ndim == 2 and values.shape[1] > 1:
        values, hidden = hide_first_key(values)
    if scale == "log":
        with np.errstate(divide="ignore"):
            logged = (np.log10(values) + LOG_DECADES) / LOG_DECADES
        image = np.where(values > 0, np.clip(logged, 0.0, 1.0), 0.0).astype(np.float32)
    elif scale == "row":
        peak = values.max(axis=1, keepdims=True) if values.size else values
        image = np.divide(values, peak, out=np.zeros_like(values), where=peak > 0)
    else:
        image = values
    return ScaledMatrix(np.ascontiguousarray(image, dtype=np.float32), hidden)


def colour_bar_ticks(scale: Scale) -> list[tuple[float, str]] | None:
    """Where the colour bar should name weights for `scale`: (colour value, label); None: its own numbers
    (linear colours are the weights)."""
    if scale == "log":
        ticks = [(d / LOG_DECADES, _power_of_ten(d - LOG_DECADES)) for d in range(LOG_DECADES + 1)]
        return [(0.0, "≤" + ticks[0][1]), *ticks[1:]]  # smaller weights (and 0) get the darkest colour too
    if scale == "row":
        return [(0.0, "0"), (1.0, "max")]  # of each row (short: the bar leaves no room for more)
    return None


def _power_of_ten(exponent: int) -> str:
    return {0: "1", -1: "0.1", -2: "0.01"}.get(exponent, f"1e{exponent}")
