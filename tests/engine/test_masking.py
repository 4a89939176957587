"""[MASK] replacement, knock-out from attention, head ablation."""

import numpy as np
import pytest
import torch
from tiny_models import MASK

from attnlab.engine.api.errors import UnsupportedError
from attnlab.engine.api.results import Masks
from attnlab.engine.session.sessions import EncoderSession, GenerationSession

TEXT = "the cat sat on the mat"


def test_mask_replaces_the_token_and_predicts_fillers(tiny):
    eager, loaded = tiny("bert")
    session = EncoderSession(loaded)
    plain = session.analyse(TEXT)
    result = session.analyse(TEXT, Masks(mask_positions=frozenset({2})), top_k=5)
    assert result.token_ids[2] == MASK and result.tokens[2] == "[MASK]"
    assert plain.token_ids[2] != MASK
    [slot] = result.mask_predictions
    assert slot.position == 2 and len(slot.candidates) == 5
    with torch.no_grad():
        logits = eager(input_ids=torch.from_numpy(result.token_ids)[None]).prediction_logits[0, 2]
    expected = torch.softmax(logits, -1).topk(5)
    assert [c.token_id for c in slot.candidates] == expected.indices.tolist()
    np.testing.assert_allclose([c.prob for c in slot.candidates], expected.values.numpy(), atol=1e-6)


def test_typed_mask_token_counts_as_a_slot(tiny):
    _, loaded = tiny("bert")
    result = EncoderSession(loaded).analyse("the cat [MASK] on the mat")
    assert [s.position for s in result.mask_predictions] == [3]


def test_next_sentence_probability_for_two_segments(tiny):
    _, loaded = tiny("bert")
    session = EncoderSession(loaded)
    assert session.analyse(TEXT).next_sentence_prob is None
    p = session.analyse("the cat sat .\nthe dog ran .").next_sentence_prob
    assert p is not None and 0 < p < 1


def test_mask_on_a_decoder_is_refused_with_advice(tiny):
    _, loaded = tiny("gpt2")
    with pytest.raises(UnsupportedError, match="knock the token out"):
        GenerationSession(loaded).prefill(TEXT, Masks(mask_positions=frozenset({1})))


@pytest.mark.parametrize("name", ["bert", "gpt2", "llama"])
def test_knocked_out_key_gets_zero_weight(tiny, name):
    _, loaded = tiny(name)
    knocked = 3
    masks = Masks(knockouts=frozenset({("encoder" if name == "bert" else "decoder", knocked)}))
    if name == "bert":
        snap = EncoderSession(loaded).analyse(TEXT, masks).attention
        stack = "encoder"
    else:
        session = GenerationSession(loaded)
        session.prefill(TEXT, masks)
        session.run(3)  # new rows also ignore the knocked-out key
        snap = session.store.snapshot()
        stack = "decoder"
    for layer in range(snap.shape(stack)[0]):
        attn = snap.layer(stack, layer)  # [head, query, key]
        assert not attn[:, :, knocked].any()
        np.testing.assert_allclose(attn.sum(-1), 1.0, atol=3e-3)


def test_query_left_without_keys_attends_to_itself(tiny):
    _, loaded = tiny("gpt2")
    session = GenerationSession(loaded)
    session.prefill(TEXT, Masks(knockouts=frozenset({("decoder", 0), ("decoder", 2)})))
    snap = session.store.snapshot()
    attn = snap.layer("decoder", 0)
    assert np.allclose(attn[:, 0, 0], 1.0)  # query 0 sees only key 0, which is knocked out
    assert not attn[:, 2, 2].any()  # query 2 still has key 1


def test_knockout_does_not_shift_positions(tiny):
    """Knocking out the last prompt token must not change what the earlier ones compute."""
    eager, loaded = tiny("gpt2")
    plain = GenerationSession(loaded).prefill(TEXT).attention
    # a session of its own: the same session would keep those rows without computing them again
    knocked = GenerationSession(loaded).prefill(TEXT, Masks(knockouts=frozenset({("decoder", 6)}))).attention
    n = 6  # rows 0..5 never see key 6, so they are unchanged
    for layer in range(2):
        np.testing.assert_array_equal(
            plain.layer("decoder", layer)[:, :n, :n], knocked.layer("decoder", layer)[:, :n, :n]
        )


def test_knockout_on_encoder_decoder_applies_to_source(tiny):
    _, loaded = tiny("bart")
    session = GenerationSession(loaded)
    session.prefill("", Masks(knockouts=frozenset({("encoder", 1)})), source=TEXT)
    session.run(2)
    snap = session.store.snapshot()
    assert not snap.full("encoder")[:, :, :, 1].any()
    assert not snap.full("cross")[:, :, :, 1].any()


def test_ablated_head_equals_zeroing_its_output_projection(tiny):
    """Zeroing a head's attention output is the same as zeroing its input rows of the output projection."""
    eager, loaded = tiny("gpt2")
    session = GenerationSession(loaded)
    base = session.prefill(TEXT)
    ablated = session.prefill(TEXT, Masks(ablated_heads=frozenset({("decoder", 1, 2)})))
    assert base.next_candidates != ablated.next_candidates
    head_dim = eager.config.n_embd // eager.config.n_head
    with torch.no_grad():
        eager.transformer.h[1].attn.c_proj.weight[2 * head_dim : 3 * head_dim] = 0  # Conv1D weight: [in, out]
        logits = eager(input_ids=torch.from_numpy(ablated.token_ids)[None]).logits[0, -1]
    expected = torch.softmax(logits, -1).topk(10)
    assert [c.token_id for c in ablated.next_candidates] == expected.indices.tolist()
    np.testing.assert_allclose([c.prob for c in ablated.next_candidates], expected.values.numpy(), atol=1e-6)
