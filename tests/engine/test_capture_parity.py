"""The capturing attention is the model's own eager path: same logits, same probabilities."""

import numpy as np
import torch

from attnlab.engine.capture import attention as capture
from attnlab.engine.session.sessions import make_session

IDS = torch.tensor([[5, 7, 9, 11, 13, 8, 10, 12]])
DECODER_IDS = torch.tensor([[0, 21, 22, 23, 24]])


def _outputs(model, seq2seq: bool):
    with torch.no_grad():
        if seq2seq:
            out = model(input_ids=IDS, decoder_input_ids=DECODER_IDS, output_attentions=True)
            return out.logits, {
                "encoder": out.encoder_attentions,
                "decoder": out.decoder_attentions,
                "cross": out.cross_attentions,
            }
        out = model(input_ids=IDS, output_attentions=True)
        logits = out.logits if hasattr(out, "logits") else out.prediction_logits
        stack = "decoder" if hasattr(out, "logits") else "encoder"
        return logits, {stack: out.attentions}


def test_logits_and_attentions_equal_eager(any_tiny):
    name, eager, loaded = any_tiny
    assert loaded.model.config._attn_implementation == capture.IMPLEMENTATION
    seq2seq = loaded.kind == "encoder-decoder"
    ref_logits, ref_attn = _outputs(eager, seq2seq)
    logits, attn = _outputs(loaded.model, seq2seq)
    torch.testing.assert_close(logits, ref_logits, atol=1e-5, rtol=0)
    assert set(attn) == {s.name for s in loaded.info.stacks}
    for stack in ref_attn:
        assert len(attn[stack]) == len(ref_attn[stack])
        for mine, theirs in zip(attn[stack], ref_attn[stack], strict=True):
            torch.testing.assert_close(mine, theirs, atol=1e-5, rtol=0)


def test_stacks_are_discovered_with_layers_and_heads(any_tiny):
    name, _, loaded = any_tiny
    stacks = {s.name: (s.layers, s.heads, s.causal) for s in loaded.info.stacks}
    expected = {
        "gpt2": {"decoder": (2, 4, True)},
        "llama": {"decoder": (2, 4, True)},  # 4 query heads over 2 key/value heads
        "bert": {"encoder": (2, 4, False)},
        "bart": {"encoder": (2, 4, False), "decoder": (2, 4, True), "cross": (2, 4, False)},
        "t5": {"encoder": (2, 4, False), "decoder": (2, 4, True), "cross": (2, 4, False)},
    }[name]
    assert stacks == expected


def test_store_holds_the_same_attention_in_float16(any_tiny):
    """What the session records equals the eager attention up to float16 rounding; rows sum to 1."""
    name, eager, loaded = any_tiny
    session = make_session(loaded)
    seq2seq = loaded.kind == "encoder-decoder"
    if loaded.kind == "encoder":
        snap = session.analyse("the cat sat on the mat . the dog ran").attention
        ids = torch.tensor([session.tokenizer("the cat sat on the mat . the dog ran")["input_ids"]])
        with torch.no_grad():
            ref = {"encoder": eager(input_ids=ids, output_attentions=True).attentions}
    elif seq2seq:
        session.prefill("", source="the cat sat on the mat")
        for _ in range(3):
            session.step()
        snap = session.store.snapshot()
        src = torch.from_numpy(session.state().token_ids)[None]
        with torch.no_grad():
            out = eager(input_ids=src, decoder_input_ids=torch.tensor([session.token_ids]), output_attentions=True)
        ref = {"encoder": out.encoder_attentions, "decoder": out.decoder_attentions, "cross": out.cross_attentions}
    else:
        session.prefill("the cat sat on the mat")
        for _ in range(3):
            session.step()
        snap = session.store.snapshot()
        with torch.no_grad():
            ref = {"decoder": eager(input_ids=torch.tensor([session.token_ids]), output_attentions=True).attentions}
    for stack, layers in ref.items():
        for layer, expected in enumerate(layers):
            got = snap.layer(stack, layer)
            np.testing.assert_allclose(got, expected[0].numpy(), atol=1e-3)
            np.testing.assert_allclose(got.sum(-1), 1.0, atol=3e-3)
            if snap.is_causal(stack):
                assert not np.triu(got, k=1).any()
