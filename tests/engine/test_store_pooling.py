"""The store's fast paths give exactly what the plain definitions give: unpacking the triangle,
and max-pooling for display straight from the packed rows."""

import numpy as np
import pytest

from attnlab.engine.api.attention_store import AttentionStore
from attnlab.engine.api.pooling import max_pool


def _reference_pool(matrix: np.ndarray, fy: int, fx: int) -> np.ndarray:
    """Max over zero-padded fy × fx blocks, written the obvious way."""
    *lead, rows, cols = matrix.shape
    out = np.zeros((*lead, -(-rows // fy), -(-cols // fx)), np.float32)
    for r in range(out.shape[-2]):
        for c in range(out.shape[-1]):
            out[..., r, c] = matrix[..., r * fy : (r + 1) * fy, c * fx : (c + 1) * fx].max(axis=(-2, -1))
    return out


def _causal_store(rows: int, heads: int = 3, layers: int = 2) -> tuple[AttentionStore, np.ndarray]:
    rng = np.random.default_rng(rows)
    full = np.tril(rng.random((layers, heads, rows, rows))).astype(np.float16)  # [layer, head, query, key]
    store = AttentionStore()
    store.configure("decoder", layers, heads, causal=True, keys=rows, capacity=rows + 5)  # spare capacity
    for layer in range(layers):
        store.write("decoder", layer, 0, full[layer, :, :1, :1])
        for row in range(1, rows):
            store.write("decoder", layer, row, full[layer, :, row : row + 1, : row + 1])
    store.set_rows("decoder", rows)
    return store, full.astype(np.float32)


@pytest.mark.parametrize("rows", [1, 2, 7, 16, 33])
def test_unpacked_triangle_matches_what_was_written(rows: int) -> None:
    store, full = _causal_store(rows)
    snap = store.snapshot()
    np.testing.assert_array_equal(snap.layer("decoder", 1), full[1])
    np.testing.assert_array_equal(snap.matrix("decoder", 0, 2), full[0, 2])
    assert snap.matrix("decoder", 0, 2).dtype == np.float32


@pytest.mark.parametrize("shape", [(5, 7), (3, 16, 16), (2, 9, 11)])
@pytest.mark.parametrize("factors", [(1, 1), (2, 2), (3, 2), (4, 5), (16, 16)])
def test_max_pool_matches_reference(shape: tuple[int, ...], factors: tuple[int, int]) -> None:
    matrix = np.random.default_rng(0).random(shape).astype(np.float32)
    got = max_pool(matrix, *factors)
    np.testing.assert_array_equal(got, _reference_pool(matrix, *factors))
    assert got.dtype == np.float32 and got.flags.c_contiguous


@pytest.mark.parametrize("rows", [1, 6, 17, 40])
@pytest.mark.parametrize("factors", [(1, 1), (2, 2), (3, 4), (7, 7), (64, 64)])
def test_pooled_causal_equals_pooling_the_full_matrix(rows: int, factors: tuple[int, int]) -> None:
    store, full = _causal_store(rows)
    snap = store.snapshot()
    np.testing.assert_array_equal(snap.pooled("decoder", 1, None, *factors), _reference_pool(full[1], *factors))
    np.testing.assert_array_equal(snap.pooled("decoder", 0, 2, *factors), _reference_pool(full[0, 2], *factors))


def test_pooled_dense_stack() -> None:
    probs = np.random.default_rng(1).random((4, 6, 9)).astype(np.float16)  # [head, query, key]
    store = AttentionStore()
    store.configure("cross", 1, 4, causal=False, keys=9, capacity=8)
    store.write("cross", 0, 0, probs)
    store.set_rows("cross", 6)
    pooled = store.snapshot().pooled("cross", 0, None, 2, 4)
    np.testing.assert_array_equal(pooled, _reference_pool(probs.astype(np.float32), 2, 4))
