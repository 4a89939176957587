"""Pruning an information-flow graph backwards from the prediction (Ferrando & Voita 2024).

Pure numpy: the window re-prunes at a higher threshold without the model (an edge kept at a higher
threshold was kept at every lower one, so the engine sends the graph pruned at a low floor).
Edges are rows (from layer, from position, to layer, to position, head or −1, weight).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

EDGE_COLUMNS = ("from_layer", "from_position", "to_layer", "to_position", "head", "weight")


def prune_flow(edges: NDArray[np.float32], layer: int, position: int, threshold: float) -> NDArray[np.float32]:
    """The edges of weight ≥ threshold that reach node (layer, position) through such edges, layer by layer
    down: [edge, 6], in the order given."""
    edges = np.asarray(edges, np.float32).reshape(-1, 6)
    keep = np.zeros(len(edges), bool)
    reached = {position}
    strong = edges[:, 5] >= threshold
    for to_layer in range(layer, 0, -1):
        into = strong & (edges[:, 2] == to_layer) & np.isin(edges[:, 3], list(reached))
        keep |= into
        reached = set(edges[into, 1].astype(int).tolist())
        if not reached:
            break
    return edges[keep]
