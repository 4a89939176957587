"""The store: float16, causal stacks as a packed lower triangle, size known before allocating."""

import numpy as np
import pytest

from attnlab.engine.api.attention_store import AttentionStore, stack_bytes
from attnlab.engine.api.memory_budget import AttentionMemoryError, check_fits


def _causal(rng, heads, n):
    probs = np.tril(rng.random((heads, n, n))) + 1e-3 * np.tri(n)
    return (probs / probs.sum(-1, keepdims=True)).astype(np.float16)


def test_causal_rows_round_trip_prefill_then_steps():
    rng = np.random.default_rng(0)
    full = _causal(rng, 3, 9)
    store = AttentionStore()
    store.configure("decoder", layers=2, heads=3, causal=True, keys=0, capacity=4)  # grows while stepping
    store.write("decoder", 1, 0, full[:, :5, :5])  # prefill 5 tokens
    store.set_rows("decoder", 5)
    for row in range(5, 9):  # one query row per step
        store.write("decoder", 1, row, full[:, row : row + 1, : row + 1])
        store.set_rows("decoder", row + 1)
    snap = store.snapshot()
    np.testing.assert_array_equal(snap.layer("decoder", 1), full.astype(np.float32))
    np.testing.assert_array_equal(snap.matrix("decoder", 1, 2), full[2].astype(np.float32))
    np.testing.assert_array_equal(snap.row("decoder", 7)[1], full[:, 7, :8].astype(np.float32))
    assert snap.shape("decoder") == (2, 3, 9, 9)
    assert snap.nbytes == stack_bytes(2, 3, 9, 9, causal=True) == 2 * 3 * 45 * 2


def test_snapshot_is_unaffected_by_later_truncation_and_growth():
    rng = np.random.default_rng(1)
    full = _causal(rng, 2, 6)
    store = AttentionStore()
    store.configure("decoder", 1, 2, True, 0, capacity=6)
    store.write("decoder", 0, 0, full[:, :4, :4])
    store.set_rows("decoder", 4)
    old = store.snapshot()
    store.set_rows("decoder", 3)  # undo
    assert store.snapshot().shape("decoder")[2] == 3
    np.testing.assert_array_equal(old.matrix("decoder", 0, 1), full[1, :4, :4].astype(np.float32))


def test_dense_stack_and_mean_over_heads():
    rng = np.random.default_rng(2)
    probs = rng.random((4, 3, 5)).astype(np.float16)
    store = AttentionStore()
    store.configure("cross", 2, 4, False, keys=5, capacity=3)
    store.write("cross", 0, 0, probs)
    store.set_rows("cross", 3)
    snap = store.snapshot()
    np.testing.assert_allclose(snap.mean("cross", 0), probs.astype(np.float32).mean(0), rtol=1e-6)
    assert snap.layer("cross", 0).dtype == np.float32
    with pytest.raises(ValueError, match="keys"):
        store.write("cross", 0, 0, probs[:, :, :4])
    with pytest.raises(KeyError, match="no 'decoder' attention"):
        snap.matrix("decoder", 0, 0)
    with pytest.raises(IndexError, match="layer 5 out of range"):
        snap.matrix("cross", 5, 0)


def test_allocation_is_close_to_the_minimum():
    store = AttentionStore()
    store.configure("decoder", 30, 9, True, 0, capacity=2048)
    assert store.allocated_bytes == stack_bytes(30, 9, 2048, 2048, True)


def test_request_that_does_not_fit_is_refused_before_allocating():
    with pytest.raises(AttentionMemoryError, match="needs .* GiB but only .* GiB is free: use a shorter text"):
        check_fits(10 * 2**30, "attention for 100000 tokens", budget=2**30)
