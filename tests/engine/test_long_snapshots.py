"""What results carry in long mode: overviews that never change once handed out, equal to the exact store's
max-pooling after every step and undo, whether a copy is reused or made afresh."""

import gc

import numpy as np
from tiny_models import tiny_gpt2

from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.api.pooling import max_pool
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import GenerationSession

PROMPT = "the cat sat on the mat and the dog ran to the big red rug in Paris"


def _session(mode: str) -> GenerationSession:
    session = GenerationSession(wrap_model(*tiny_gpt2(), name="gpt2"))
    session.prefill_block = 4
    session.store_mode = mode
    session.set_sampling(SamplingConfig(max_new_tokens=12))
    return session


def _check(long, exact: GenerationSession) -> None:
    snapshot = exact.state().attention
    layers, heads, rows, _ = snapshot.shape("decoder")
    assert long.rows == rows
    for layer in range(layers):
        for head in range(heads):
            expected = max_pool(snapshot.matrix("decoder", layer, head), long.factor, long.factor)
            np.testing.assert_array_equal(long.overview(layer, head), expected)


def test_handed_out_overviews_stay_frozen_and_exact(monkeypatch):
    # cells of 6 × 6 tokens: steps share a row
    monkeypatch.setattr("attnlab.engine.api.long_summary.OVERVIEW_PIXELS", 5)
    exact, long = _session("exact"), _session("long")
    first = long.prefill(PROMPT).long
    exact.prefill(PROMPT)
    _check(first, exact)
    kept = first.pooled.copy()
    assert not first.pooled.flags.writeable
    for token in (9, 10, 11):  # `first` is held: every step gets a copy of its own
        step = long.step(choose=token).long
        exact.step(choose=token)
        _check(step, exact)
    np.testing.assert_array_equal(first.pooled, kept)  # held: never changed
    del first, step
    gc.collect()
    reused = []
    for token in (12, 13):  # let go: a copy is brought up to date instead
        before = {id(entry[0]) for entry in long._frozen._copies}
        step = long.step(choose=token).long
        exact.step(choose=token)
        reused.append(id(step.pooled) in before)
        _check(step, exact)
        del step
    assert all(reused)
    held = long.state().long
    kept = held.pooled.copy()
    undone = long.undo().long  # rebuilds the last row of cells
    exact.undo()
    assert held.rows == undone.rows + 1 and held.pooled is not undone.pooled
    _check(undone, exact)
    again = long.step(choose=14).long
    exact.step(choose=14)
    _check(again, exact)
    np.testing.assert_array_equal(held.pooled, kept)
