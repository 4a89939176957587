"""Where a session keeps attention: exact rows in the store, or the long-document mode; decided before a run.

Apart from the sessions because it changes for its own reasons (memory budgets, which models have a
long mode), not with generation: a session asks `choose_store` once per prefill and `check_store_fits`
before it configures the store, and both refuse (AttentionMemoryError) before anything changes.
"""

from __future__ import annotations

from attnlab.engine.api.attention_store import stack_bytes
from attnlab.engine.api.config import StoreMode
from attnlab.engine.api.errors import UnsupportedError
from attnlab.engine.api.memory_budget import AttentionMemoryError, check_fits
from attnlab.engine.api.messages import message
from attnlab.engine.api.results import StackName
from attnlab.engine.long import store as long_store
from attnlab.engine.models.loading import LoadedModel

PREFILL_BLOCK = 512  # queries per prefill forward: a layer's scores are at most [head, 512, key] float32
# "auto" keeps exact rows while their store takes at most this much (SmolLM2: ~2,300 tokens with room to generate),
# so that a long document costs a few GB, not most of the RAM; beyond it, the long mode where the model has one.
AUTO_EXACT_BYTES = 3 * 2**29  # 1.5 GiB

Rows = dict[StackName, tuple[int, int]]  # stack -> (row capacity, keys) of the attention store
Shapes = dict[StackName, tuple[int, int]]  # stack -> (layers, heads)


def check_store_fits(shapes: Shapes, rows: Rows, limit: int | None = None) -> None:
    """Refuse exact rows that would not fit (or take more than `limit` bytes)."""
    needed = 0
    for stack, (capacity, keys) in rows.items():
        layers, heads = shapes[stack]
        needed += stack_bytes(layers, heads, capacity, keys, stack == "decoder")
    # The forward also holds one layer's probabilities (float32) at a time: every query of an encoder,
    # one prefill block of the others.
    widest = max(
        (shapes[s][1] * (c if s == "encoder" else min(c, PREFILL_BLOCK)) * k * 4 for s, (c, k) in rows.items()),
        default=0,
    )
    check_fits(
        needed + 3 * widest, message("memory_attention_tokens", tokens=max(c for c, _ in rows.values())), limit=limit
    )


def choose_store(
    mode: StoreMode, loaded: LoadedModel, shapes: Shapes, rows: Rows, capacity: int, block: int
) -> long_store.LongState | None:
    """None: exact rows in the store; else the long mode's state for `capacity` tokens fed `block` queries
    at a time. "exact" refuses what does not fit; "long" refuses a model without a long mode; "auto" takes
    exact rows while they take at most AUTO_EXACT_BYTES, the long mode beyond, and exact rows as long as
    they fit at all for a model without one."""
    if mode == "long":
        return long_store.plan(loaded, capacity, block)
    try:
        check_store_fits(shapes, rows, AUTO_EXACT_BYTES if mode == "auto" else None)
        return None
    except AttentionMemoryError:
        if mode == "exact":
            raise
    try:
        return long_store.plan(loaded, capacity, block)
    except UnsupportedError as why:
        try:  # no long mode for this model: exact rows as long as they fit the memory at all
            check_store_fits(shapes, rows)
            return None
        except AttentionMemoryError as exact:
            raise AttentionMemoryError("memory_and_no_long_mode", exact=exact.message, why=why.message) from None
