"""Prefill in blocks of queries through the KV cache: the same attention and logits as one forward."""

import copy

import numpy as np
import pytest
import torch
from tiny_models import BUILDERS, tiny_gemma2

from attnlab.engine.api.results import Masks
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import GenerationSession

PROMPT = "the cat sat on the mat and the dog ran to the big red rug in Paris"
ARCHITECTURES = {
    "gpt2": BUILDERS["gpt2"],
    "llama": BUILDERS["llama"],
    "gemma2": tiny_gemma2,
    "bart": BUILDERS["bart"],
    "t5": BUILDERS["t5"],
}


def _session(name: str, block: int) -> tuple[torch.nn.Module, GenerationSession]:
    model, tokenizer = ARCHITECTURES[name]()
    eager = copy.deepcopy(model)
    session = GenerationSession(wrap_model(model, tokenizer, name=name))
    session.prefill_block = block
    return eager, session


def _prefill(session: GenerationSession, masks: Masks = Masks(), replay=()):
    if session.loaded.kind == "encoder-decoder":
        return session.prefill(PROMPT, masks, source="the cat sat", replay=replay)
    return session.prefill(PROMPT, masks, replay=replay)


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_chunked_prefill_equals_the_models_own_forward(name):
    """Blocks of 4 queries (the last one partial; gemma2's local layers see only a window of 4 keys
    across block edges): the store and the next-token logits equal one uncached eager forward."""
    eager, session = _session(name, block=4)
    state = _prefill(session)
    ids = torch.tensor([session.token_ids])
    assert len(session.token_ids) > 9 and len(session.token_ids) % 4 != 0
    with torch.no_grad():
        if session.loaded.kind == "encoder-decoder":
            source = torch.from_numpy(state.token_ids)[None]
            out = eager(input_ids=source, decoder_input_ids=ids, output_attentions=True)
            expected = {"decoder": out.decoder_attentions, "cross": out.cross_attentions}
        else:
            out = eager(input_ids=ids, output_attentions=True)
            expected = {"decoder": out.attentions}
    for stack, layers in expected.items():
        np.testing.assert_allclose(
            state.attention.full(stack), np.stack([layer[0].numpy() for layer in layers]), atol=1e-3
        )
    torch.testing.assert_close(session._logits, out.logits[0, -1], atol=1e-5, rtol=0)


@pytest.mark.parametrize("name", ["gpt2", "llama", "gemma2"])
def test_chunked_prefill_with_knockouts_ablation_and_replay_equals_one_shot(name):
    """Replayed tokens straddle a block edge and keep their candidates; knock-outs fall in several blocks."""
    masks = Masks(
        knockouts=frozenset({("decoder", 2), ("decoder", 7), ("decoder", 16)}),
        ablated_heads=frozenset({("decoder", 1, 2)}),
    )
    replay = [9, 10, 11, 12]
    _, chunked = _session(name, block=4)
    _, whole = _session(name, block=10_000)
    ours, theirs = _prefill(chunked, masks, replay), _prefill(whole, masks, replay)
    assert len(chunked.token_ids) == len(whole.token_ids) == 22  # 18 prompt tokens + 4 replayed
    np.testing.assert_allclose(ours.attention.full("decoder"), theirs.attention.full("decoder"), atol=1e-3)
    assert not ours.attention.full("decoder")[:, :, 3:, 7].any()  # knocked out in every block after it
    torch.testing.assert_close(chunked._logits, whole._logits, atol=1e-5, rtol=0)
    assert [s.token_id for s in ours.steps] == replay
    for mine, reference in zip(ours.steps, theirs.steps, strict=True):
        assert [c.token_id for c in mine.candidates] == [c.token_id for c in reference.candidates]
        assert mine.prob == pytest.approx(reference.prob, abs=1e-5)
    # Stepping on from a chunked prefill continues the same sequence.
    assert chunked.step(choose=13).attention.row("decoder", 22) == pytest.approx(
        whole.step(choose=13).attention.row("decoder", 22), abs=1e-3
    )


def test_prefill_reports_the_tokens_read_after_each_block():
    """A long text takes minutes: the prefill says after each block how many of the text's tokens it has read
    (counted here by the tokenizer itself), from none at once to all of them."""
    _eager, session = _session("gpt2", block=4)
    reports: list[tuple[str, float]] = []
    session.prefill(PROMPT, progress=lambda message, fraction: reports.append((str(message), fraction)))
    total = len(session.loaded.tokenizer(PROMPT)["input_ids"])
    done = [0] + [min(end, total) for end in range(4, total + 4, 4)]
    assert reports == [(f"reading the text: {d:,} of {total:,} tokens", d / total) for d in done]

    # a text that fits in one block is read at once: no progress to report
    _eager, whole = _session("gpt2", block=total)
    quiet: list[tuple[str, float]] = []
    whole.prefill(PROMPT, progress=lambda message, fraction: quiet.append((str(message), fraction)))
    assert quiet == [] and len(whole.token_ids) == total
