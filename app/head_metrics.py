"""The head scores the window can colour the head grid by and list in the heads table.

Names are those of `engine.analyses.HeadFingerprints.arrays()` (and `attnlab export --analyses
heads`), plus "probe_induction": the induction score on the induction probe rather than the text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from attnlab.engine.analyses.head_scores import HeadScores

PROBE = "probe_induction"


@dataclass(frozen=True)
class Metric:
    title: str  # column header and picker entry
    tip: str
    fraction: bool  # a share of the weight: coloured on 0 … 1; else on 0 … the largest value shown


METRICS: dict[str, Metric] = {
    "prev_token": Metric("previous token", "Mean weight on the token just before the query", True),
    "induction": Metric(
        "induction",
        "Mean weight on the tokens that followed earlier copies of the query's token, over the "
        "queries whose token appeared before (decoder only; — when no token repeats)",
        True,
    ),
    PROBE: Metric(
        "probe induction",
        "Induction score on seeded random tokens repeated twice: near 1 for an induction "
        'head (press "Induction probe")',
        True,
    ),
    "sink": Metric("sink", "Mean weight on the first token (an attention sink)", True),
    "self": Metric("self", "Mean weight on the query's own token", True),
    "entropy": Metric("entropy", "How spread out a query's attention is: mean −Σ p log p, in nats", False),
    "distance": Metric("distance", "How far a head looks: mean Σ p·|query − key|, in tokens", False),
}


def metric_values(name: str, scores: HeadScores | None, probe: HeadScores | None) -> NDArray[np.float32] | None:
    """[layer, head] values of one metric: from the probe's scores for PROBE, else the text's; None if not there."""
    if name == PROBE:
        return None if probe is None else probe.prints.induction
    return None if scores is None else scores.prints.arrays()[name]


def colour_range(name: str, values: NDArray[np.float32]) -> tuple[float, float]:
    """The values mapped to the ends of the colour scale."""
    if METRICS[name].fraction:
        return 0.0, 1.0
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if finite.size else 1.0
    return 0.0, top if top > 0 else 1.0


def format_value(value: float) -> str:
    return "—" if not np.isfinite(value) else f"{value:.3f}"
