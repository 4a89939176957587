"""A new knock-out re-reads a text only from the first position it changes: a causal query never sees a later
key, so the rows, cache entries and replayed steps before it stay. Each partial re-read is checked against a
full prefill of the same input in a fresh session, and a hook on the model counts the tokens it was fed."""

import numpy as np
import pytest
import torch
from tiny_models import BUILDERS, tiny_gemma2

from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.api.results import Masks
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import GenerationSession

PROMPT = "the cat sat on the mat and the dog ran to the big red rug in Paris"  # 18 tokens with "<s>"
SOURCE = "the cat sat on the mat and the dog ran"
GENERATED = (9, 10, 11, 12, 13)


def knocked(*positions: int, source: tuple[int, ...] = ()) -> Masks:
    """Decoder knock-outs at `positions`, encoder (source) knock-outs at `source`."""
    return Masks(knockouts=frozenset({("decoder", p) for p in positions} | {("encoder", p) for p in source}))


class Fed:
    """Counts the generated stack's tokens the model is fed (a hook on the model's own forward)."""

    def __init__(self, model: torch.nn.Module):
        self.tokens = 0
        model.register_forward_pre_hook(self._count, with_kwargs=True)

    def _count(self, module, args, kwargs) -> None:
        ids = kwargs.get("input_ids", kwargs.get("decoder_input_ids"))
        self.tokens += 0 if ids is None else ids.shape[1]


def session_of(name: str, mode: str = "exact", builder=None) -> tuple[GenerationSession, Fed]:
    model, tokenizer = (builder or BUILDERS[name])()
    session = GenerationSession(wrap_model(model, tokenizer, name=name))
    session.prefill_block = 4  # blocks that straddle the knock-outs
    session.store_mode = mode
    session.set_sampling(SamplingConfig(greedy=False, temperature=1.5, seed=3, max_new_tokens=8))
    return session, Fed(model)


def prefill(session: GenerationSession, masks: Masks, replay=()):
    if session.loaded.kind == "encoder-decoder":
        return session.prefill("", masks, source=SOURCE, replay=replay)
    return session.prefill(PROMPT, masks, replay=replay)


def check_same(partial: GenerationSession, got, full: GenerationSession, want) -> None:
    """Everything a prefill leaves equals what a full prefill leaves: rows, overview, regions, logits, steps,
    candidates, randomness; and a sampled step after it."""
    assert partial.token_ids == full.token_ids and partial.masks == full.masks
    for stack in want.attention.stacks:
        np.testing.assert_allclose(got.attention.full(stack), want.attention.full(stack), atol=1e-3)  # float16
    assert (got.long is None) == (want.long is None)
    if want.long is not None:
        np.testing.assert_allclose(got.long.pooled, want.long.pooled, atol=1e-3)
        assert got.long.rows == want.long.rows and got.long.factor == want.long.factor
        rows = range(len(full.token_ids))
        for layer, head in ((0, 1), (1, 3)):
            np.testing.assert_allclose(
                partial.region(layer, head, rows, rows), full.region(layer, head, rows, rows), atol=1e-3
            )
            np.testing.assert_allclose(
                partial.region(layer, head, range(9, 20), range(3, 12)),
                full.region(layer, head, range(9, 20), range(3, 12)),
                atol=1e-3,
            )
    torch.testing.assert_close(partial._logits, full._logits, atol=1e-5, rtol=1e-5)
    assert len(got.steps) == len(want.steps)
    for mine, theirs in zip(got.steps, want.steps, strict=True):
        assert (mine.token_id, mine.position, mine.finished, mine.reason) == (
            theirs.token_id,
            theirs.position,
            theirs.finished,
            theirs.reason,
        )
        assert [c.token_id for c in mine.candidates] == [c.token_id for c in theirs.candidates]
        np.testing.assert_allclose([c.prob for c in mine.candidates], [c.prob for c in theirs.candidates], atol=1e-5)
        assert mine.prob == pytest.approx(theirs.prob, abs=1e-5)
    assert [c.token_id for c in got.next_candidates] == [c.token_id for c in want.next_candidates]
    assert torch.equal(partial._generator.get_state(), full._generator.get_state())
    assert len(partial._rng_history) == len(full._rng_history)
    assert all(torch.equal(a, b) for a, b in zip(partial._rng_history, full._rng_history, strict=True))
    mine, theirs = partial.step(), full.step()  # sampled: the same randomness draws the same token
    assert mine.token_id == theirs.token_id
    np.testing.assert_allclose(
        [c.prob for c in mine.candidates], [c.prob for c in theirs.candidates], atol=1e-5
    )  # fmt: skip


# (knock-outs held, knock-outs asked, where the re-read starts); the prompt has 18 tokens, 5 generated after it
CHANGES = {
    "added": ((), (9,), 9),
    "moved earlier": ((12,), (4,), 4),
    "moved later": ((4,), (12,), 4),
    "removed": ((6,), (), 6),
    "on a generated token": ((), (20,), 20),
    "nothing changed": ((5,), (5,), 22),  # the last token again: its logits are the next token's
}


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize(("name", "mode"), [("gpt2", "exact"), ("llama", "exact"), ("gpt2", "long"), ("llama", "long")])
def test_a_changed_decoder_knock_out_reads_only_from_its_position(name, mode, change, monkeypatch):
    monkeypatch.setattr("attnlab.engine.api.long_summary.OVERVIEW_PIXELS", 5)  # cells of 6 x 6 tokens
    held, asked, start = CHANGES[change]
    partial, fed = session_of(name, mode)
    prefill(partial, knocked(*held))
    for token in GENERATED:
        partial.step(choose=token)
    assert len(partial.token_ids) == 23
    before = partial.state().attention  # what the window shows meanwhile does not change under it
    shown = before.full("decoder") if "decoder" in before.stacks else None

    fed.tokens = 0
    got = prefill(partial, knocked(*asked), replay=GENERATED)
    assert fed.tokens == 23 - start

    full, _ = session_of(name, mode)
    want = prefill(full, knocked(*asked), replay=GENERATED)
    if shown is not None:
        np.testing.assert_array_equal(before.full("decoder"), shown)
    check_same(partial, got, full, want)


@pytest.mark.parametrize("name", ["bart", "t5"])
@pytest.mark.parametrize(("held", "asked", "start"), [((), (3,), 3), ((1,), (4,), 1), ((4,), (), 4), ((), (5,), 5)])
def test_an_encoder_decoders_decoder_knock_out_reads_only_from_its_position(name, held, asked, start):
    """The decoder's sequence: its start token, then the 5 replayed tokens; the source has a knock-out of its own.
    T5 adds a relative position bias, which a re-read from a later position must place as a full read does."""
    partial, fed = session_of(name)
    prefill(partial, knocked(*held, source=(3,)), replay=GENERATED)  # held after a replay, not steps
    fed.tokens = 0
    got = prefill(partial, knocked(*asked, source=(3,)), replay=GENERATED)
    assert fed.tokens == 6 - start

    full, _ = session_of(name)
    check_same(partial, got, full, prefill(full, knocked(*asked, source=(3,)), replay=GENERATED))


def test_steps_told_with_fewer_candidates_are_scored_again():
    partial, fed = session_of("gpt2")
    prefill(partial, Masks())
    for token in GENERATED:
        partial.step(choose=token)
    partial.set_sampling(SamplingConfig(greedy=False, temperature=1.5, seed=3, max_new_tokens=8, candidates=3))
    fed.tokens = 0
    got = prefill(partial, knocked(21), replay=GENERATED)
    assert fed.tokens == 23 - 17  # from the prompt's last token: every replayed step is scored again
    assert all(len(step.candidates) == 3 for step in got.steps)
    full, _ = session_of("gpt2")
    full.set_sampling(partial.sampling)
    check_same(partial, got, full, prefill(full, knocked(21), replay=GENERATED))


def _change_ablation(session):
    prefill(session, Masks(knockouts=frozenset({("decoder", 9)}), ablated_heads=frozenset({("decoder", 0, 1)})))


def _change_text(session):
    session.prefill(PROMPT + " and", knocked(9), replay=GENERATED)


@pytest.mark.parametrize(("what", "again", "tokens"), [("ablation", _change_ablation, 18), ("text", _change_text, 24)])
def test_what_else_changed_reads_everything(what, again, tokens):
    session, fed = session_of("gpt2")
    prefill(session, Masks())
    for token in GENERATED:
        session.step(choose=token)
    fed.tokens = 0
    again(session)
    assert fed.tokens == tokens, what


def test_a_replay_that_differs_is_read_from_its_first_new_token():
    session, fed = session_of("gpt2")
    prefill(session, Masks(), replay=GENERATED)
    fed.tokens = 0
    other = (9, 10, 7, 7, 7)  # the same two first tokens; the third (position 20) is scored at 19: read from 19
    got = prefill(session, Masks(), replay=other)
    assert fed.tokens == 23 - 19
    full, _ = session_of("gpt2")
    check_same(session, got, full, prefill(full, Masks(), replay=other))


def test_a_changed_encoder_knock_out_reads_everything():
    session, fed = session_of("bart")
    prefill(session, knocked(4), replay=GENERATED)
    fed.tokens = 0
    got = prefill(session, knocked(4, source=(2,)), replay=GENERATED)
    assert fed.tokens == 6
    full, _ = session_of("bart")
    check_same(session, got, full, prefill(full, knocked(4, source=(2,)), replay=GENERATED))


def test_a_cache_that_cannot_be_cut_reads_everything():
    """Gemma-2's local layers keep only the last keys: their cache cannot be cut back to a position."""
    session, fed = session_of("gemma2", builder=tiny_gemma2)
    prefill(session, Masks(), replay=GENERATED)
    fed.tokens = 0
    got = prefill(session, knocked(15), replay=GENERATED)
    assert fed.tokens == 23
    full, _ = session_of("gemma2", builder=tiny_gemma2)
    check_same(session, got, full, prefill(full, knocked(15), replay=GENERATED))


def test_the_progress_counts_only_what_is_read_again():
    session, _ = session_of("gpt2")
    prefill(session, Masks(), replay=GENERATED)
    heard = []
    session.prefill(PROMPT, knocked(9), replay=GENERATED, progress=lambda stage, fraction: heard.append(stage))
    assert [stage.code for stage in heard] == ["rereading_text"] * 5
    assert [dict(stage.params) for stage in heard][-1] == {"start": "9", "done": "14", "total": "14"}
    assert [dict(stage.params)["done"] for stage in heard] == ["0", "4", "8", "12", "14"]


def test_queries_left_without_keys_attend_to_themselves_in_long_mode(monkeypatch):
    """Long mode knocks out in place, in the reused buffer of scores: queries 0 and 1 lose every key and keep
    their own, as in the exact store, before and after a re-read from position 1."""
    monkeypatch.setattr("attnlab.engine.api.long_summary.OVERVIEW_PIXELS", 5)
    exact, _ = session_of("llama")
    long, _ = session_of("llama", "long")
    for masks in (knocked(0, 7), knocked(0, 1, 7)):
        for session in (exact, long):
            prefill(session, masks, replay=GENERATED)
        rows = range(23)
        for layer, head in ((0, 0), (1, 3)):
            matrix = exact.state().attention.matrix("decoder", layer, head)
            assert matrix[0, 0] == 1 and not matrix[1:, 7].any()
            np.testing.assert_allclose(long.region(layer, head, rows, rows), matrix, atol=1e-3)
    assert exact.state().attention.matrix("decoder", 1, 3)[1, 1] == 1
