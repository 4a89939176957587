"""What the window asks of the analyses: head fingerprints and rollout of one stack of a snapshot.

Pure numpy (no torch, no Qt): the worker thread runs these on the snapshot the window shows, and
the reply carries that snapshot back, so the window knows what the numbers belong to. A stack is
read one layer at a time: a whole float32 stack of SmolLM2 at 512 tokens would be 280 MB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from attnlab.engine.analyses import HeadFingerprints, head_fingerprints, packed_fingerprints, rollout_of_means
from attnlab.engine.api.attention_store import AttentionSnapshot
from attnlab.engine.api.errors import EngineError

SELF_ATTENTION = ("encoder", "decoder")  # stacks whose queries and keys are the same tokens


@dataclass(frozen=True, eq=False)  # arrays inside: equal only to itself
class HeadScores:
    """Every fingerprint of every head of one stack; arrays are float32 [layer, head]."""

    stack: str
    prints: HeadFingerprints
    tokens: int  # the length of the sequence they were computed on
    snapshot: AttentionSnapshot | None  # the attention they come from; None: the induction probe's own run
    probe_ids: NDArray[np.int64] | None = None  # the probe's token ids [2 · half], when it is the probe's


@dataclass(frozen=True, eq=False)  # arrays inside: equal only to itself
class StackRollout:
    stack: str
    matrices: NDArray[np.float32]  # [layer, query, key]: rollout through each layer
    snapshot: AttentionSnapshot | None  # the attention it comes from (the window's); None: an export's


def check_self_attention(snapshot: AttentionSnapshot, stack: str, what: str) -> None:
    if stack not in SELF_ATTENTION:
        raise EngineError("not_self_attention", what=what, stack=stack)
    if stack not in snapshot.stacks:
        raise EngineError("no_stack_to_analyse", stack=stack, stacks=", ".join(snapshot.stacks) or "none")


def head_scores(snapshot: AttentionSnapshot, stack: str, token_ids: Sequence[int] | None) -> HeadScores:
    """Fingerprints of every head of `stack` (attnlab.engine.analyses.fingerprints), layer by layer.
    `token_ids` [query]: the tokens along the axes; induction is scored for the decoder only."""
    check_self_attention(snapshot, stack, "head scores")
    layers, _heads, rows, _keys = snapshot.shape(stack)
    if rows == 0:
        raise EngineError("no_stack_to_score", stack=stack)
    ids = np.asarray(token_ids, np.int64) if stack == "decoder" and token_ids is not None else None
    if ids is not None and len(ids) != rows:
        raise EngineError("positions_ids_mismatch", stack=stack, rows=rows, ids=len(ids))
    if snapshot.is_causal(stack):  # the stored triangle as it is: no [head, query, key] matrices
        per_layer = [packed_fingerprints(snapshot.packed(stack, layer), rows, ids).arrays() for layer in range(layers)]
    else:
        per_layer = [head_fingerprints(snapshot.layer(stack, layer), False, ids).arrays() for layer in range(layers)]
    return HeadScores(stack, stacked_prints(per_layer), rows, snapshot)


def stacked_prints(per_layer: list[dict[str, NDArray[np.float32]]]) -> HeadFingerprints:
    """Fingerprints [layer, head] from each layer's `HeadFingerprints.arrays()` ([head] each)."""
    stacked = {name: np.stack([p[name] for p in per_layer]) for name in per_layer[0]}  # name -> [layer, head]
    return HeadFingerprints(
        entropy=stacked["entropy"],
        sink=stacked["sink"],
        prev_token=stacked["prev_token"],
        self_weight=stacked["self"],
        distance=stacked["distance"],
        induction=stacked["induction"],
    )


def stack_rollout(snapshot: AttentionSnapshot, stack: str) -> StackRollout:
    """Attention rollout of `stack` (attnlab.engine.analyses.attention_rollout) through every layer."""
    check_self_attention(snapshot, stack, "attention rollout")
    means = np.stack([snapshot.mean(stack, layer) for layer in range(snapshot.shape(stack)[0])])  # [layer, q, k]
    return StackRollout(stack, rollout_of_means(means), snapshot)
