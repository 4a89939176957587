"""The tiny models trained by the project, driven through the engine on held-out examples."""

import json

import numpy as np
import pytest

from attnlab.engine.models.catalog import bundled_dir, list_models
from attnlab.engine.models.loading import load_model
from attnlab.engine.session.sessions import EncoderSession, GenerationSession

EXAMPLES = json.loads((bundled_dir() / "examples.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def models():
    return {name: load_model(name) for name in ("tiny-bert", "tiny-gpt", "tiny-seq2seq")}


def test_bundled_models_are_in_the_catalog_with_their_kinds():
    kinds = {e.name: e.kind for e in list_models() if e.source == "bundled"}
    assert kinds == {"tiny-bert": "encoder", "tiny-gpt": "decoder", "tiny-seq2seq": "encoder-decoder"}


def test_tiny_bert_fillers_are_the_masked_lm_head_own(models):
    """The engine's fillers at every [MASK] of the held-out facts are BertForMaskedLM's own top-k."""
    import torch
    from transformers import BertForMaskedLM

    loaded = models["tiny-bert"]
    assert loaded.info.has_mlm_head and loaded.info.has_nsp_head
    reference = BertForMaskedLM.from_pretrained(bundled_dir() / "tiny-bert").eval()
    session = EncoderSession(loaded)
    for example in EXAMPLES["bert"]:
        result = session.analyse(example["text"], top_k=5)
        with torch.no_grad():
            logits = reference(input_ids=torch.from_numpy(result.token_ids)[None]).logits[0]
        for slot in result.mask_predictions:
            expected = torch.softmax(logits[slot.position], -1).topk(5)
            assert [c.token_id for c in slot.candidates] == expected.indices.tolist(), example["text"]
            np.testing.assert_allclose([c.prob for c in slot.candidates], expected.values.numpy(), atol=1e-5)


def test_tiny_bert_next_sentence(models):
    session = EncoderSession(models["tiny-bert"])
    for example in EXAMPLES["bert_next_sentence"]:
        follows = session.analyse(f"{example['first']}\n{example['next']}").next_sentence_prob
        unrelated = session.analyse(f"{example['first']}\n{example['random']}").next_sentence_prob
        assert follows > 0.5 > unrelated, example


def test_tiny_gpt_completes_held_out_prompts(models):
    loaded = models["tiny-gpt"]
    session = GenerationSession(loaded)
    for example in EXAMPLES["gpt"]:
        session.prefill(example["prompt"])
        steps = session.run(8)
        continuation = loaded.tokenizer.decode([s.token_id for s in steps], skip_special_tokens=True)
        assert continuation.startswith(example["expected"]), (example["prompt"], continuation)


def test_tiny_seq2seq_output_and_cross_attention_alignment(models):
    loaded = models["tiny-seq2seq"]
    session = GenerationSession(loaded)
    peaks = []
    for example in EXAMPLES["seq2seq"]:
        session.prefill("", source=example["source"])
        steps = session.run(12)
        assert loaded.tokenizer.decode([s.token_id for s in steps], skip_special_tokens=True) == example["expected"]
        snap = session.store.snapshot()
        cross = snap.mean("cross", snap.shape("cross")[0] - 1)  # last layer: [decoder token, source token]
        np.testing.assert_allclose(cross.sum(-1), 1.0, atol=5e-3)
        # Row t is the query that produced target label t (its input is the start token or label t-1).
        peaks += [int(cross[t].argmax()) == s for s, t in example["alignment"]]
    assert peaks and all(peaks)
