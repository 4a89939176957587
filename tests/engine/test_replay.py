"""Prefill with replay: new masks over a whole generation, without losing the generated tokens."""

import numpy as np
import pytest
import torch
from tiny_models import EOS

from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.api.results import Masks
from attnlab.engine.session.sessions import GenerationSession

PROMPT = "the cat sat on the mat"


def _start(session, loaded, masks=Masks(), replay=()):
    if loaded.kind == "encoder-decoder":
        return session.prefill("", masks, source=PROMPT, replay=replay)
    return session.prefill(PROMPT, masks, replay=replay)


def _generate(loaded, count=5):
    """A sampled generation: its tokens and the state after it."""
    session = GenerationSession(loaded)
    session.set_sampling(SamplingConfig(greedy=False, temperature=1.5, seed=3))
    _start(session, loaded)
    steps = session.run(count)
    return session, steps


@pytest.mark.parametrize("name", ["gpt2", "llama", "bart", "t5"])
def test_replay_without_new_masks_equals_stepping(tiny, name):
    _, loaded = tiny(name)
    stepped, steps = _generate(loaded)
    tokens = [s.token_id for s in steps]
    session = GenerationSession(loaded)
    result = _start(session, loaded, replay=tokens)

    assert [s.token_id for s in result.steps] == tokens
    assert session.token_ids == stepped.token_ids and session.generated == len(tokens)
    # The result's tokens are the input only; the generated ones come as steps, never twice.
    prefix = result.decoder_tokens if loaded.kind == "encoder-decoder" else result.tokens
    assert len(prefix) == session.prompt_length
    assert [s.position for s in result.steps] == [s.position for s in steps]
    for mine, theirs in zip(result.steps, steps, strict=True):
        assert [c.token_id for c in mine.candidates[:3]] == [c.token_id for c in theirs.candidates[:3]]
        np.testing.assert_allclose([c.prob for c in mine.candidates], [c.prob for c in theirs.candidates], atol=1e-4)
        for stack in {"decoder", "cross"} & set(result.attention.stacks):
            row = stepped.state().attention.row(stack, theirs.position)
            np.testing.assert_allclose(result.attention.row(stack, mine.position), row, atol=2e-3)
    for stack in result.attention.stacks:
        np.testing.assert_allclose(result.attention.full(stack), stepped.state().attention.full(stack), atol=2e-3)
    torch.testing.assert_close(session._logits, stepped._logits, atol=1e-4, rtol=1e-4)
    # Stepping on from the replayed state is stepping on from the stepped one.
    assert session.step().candidates[0].token_id == stepped.step().candidates[0].token_id


def test_knocking_out_a_generated_token_keeps_the_generation(tiny):
    _, loaded = tiny("gpt2")
    stepped, steps = _generate(loaded, count=6)
    tokens = [s.token_id for s in steps]
    knocked = steps[1].position
    session = GenerationSession(loaded)
    result = _start(session, loaded, Masks(knockouts=frozenset({("decoder", knocked)})), replay=tokens)

    assert [s.token_id for s in result.steps] == tokens
    snap = result.attention
    for layer in range(snap.shape("decoder")[0]):
        attn = snap.layer("decoder", layer)  # [head, query, key]
        assert not attn[:, :, knocked].any()
        np.testing.assert_allclose(attn.sum(-1), 1.0, atol=3e-3)
    # Rows before the knocked token are untouched; the token after it sees a different past.
    before = stepped.state().attention.layer("decoder", 0)
    np.testing.assert_allclose(snap.layer("decoder", 0)[:, :knocked], before[:, :knocked], atol=2e-3)
    assert result.steps[2].candidates != steps[2].candidates
    # New steps keep ignoring the knocked-out key.
    session.step()
    assert not session.store.snapshot().layer("decoder", 1)[:, :, knocked].any()


def test_undo_drops_a_knock_out_on_the_removed_token(tiny):
    _, loaded = tiny("gpt2")
    _, steps = _generate(loaded, count=3)
    last = steps[-1].position
    session = GenerationSession(loaded)
    masks = Masks(knockouts=frozenset({("decoder", 1), ("decoder", last)}))
    _start(session, loaded, masks, replay=[s.token_id for s in steps])
    after = session.undo()
    assert after.masks.knocked("decoder") == {1}
    step = session.step(choose=steps[-1].token_id)  # the same token again, now not knocked out
    column = session.store.snapshot().layer("decoder", 0)[:, :, step.position]
    assert column[:, step.position].all()  # it attends to itself as any fresh token does


def test_replay_stops_at_end_of_text_and_at_the_length_limit(tiny):
    _, loaded = tiny("gpt2")
    session = GenerationSession(loaded)
    first = session.prefill(PROMPT).next_candidates[0].token_id
    result = session.prefill(PROMPT, replay=[first, EOS, first, first])
    assert [s.token_id for s in result.steps] == [first, EOS]
    assert result.finished and result.steps[-1].reason == "eos"
    assert session.generated == 2 and session.store.rows("decoder") == session.prompt_length + 2
    session.undo()
    assert not session.finished and session.step(choose=first).token_id == first

    session.set_sampling(SamplingConfig(max_new_tokens=3))
    result = session.prefill(PROMPT, replay=[first] * 5)
    assert len(result.steps) == 3 and result.finished and result.steps[-1].reason == "max_length"


def test_bad_replay_is_refused_before_anything_changes(tiny):
    _, loaded = tiny("gpt2")
    session = GenerationSession(loaded)
    session.prefill(PROMPT)
    session.step()
    ids = session.token_ids
    with pytest.raises(ValueError, match="not in the vocabulary"):
        session.prefill(PROMPT, replay=[loaded.info.vocab_size])
    with pytest.raises(ValueError, match="out of range"):
        session.prefill(PROMPT, Masks(knockouts=frozenset({("decoder", len(ids) + 3)})), replay=ids[-1:])
    assert session.token_ids == ids


@pytest.mark.parametrize("name", ["bart", "t5"])
def test_encoder_decoder_decoder_tokens_can_be_knocked_out(tiny, name):
    _, loaded = tiny(name)
    _, steps = _generate(loaded, count=4)
    tokens = [s.token_id for s in steps]
    knocked = steps[0].position  # the first generated token, a key of every later decoder query
    session = GenerationSession(loaded)
    masks = Masks(knockouts=frozenset({("encoder", 2), ("decoder", knocked)}))
    result = _start(session, loaded, masks, replay=tokens)
    assert [s.token_id for s in result.steps] == tokens
    session.step()
    snap = session.store.snapshot()
    for layer in range(snap.shape("decoder")[0]):
        decoder = snap.layer("decoder", layer)
        assert not decoder[:, :, knocked].any() and decoder[:, :knocked].any()
        np.testing.assert_allclose(decoder.sum(-1), 1.0, atol=3e-3)
        assert not snap.layer("cross", layer)[:, :, 2].any()  # the source knock-out still holds
        assert snap.layer("cross", layer)[:, :, 3].any()
    while session.generated > 1:
        assert session.undo().masks.knocked("decoder") == {knocked}  # later tokens go, it stays
    assert session.undo().masks.knocked("decoder") == frozenset()  # it goes with its token


def test_encoder_knock_outs_are_refused_on_a_decoder(tiny):
    _, loaded = tiny("gpt2")
    with pytest.raises(ValueError, match="plain knock-outs"):
        GenerationSession(loaded).prefill(PROMPT, Masks(knockouts=frozenset({("encoder", 1)})))
