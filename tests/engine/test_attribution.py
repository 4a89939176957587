"""Input attribution against computations the test makes itself: finite differences of log p along each
token's embedding, and plain forwards (the test's own hook on the embedding module) at the input and
the baseline, for completeness."""

import numpy as np
import pytest
import torch
from tiny_models import MASK, PAD, tiny_bert, tiny_gpt2

from attnlab.engine.api.errors import EngineError, UnsupportedError
from attnlab.engine.api.results import Masks
from attnlab.engine.interpret.attribution import Target, attribute
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import make_session

TEXT = "the cat sat on the mat"


def _gpt(masks=Masks()):
    model, tokenizer = tiny_gpt2()
    session = make_session(wrap_model(model, tokenizer, name="gpt2"))
    session.prefill(TEXT, masks)
    return session


def _logprob(model, ids, target, position, scale=None, replace=None, **inputs):
    """log p(target) at `position` from a plain forward; the embedding module's output scaled per token
    (`scale`, [token]) or replaced (`replace`, [token, hidden])."""

    def hook(module, args, output):
        if replace is not None:
            return replace[None].to(output.dtype)
        return output * scale.view(1, -1, 1).to(output.dtype)

    handle = (
        model.get_input_embeddings().register_forward_hook(hook) if scale is not None or replace is not None else None
    )
    try:
        with torch.no_grad():
            out = model(input_ids=torch.tensor([ids]), **inputs)
    finally:
        if handle is not None:
            handle.remove()
    logits = getattr(out, "prediction_logits", None)
    logits = out.logits if logits is None else logits
    return float(torch.log_softmax(logits[0, position].double(), -1)[target])


def _finite_differences(model, ids, target, position, eps=1e-2, **inputs):
    """d/dε log p with token i's embedding e_i → (1 + ε) e_i: the directional derivative ∇_i f · e_i."""
    values = []
    for i in range(len(ids)):
        up, down = torch.ones(len(ids)), torch.ones(len(ids))
        up[i], down[i] = 1 + eps, 1 - eps
        values.append(
            (
                _logprob(model, ids, target, position, up, **inputs)
                - _logprob(model, ids, target, position, down, **inputs)
            )
            / (2 * eps)
        )
    return np.array(values)


def test_grad_x_input_is_the_finite_difference_along_each_embedding():
    session = _gpt()
    result = attribute(session, integrated=False)
    ids = session.token_ids
    expected = _finite_differences(session.model, ids, result.target_id, len(ids) - 1)
    np.testing.assert_allclose(result.grad_x_input, expected, atol=2e-3, rtol=2e-2)
    assert result.target_id == session.state().next_candidates[0].token_id  # the top-1 next token by default
    assert result.logprob == pytest.approx(_logprob(session.model, ids, result.target_id, len(ids) - 1), abs=1e-5)
    assert np.all(result.grad_x_input_norm >= np.abs(result.grad_x_input) / np.sqrt(32) - 1e-6)
    assert result.grad_x_input.dtype == np.float32 and result.grad_x_input.shape == (len(ids),)


def test_integrated_gradients_are_complete_at_32_steps_on_the_tiny_gpt():
    session = _gpt()
    result = attribute(session, max_steps=32)
    ids, last = session.token_ids, len(session.token_ids) - 1
    pad = session.model.get_input_embeddings()(torch.tensor([PAD] * len(ids))).detach()
    at_input = _logprob(session.model, ids, result.target_id, last)
    at_baseline = _logprob(session.model, ids, result.target_id, last, replace=pad)
    assert result.baseline == "pad" and result.steps == 32
    assert result.baseline_logprob == pytest.approx(at_baseline, abs=1e-5)
    gap = at_input - at_baseline
    assert abs(result.integrated.sum() - gap) / abs(gap) < 0.05
    assert result.completeness_error == pytest.approx(abs(result.integrated.sum() - gap) / abs(gap), abs=1e-4)
    assert result.converged and result.completeness_error < 0.05


def test_the_bundled_tiny_gpt_is_complete_at_32_steps():
    from attnlab.engine.models.loading import load_model

    session = make_session(load_model("tiny-gpt"))
    session.prefill("The cat sat on the")
    result = attribute(session, max_steps=32)
    assert result.steps == 32 and result.completeness_error < 0.05


def test_a_cap_too_low_says_so_and_zero_baseline_is_offered():
    session = _gpt()
    one = attribute(session, max_steps=1, baseline="zero")
    assert one.steps == 1 and one.baseline == "zero"
    assert one.converged == (one.completeness_error < 0.05)
    zero = torch.zeros(len(session.token_ids), 32)
    expected = _logprob(session.model, session.token_ids, one.target_id, len(session.token_ids) - 1, replace=zero)
    assert one.baseline_logprob == pytest.approx(expected, abs=1e-5)
    with pytest.raises(EngineError, match="baseline"):
        attribute(session, baseline="mean")


def test_a_chosen_candidate_and_an_earlier_position():
    session = _gpt()
    ids = session.token_ids
    result = attribute(session, Target(token=9, position=2), integrated=False)
    assert result.target_id == 9 and result.position == 2
    np.testing.assert_allclose(result.grad_x_input, _finite_differences(session.model, ids, 9, 2), atol=2e-3, rtol=2e-2)
    assert np.all(result.grad_x_input[3:] == 0)  # causal: later tokens cannot matter
    with pytest.raises(EngineError, match="out of range"):
        attribute(session, Target(position=40))


def test_a_knocked_out_token_gets_nothing():
    session = _gpt(Masks(knockouts=frozenset({("decoder", 2)})))
    result = attribute(session, max_steps=32)
    assert result.grad_x_input[2] == 0 and result.integrated[2] == 0
    assert result.grad_x_input[1] != 0
    # log p under the knock-out, as the session itself reports it
    probs = {c.token_id: c.prob for c in session.state().next_candidates}
    assert np.exp(result.logprob) == pytest.approx(probs[result.target_id], rel=1e-4)


def test_an_ablated_head_is_in_force():
    masks = Masks(ablated_heads=frozenset({("decoder", 1, 2)}))
    session = _gpt(masks)
    result = attribute(session, integrated=False)
    probs = {c.token_id: c.prob for c in session.state().next_candidates}
    assert np.exp(result.logprob) == pytest.approx(probs[result.target_id], rel=1e-4)
    plain = attribute(_gpt(), Target(token=result.target_id), integrated=False)
    assert not np.allclose(plain.grad_x_input, result.grad_x_input)


def _bert(text=TEXT, masks=Masks(mask_positions=frozenset({3}))):
    model, tokenizer = tiny_bert()
    session = make_session(wrap_model(model, tokenizer, name="bert"))
    session.analyse(text, masks)
    return session


def test_masked_lm_explains_the_filler():
    session = _bert()
    result = attribute(session, max_steps=64)
    ids = session._inputs["input_ids"][0].tolist()
    assert ids[3] == MASK and result.position == 3
    types = {"token_type_ids": session._inputs["token_type_ids"]} if "token_type_ids" in session._inputs else {}
    expected = _finite_differences(session.model, ids, result.target_id, 3, **types)
    np.testing.assert_allclose(result.grad_x_input, expected, atol=2e-3, rtol=2e-2)
    assert result.completeness_error < 0.05


def test_next_sentence_probability():
    session = _bert("the cat sat\nthe dog ran", Masks())
    result = attribute(session, Target(next_sentence=True), max_steps=64)
    assert result.target_id == -1 and result.position == -1
    inputs = dict(session._inputs)
    with torch.no_grad():
        out = session.model(**inputs)
    expected = float(torch.log_softmax(out.seq_relationship_logits[0].double(), -1)[0])
    assert result.logprob == pytest.approx(expected, abs=1e-5)
    assert result.completeness_error < 0.05
    with pytest.raises(EngineError, match="mask a token"):
        attribute(_bert(masks=Masks()))


def test_encoder_decoders_are_refused_with_the_reason():
    from tiny_models import tiny_bart

    model, tokenizer = tiny_bart()
    session = make_session(wrap_model(model, tokenizer, name="bart"))
    session.prefill("", source="the cat sat")
    with pytest.raises(UnsupportedError, match="encoder-decoder"):
        attribute(session)
