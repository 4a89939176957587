"""Long-document mode: the overview written during the forward and every recomputed region equal the exact store."""

import numpy as np
import pytest
import torch
from tiny_models import BUILDERS, tiny_gemma2

from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.api.errors import UnsupportedError
from attnlab.engine.api.memory_budget import AttentionMemoryError
from attnlab.engine.api.pooling import max_pool
from attnlab.engine.api.results import Masks
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import GenerationSession

PROMPT = "the cat sat on the mat and the dog ran to the big red rug in Paris"
MASKS = Masks(knockouts=frozenset({("decoder", 2), ("decoder", 11)}), ablated_heads=frozenset({("decoder", 0, 1)}))


def _session(name: str, mode: str, builder=None) -> GenerationSession:
    model, tokenizer = (builder or BUILDERS[name])()
    session = GenerationSession(wrap_model(model, tokenizer, name=name))
    session.prefill_block = 4
    session.store_mode = mode
    session.set_sampling(SamplingConfig(max_new_tokens=6))
    return session


def _twins(name: str, monkeypatch):
    """The same run in exact and long mode; overview cells of 5 × 5 tokens (24 tokens: 18 prompt + 6 new)."""
    monkeypatch.setattr("attnlab.engine.api.long_summary.OVERVIEW_PIXELS", 5)
    exact, long = _session(name, "exact"), _session(name, "long")
    for session in (exact, long):
        session.prefill(PROMPT, MASKS)
        for token in (9, 10, 11):
            session.step(choose=token)
    return exact, long


def _check_equal(exact: GenerationSession, long: GenerationSession) -> None:
    summary = long.long_attention
    snapshot = exact.state().attention
    assert summary is not None and "decoder" not in long.state().attention.stacks
    layers, heads, rows, _ = snapshot.shape("decoder")
    assert summary.shape() == (layers, heads, rows, rows) and summary.factor == 5
    for layer in range(layers):
        for head in range(heads):
            matrix = snapshot.matrix("decoder", layer, head)
            np.testing.assert_array_equal(summary.overview(layer, head), max_pool(matrix, 5, 5))
            everything = long.region(layer, head, range(rows), range(rows))
            np.testing.assert_allclose(everything, matrix, atol=1e-3)  # float32 sums in another order, then float16
            window = long.region(layer, head, range(7, 13), range(2, 9))
            np.testing.assert_allclose(window, matrix[7:13, 2:9], atol=1e-3)
    torch.testing.assert_close(long._logits, exact._logits, atol=1e-5, rtol=0)


@pytest.mark.parametrize("name", ["gpt2", "llama"])
def test_overview_and_recomputed_regions_equal_the_exact_store(name, monkeypatch):
    """GPT-2 (absolute positions) and Llama (rotary, grouped-query heads), prefilled in blocks of 4 queries
    with knock-outs and an ablated head, then stepped: overview cells straddle blocks and steps."""
    exact, long = _twins(name, monkeypatch)
    _check_equal(exact, long)
    knocked = long.region(1, 2, range(3, 21), range(0, 21))
    assert not knocked[:, 2].any() and not knocked[9:, 11].any()  # knocked-out keys stay knocked out


def test_undo_in_long_mode_rebuilds_the_overview(monkeypatch):
    exact, long = _twins("llama", monkeypatch)
    for session in (exact, long):
        session.undo()
        session.undo()
        session.step(choose=20)
    _check_equal(exact, long)


def test_a_long_region_outside_the_text_is_refused(monkeypatch):
    _, long = _twins("gpt2", monkeypatch)
    with pytest.raises(ValueError, match="a region must be contiguous positions within 0..20"):
        long.region(0, 0, range(0, 22), range(0, 3))


@pytest.mark.parametrize(
    "name, builder, message",
    [
        ("gemma2", tiny_gemma2, "does not support gemma2's sliding-window layers"),
        ("bart", None, "long-document mode is for decoder-only models; bart is an encoder-decoder"),
    ],
)
def test_unsupported_architectures_are_refused_with_a_message(name, builder, message):
    session = _session(name, "long", builder)
    with pytest.raises(UnsupportedError, match=message):
        session.prefill(PROMPT, source="the cat") if name == "bart" else session.prefill(PROMPT)


def test_auto_takes_long_mode_only_when_the_exact_store_does_not_fit(monkeypatch):
    session = _session("gpt2", "auto")
    session.prefill(PROMPT)
    assert session.long_attention is None and "decoder" in session.state().attention.stacks
    # fits long mode, not the store
    monkeypatch.setattr("attnlab.engine.api.memory_budget.available_memory", lambda: 25_000)
    session.prefill(PROMPT)
    assert session.long_attention is not None and session.long_attention.rows == 18
    monkeypatch.setattr("attnlab.engine.api.memory_budget.available_memory", lambda: 1_000)
    with pytest.raises(AttentionMemoryError, match="long-document attention for 24 tokens needs"):
        session.prefill(PROMPT)


def test_auto_keeps_exact_rows_only_up_to_its_limit_however_much_memory_is_free(monkeypatch):
    """A long document in the window must not take most of the RAM (SmolLM2 at 8,192 tokens took 17 GiB of
    exact rows on a 24 GB machine): beyond AUTO_EXACT_BYTES "auto" takes the long mode even when the exact
    rows would fit. Tiny gpt2, 2 layers × 4 heads, 24 rows (18 + 6 to generate): float16 triangle of 2,400 bytes."""
    monkeypatch.setattr("attnlab.engine.api.memory_budget.available_memory", lambda: 2**40)
    exact_bytes = 2 * 4 * (24 * 25 // 2) * 2  # layers × heads × triangle × float16, written out here
    monkeypatch.setattr("attnlab.engine.session.store_policy.AUTO_EXACT_BYTES", exact_bytes * 10)
    session = _session("gpt2", "auto")
    session.prefill(PROMPT)
    assert session.long_attention is None
    monkeypatch.setattr("attnlab.engine.session.store_policy.AUTO_EXACT_BYTES", exact_bytes - 1)
    session.prefill(PROMPT)
    assert session.long_attention is not None and session.long_attention.rows == 18


def test_auto_keeps_exact_rows_past_its_limit_for_a_model_without_long_mode(monkeypatch):
    """gemma2's sliding-window layers have no long mode: "auto" keeps their exact rows while they fit at all."""
    monkeypatch.setattr("attnlab.engine.api.memory_budget.available_memory", lambda: 2**40)
    monkeypatch.setattr("attnlab.engine.session.store_policy.AUTO_EXACT_BYTES", 1)
    session = _session("gemma2", "auto", tiny_gemma2)
    session.prefill(PROMPT)
    assert session.long_attention is None and "decoder" in session.state().attention.stacks
    monkeypatch.setattr("attnlab.engine.api.memory_budget.available_memory", lambda: 1_000)
    with pytest.raises(AttentionMemoryError, match="does not support gemma2's sliding-window layers"):
        session.prefill(PROMPT)


def test_a_reused_scores_buffer_gives_the_same_attention_and_logits():
    """Hooks that opt in to one reused scores buffer (the long mode's) see the same probabilities, bit for bit,
    as a forward that allocates each layer's own, and the model predicts the same."""
    from attnlab.engine.capture import attention as capture

    model, tokenizer = BUILDERS["llama"]()
    model.set_attn_implementation(capture.IMPLEMENTATION)
    ids = tokenizer(PROMPT, return_tensors="pt")["input_ids"]

    class Copies(capture.Hooks):
        def __init__(self, reuse: bool):
            self.reuse_scores, self.seen = reuse, []

        def on_probs(self, module, probs):
            self.seen.append(probs.clone())  # the buffer is overwritten by the next layer

    runs = []
    for reuse in (False, True):
        with torch.inference_mode(), capture.recording(Copies(reuse)) as hooks:
            logits = model(input_ids=ids).logits
        runs.append((hooks.seen, logits))
    (plain, plain_logits), (reused, reused_logits) = runs
    assert len(plain) == len(reused) == model.config.num_hidden_layers
    for ours, theirs in zip(reused, plain, strict=True):
        assert torch.equal(ours, theirs)
    assert torch.equal(reused_logits, plain_logits)
