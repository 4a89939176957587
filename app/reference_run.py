"""A pinned reference run, kept app-side as numpy and plain values: its attention (copied from the
snapshot when pinned) and each generated position's token probabilities, to compare later runs with."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from attnlab.app.document import Document, chosen_prob
from attnlab.app.widgets.reference_view import pinned


@dataclass(frozen=True)
class ReferenceRun:
    attention: dict[str, NDArray[np.float32]]  # stack -> [layer, head, query, key]
    token_probs: dict[int, dict[int, float]]  # strip position -> token id -> probability (top-k, token taken)


def pin(document: Document) -> ReferenceRun | None:
    """The document's current run as a reference (None: nothing analysed yet)."""
    snapshot = document.snapshot
    if snapshot is None:
        return None
    start = len(document.prefix_tokens)
    probs: dict[int, dict[int, float]] = {}
    for index, step in enumerate(document.steps):
        here = {c.token_id: c.prob for c in step.candidates}
        taken = chosen_prob(step)
        if taken is not None:
            here[step.token_id] = taken
        probs[start + index] = here
    following = (
        document.steps[-1].next_candidates
        if document.steps
        else (document.analysis.next_candidates if document.analysis is not None else ())
    )
    probs[start + len(document.steps)] = {c.token_id: c.prob for c in following}
    return ReferenceRun(pinned(snapshot), probs)


def strip_probabilities(reference: ReferenceRun, document: Document) -> dict[int, float]:
    """position -> the reference's probability of the token generated there now (where it knew it)."""
    start = len(document.prefix_tokens)
    out = {}
    for index, step in enumerate(document.steps):
        prob = reference.token_probs.get(start + index, {}).get(step.token_id)
        if prob is not None:
            out[start + index] = prob
    return out


def candidate_probabilities(reference: ReferenceRun, document: Document) -> dict[int, float]:
    """token id -> the reference's probability at the position whose candidates are shown."""
    steps = len(document.steps)
    index = (steps - 1 if document.selected is None else document.selected) if steps else 0
    return reference.token_probs.get(len(document.prefix_tokens) + index, {})
