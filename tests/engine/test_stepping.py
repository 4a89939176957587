"""Prefill once, then one cached forward per token: the same rows and tokens as a full run."""

import threading

import numpy as np
import pytest
import torch
from tiny_models import EOS

from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.api.errors import GenerationFinished
from attnlab.engine.session.sessions import GenerationSession

GENERATORS = ["gpt2", "llama", "bart", "t5"]


def _prefill(session, loaded):
    if loaded.kind == "encoder-decoder":
        return session.prefill("", source="the cat sat on the mat")
    return session.prefill("the cat sat on the mat")


def _full_forward(eager, session, loaded):
    """Attention of an uncached forward over everything the session has seen."""
    with torch.no_grad():
        if loaded.kind == "encoder-decoder":
            src = torch.from_numpy(session.state().token_ids)[None]
            out = eager(input_ids=src, decoder_input_ids=torch.tensor([session.token_ids]), output_attentions=True)
            return out.logits[0, -1], {"decoder": out.decoder_attentions, "cross": out.cross_attentions}
        out = eager(input_ids=torch.tensor([session.token_ids]), output_attentions=True)
        return out.logits[0, -1], {"decoder": out.attentions}


@pytest.mark.parametrize("name", GENERATORS)
def test_cached_step_row_equals_last_row_of_full_forward(tiny, name):
    eager, loaded = tiny(name)
    session = GenerationSession(loaded)
    _prefill(session, loaded)
    for _ in range(4):
        step = session.step()
        logits, full = _full_forward(eager, session, loaded)
        for stack, layers in full.items():
            expected = np.stack([layer[0, :, -1].numpy() for layer in layers])  # [layer, head, key]
            np.testing.assert_allclose(step.attention.row(stack, step.position), expected, atol=1e-3)
        torch.testing.assert_close(session._logits, logits, atol=1e-5, rtol=0)


@pytest.mark.parametrize("name", GENERATORS)
def test_greedy_stepping_yields_generate_tokens(tiny, name):
    eager, loaded = tiny(name)
    session = GenerationSession(loaded)
    session.set_sampling(SamplingConfig(max_new_tokens=12))
    start = _prefill(session, loaded)
    steps = session.run(12)
    with torch.no_grad():
        source = torch.from_numpy(start.token_ids)[None]
        expected = eager.generate(source, max_new_tokens=12, do_sample=False)[0].tolist()
    assert session.token_ids == expected  # encoder-decoders: generate returns the decoder sequence
    assert [s.token_id for s in steps] == session.token_ids[session.prompt_length :]


def test_each_step_reports_candidates_it_was_chosen_from(tiny):
    _, loaded = tiny("gpt2")
    session = GenerationSession(loaded)
    start = session.prefill("the cat sat")
    step = session.step()
    assert step.candidates == start.next_candidates
    assert step.token_id == step.candidates[0].token_id  # greedy takes the best
    probs = [c.prob for c in step.candidates]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-6
    assert step.attention.shape("decoder")[2] == len(session.token_ids)


def test_choose_takes_an_alternative(tiny):
    _, loaded = tiny("gpt2")
    session = GenerationSession(loaded)
    start = session.prefill("the cat sat")
    alternative = start.next_candidates[3].token_id
    step = session.step(choose=alternative)
    assert step.token_id == alternative and session.token_ids[-1] == alternative


@pytest.mark.parametrize("name", ["gpt2", "bart"])
def test_undo_restores_previous_state_exactly(tiny, name):
    _, loaded = tiny(name)
    session = GenerationSession(loaded)
    session.set_sampling(SamplingConfig(greedy=False, temperature=1.5, seed=7))
    _prefill(session, loaded)
    session.step()
    before_ids = list(session.token_ids)
    before_logits = session._logits.clone()
    before = session.state()
    first = session.step()
    second_branch = session.step()
    session.undo()
    after = session.undo()
    assert session.token_ids == before_ids
    torch.testing.assert_close(session._logits, before_logits, atol=0, rtol=0)
    assert after.next_candidates == before.next_candidates
    for stack in before.attention.stacks:
        assert after.attention.shape(stack) == before.attention.shape(stack)
        np.testing.assert_array_equal(after.attention.full(stack), before.attention.full(stack))
    # The random state is restored too: stepping again samples the same tokens.
    again = [session.step().token_id, session.step().token_id]
    assert again == [first.token_id, second_branch.token_id]


def test_undo_with_nothing_generated_is_refused(tiny):
    _, loaded = tiny("gpt2")
    session = GenerationSession(loaded)
    session.prefill("the cat")
    with pytest.raises(ValueError, match="nothing to undo"):
        session.undo()


def test_generation_stops_at_eos_and_refuses_more_steps(tiny):
    _, loaded = tiny("gpt2")
    session = GenerationSession(loaded)
    session.prefill("the cat")
    step = session.step(choose=EOS)
    assert step.finished and step.reason == "eos" and step.next_candidates == ()
    with pytest.raises(GenerationFinished, match=r"generation has ended \(eos\): undo or change the text"):
        session.step()
    assert session.run(5) == []
    session.undo()
    assert not session.finished
    session.step()


def test_generation_stops_at_max_length(tiny):
    _, loaded = tiny("gpt2")
    session = GenerationSession(loaded)
    session.set_sampling(SamplingConfig(max_new_tokens=3))
    session.prefill("the cat")
    steps = session.run(10)
    assert len(steps) == 3 and steps[-1].reason == "max_length"


def test_generation_stops_at_model_positions(tiny):
    _, loaded = tiny("gpt2", positions=8)
    session = GenerationSession(loaded)
    session.prefill("the cat sat on")  # 5 tokens with <s>
    steps = session.run(10)
    assert len(session.token_ids) == 8 and steps[-1].reason == "max_length"


def test_run_can_be_cancelled_between_steps(tiny):
    _, loaded = tiny("gpt2")
    session = GenerationSession(loaded)
    session.prefill("the cat")
    cancel = threading.Event()
    seen = []

    def on_step(result):
        seen.append(result)
        if len(seen) == 2:
            cancel.set()

    steps = session.run(20, cancel=cancel, on_step=on_step)
    assert len(steps) == 2 and seen == steps


def test_same_seed_same_tokens(tiny):
    _, loaded = tiny("llama")
    session = GenerationSession(loaded)
    config = SamplingConfig(greedy=False, temperature=2.0, top_k=20, top_p=0.95, seed=123)
    runs = []
    for seed in (123, 123, 124):
        session.set_sampling(SamplingConfig(**{**config.__dict__, "seed": seed}))
        session.prefill("the cat")
        runs.append([s.token_id for s in session.run(10)])
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


@pytest.mark.parametrize("name", ["gpt2", "bart"])
def test_step_prob_is_the_chosen_tokens_softmax(tiny, name):
    """`prob` is the chosen token's probability, even when it is not among the candidates shown."""
    eager, loaded = tiny(name)
    session = GenerationSession(loaded)
    session.set_sampling(SamplingConfig(candidates=1))
    _prefill(session, loaded)
    session.step()
    last = session.state().next_candidates[-1].token_id
    outside = next(t for t in range(loaded.info.vocab_size) if t != last)
    for choose in (None, outside):
        step = session.step(choose=choose)
        before = session.token_ids[:-1]
        with torch.no_grad():
            if loaded.kind == "encoder-decoder":
                src = torch.from_numpy(session.state().token_ids)[None]
                logits = eager(input_ids=src, decoder_input_ids=torch.tensor([before])).logits[0, -1]
            else:
                logits = eager(input_ids=torch.tensor([before])).logits[0, -1]
        expected = float(torch.softmax(logits, -1)[step.token_id])
        assert step.prob == pytest.approx(expected, abs=1e-5)
    assert step.token_id not in [c.token_id for c in step.candidates]  # outside the top-k, still exact
    replayed = session.prefill(
        "" if loaded.kind == "encoder-decoder" else "the cat sat on the mat",
        source="the cat sat on the mat" if loaded.kind == "encoder-decoder" else None,
        replay=session.token_ids[session.prompt_length :],
    )
    assert replayed.steps[-1].prob == pytest.approx(step.prob, abs=1e-5)


def test_raising_max_new_tokens_lets_a_finished_generation_go_on(tiny):
    _, loaded = tiny("gpt2")
    session = GenerationSession(loaded)
    session.set_sampling(SamplingConfig(max_new_tokens=3))
    session.prefill("the cat")
    assert len(session.run(5)) == 3 and session.finished
    session.set_sampling(SamplingConfig(max_new_tokens=2000))
    assert not session.finished
    assert len(session.run(4)) == 4 and session.generated == 7
    session.set_sampling(SamplingConfig(max_new_tokens=5))
    assert session.finished and session.state().finished


def test_stepping_past_a_sliding_window_equals_a_full_forward():
    """Local layers keep only the last W keys in their cache; their rows are stored at the true key
    positions (zeros before the window) and equal the rows of an uncached forward."""
    import copy

    from tiny_models import tiny_gemma2

    from attnlab.engine.models.loading import wrap_model

    model, tokenizer = tiny_gemma2(window=4)
    eager = copy.deepcopy(model)
    loaded = wrap_model(model, tokenizer, name="gemma2")
    session = GenerationSession(loaded)
    session.prefill("the cat sat on the mat")  # longer than the window
    for token in (9, 10, 11, 12):  # words, never the end of text a random model may pick
        step = session.step(choose=token)
        logits, full = _full_forward(eager, session, loaded)
        expected = np.stack([layer[0, :, -1].numpy() for layer in full["decoder"]])  # [layer, head, key]
        row = step.attention.row("decoder", step.position)
        np.testing.assert_allclose(row, expected, atol=1e-3)
        assert not row[0, :, : step.position + 1 - 4].any()  # layer 0 is local: nothing before the window
        torch.testing.assert_close(session._logits, logits, atol=1e-5, rtol=0)
