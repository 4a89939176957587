"""How attention weights map to colour: linear, log or per row, optionally past the first token.

Many language models park most of every row's weight on token 0 (an "attention sink"), which
leaves the rest of a linear heatmap black. These transforms change only what is drawn; hover
text, the inspector and every analysis keep the true weights. Pure numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Scale = Literal["linear", "log", "row"]
SCALES: dict[Scale, str] = {"linear": "linear", "log": "log", "row": "per row"}
LOG_DECADES = 4  # the log scale spans weights from 10⁻⁴ (darkest) to 1 (brightest)
LABEL_PX = 36  # of colour bar per label: a line of text and a gap
MOST_LABELS = 6  # on a tall bar


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


def colour_bar_ticks(scale: Scale, levels: tuple[float, float], height: float) -> list[tuple[float, str]]:
    """Where the colour bar names values, and what: (colour value, label), bottom to top.

    At most one label per LABEL_PX of the bar's `height` (pixels), never fewer than two; every label
    distinct and written with the decimals its neighbours need (a short bar over 0–0.003 reads
    "0, 0.001, 0.002, 0.003", never "0, 0, 0"). log: the weights of powers of ten; row: 0 and max of each
    row; linear (and a difference, and contributions): the colour values themselves, which are the numbers.
    """
    most = min(MOST_LABELS, max(2, int(height // LABEL_PX) + 1))
    lo, hi = sorted(levels)
    if scale == "log":
        decades = [(d / LOG_DECADES, _power_of_ten(d - LOG_DECADES)) for d in range(LOG_DECADES + 1)]
        decades[0] = (0.0, "≤" + decades[0][1])  # smaller weights (and 0) get the darkest colour too
        every = -(-(len(decades) - 1) // (most - 1))  # ceil: thinned out evenly, both ends kept
        return [tick for i, tick in enumerate(decades) if i % every == 0 or i == len(decades) - 1]
    if scale == "row":
        return [(0.0, "0"), (1.0, "max")]  # of each row
    return _round_ticks(lo, hi, most)


def _round_ticks(lo: float, hi: float, most: int) -> list[tuple[float, str]]:
    """At most `most` round values (1, 2 or 5 × 10^k apart) from lo to hi, labelled distinctly."""
    span = hi - lo
    if not (math.isfinite(span) and span > 0):
        return [(float(lo), _decimal(lo, 3))]
    rough = span / (most - 1)
    power = 10.0 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough * (1 - 1e-9))
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    values = [round(k * step, 12) for k in range(first, last + 1)]  # 0.3, not 0.30000000000000004
    if len(values) < 2:  # a range narrower than a round step: its two ends
        values, step = [float(lo), float(hi)], span
    digits = max(0, -math.floor(math.log10(step) + 1e-9))
    labels = [_decimal(v, digits) for v in values]
    while len(set(labels)) < len(labels) and digits < 12:
        digits += 1
        labels = [_decimal(v, digits) for v in values]
    return list(zip(values, labels, strict=True))


def _decimal(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}"
    if float(text) == 0:
        return "0"  # never "-0" or "0.000"
    return text.replace("-", "−")  # a minus sign, as wide as a plus


def _power_of_ten(exponent: int) -> str:
    return {0: "1", -1: "0.1", -2: "0.01"}.get(exponent, f"1e{exponent}")
