"""Refusals of a head or a position that the model or the current input does not have, saying what there is.

Torch-free: sessions check a region's head with them, the formula inspector a cell's head and positions.
"""

from __future__ import annotations

from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.results import ModelInfo, StackName


def check_head(info: ModelInfo, stack: str, layer: int, head: int) -> StackName:
    """Refuse a head the model does not have, saying what there is; the stack's name, checked."""
    shapes = {s.name: s for s in info.stacks}
    if stack not in shapes:
        raise EngineError("no_such_stack", model=info.name, stack=stack, stacks=", ".join(shapes))
    s = shapes[stack]
    if not 0 <= layer < s.layers:
        raise EngineError("layer_out_of_range", layer=layer, stack=stack, layers=s.layers, range=f"0..{s.layers - 1}")
    if not 0 <= head < s.heads:
        raise EngineError("head_out_of_range", head=head, stack=stack, heads=s.heads, range=f"0..{s.heads - 1}")
    return s.name


def check_positions(stack: str, query: int, key: int, queries: int, keys: int) -> None:
    """Refuse a query or key the current input does not have. A hidden cell (above a causal diagonal,
    knocked out) is fine: it explains why its weight is 0."""
    if not 0 <= query < queries:
        raise EngineError("query_out_of_range", query=query, queries=queries, range=f"0..{queries - 1}")
    if not 0 <= key < keys:
        where = "source" if stack == "cross" else "sequence"
        raise EngineError("key_out_of_range", key=key, where=where, keys=keys, range=f"0..{keys - 1}")
