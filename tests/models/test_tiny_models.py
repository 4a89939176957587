"""The tiny models bundled in resources/models/ load offline and behave like trained models.

Every input here is a held-out example from resources/models/examples.json: a sentence
or number the models never saw in training (tools/make_corpus.py keeps them apart).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest
import torch
from transformers import (
    AutoModelForCausalLM,
    AutoModelForMaskedLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    BartForConditionalGeneration,
    BertForMaskedLM,
    BertForPreTraining,
    GPT2LMHeadModel,
)

MODELS = Path(__file__).resolve().parents[2] / "resources" / "models"
BERT, GPT, SEQ2SEQ = MODELS / "tiny-bert", MODELS / "tiny-gpt", MODELS / "tiny-seq2seq"
EXAMPLES = json.loads((MODELS / "examples.json").read_text(encoding="utf-8"))


def load(cls, folder: Path, **kwargs):
    model = cls.from_pretrained(folder, local_files_only=True, **kwargs).eval()
    return model, AutoTokenizer.from_pretrained(folder, local_files_only=True)


@pytest.fixture(scope="module")
def bert_mlm():
    return load(BertForMaskedLM, BERT)


@pytest.fixture(scope="module")
def bert_pretraining():
    return load(BertForPreTraining, BERT)


@pytest.fixture(scope="module")
def gpt():
    return load(GPT2LMHeadModel, GPT)


@pytest.fixture(scope="module")
def seq2seq():
    return load(BartForConditionalGeneration, SEQ2SEQ, attn_implementation="eager")


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

# The next-sentence head and the pooler that feeds it: BertForMaskedLM has neither.
BERT_NSP_ONLY = {
    "cls.seq_relationship.weight",
    "cls.seq_relationship.bias",
    "bert.pooler.dense.weight",
    "bert.pooler.dense.bias",
}


@pytest.mark.parametrize(
    "cls, folder, unused",
    [
        (BertForPreTraining, BERT, set()),
        (BertForMaskedLM, BERT, BERT_NSP_ONLY),
        (AutoModelForMaskedLM, BERT, BERT_NSP_ONLY),
        (AutoModelForCausalLM, GPT, set()),
        (AutoModelForSeq2SeqLM, SEQ2SEQ, set()),
    ],
)
def test_every_weight_loads_offline_from_safetensors(cls, folder, unused):
    model, info = cls.from_pretrained(folder, local_files_only=True, output_loading_info=True)
    assert not info["missing_keys"]
    # Only what BERT's next-sentence head uses, which BertForMaskedLM lacks.
    assert set(info["unexpected_keys"]) <= unused
    assert (folder / "model.safetensors").is_file()
    assert not list(folder.glob("*.bin")), "weights ship as safetensors only"
    size = sum(f.stat().st_size for f in folder.iterdir())
    assert size < 8_000_000, f"{folder.name} is {size / 1e6:.1f} MB: the bundled models stay a few MB"


def test_tokenizers_carry_their_special_tokens():
    bert = AutoTokenizer.from_pretrained(BERT, local_files_only=True)
    for token in ("[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]"):
        assert token in bert.all_special_tokens
    assert bert.tokenize("法国的首都") == ["法", "国", "的", "首", "都"]  # one token per Chinese character
    pair = bert("Tom had a red ball.", "Tom gave the ball to Mary.")
    assert pair.token_type_ids[0] == 0 and pair.token_type_ids[-1] == 1

    gpt = AutoTokenizer.from_pretrained(GPT, local_files_only=True)
    assert gpt.eos_token == gpt.bos_token == "<|endoftext|>"
    assert gpt("Hello").input_ids[0] == gpt.bos_token_id  # every text starts like every training document
    assert gpt.decode(gpt("法国的首都是巴黎。").input_ids, skip_special_tokens=True) == "法国的首都是巴黎。"

    s2s = AutoTokenizer.from_pretrained(SEQ2SEQ, local_files_only=True)
    assert s2s.decode(s2s("3412").input_ids, skip_special_tokens=True) == "3412"
    assert s2s.convert_ids_to_tokens(s2s("3412").input_ids) == ["3", "4", "1", "2", "</s>"]


def test_generation_settings_are_saved():
    gpt_model, gpt_tok = load(GPT2LMHeadModel, GPT)
    assert gpt_model.config.bos_token_id == gpt_model.config.eos_token_id == gpt_tok.eos_token_id
    assert gpt_model.generation_config.eos_token_id == gpt_tok.eos_token_id
    s2s_model, s2s_tok = load(BartForConditionalGeneration, SEQ2SEQ)
    assert s2s_model.generation_config.decoder_start_token_id == s2s_tok.bos_token_id
    assert s2s_model.generation_config.eos_token_id == s2s_tok.eos_token_id
    assert s2s_model.generation_config.pad_token_id == s2s_tok.pad_token_id


# ---------------------------------------------------------------------------
# Behaviour on held-out examples
# ---------------------------------------------------------------------------


def fill_masks(model, tok, text: str) -> list[str]:
    """Top-1 at every [MASK]; with several, fill the surest first and predict the rest again."""
    ids = tok(text, return_tensors="pt").input_ids
    slots = (ids[0] == tok.mask_token_id).nonzero().flatten()
    while (ids[0, slots] == tok.mask_token_id).any():
        probs = model(input_ids=ids).logits[0, slots].softmax(-1)  # [slot, vocab]
        probs[ids[0, slots] != tok.mask_token_id] = -1
        best, token = probs.max(-1)
        k = int(best.argmax())
        ids[0, slots[k]] = token[k]
    return tok.convert_ids_to_tokens(ids[0, slots].tolist())


@torch.no_grad()
def test_bert_fills_held_out_facts(bert_mlm):
    model, tok = bert_mlm
    assert {e["lang"] for e in EXAMPLES["bert"]} == {"en", "zh"}
    for example in EXAMPLES["bert"]:
        assert fill_masks(model, tok, example["text"]) == example["expected"], example["text"]


@torch.no_grad()
def test_bert_next_sentence_prefers_the_true_pair(bert_pretraining):
    model, tok = bert_pretraining
    assert EXAMPLES["bert_next_sentence"]
    for example in EXAMPLES["bert_next_sentence"]:
        enc = tok([example["first"]] * 2, [example["next"], example["random"]], return_tensors="pt", padding=True)
        p_next = model(**enc).seq_relationship_logits.softmax(-1)[:, 0]  # [pair]; index 0: "B follows A"
        assert p_next[0] > 0.5 > p_next[1], example


@torch.no_grad()
def test_gpt_greedily_completes_held_out_prompts(gpt):
    model, tok = gpt
    assert {e["lang"] for e in EXAMPLES["gpt"]} == {"en", "zh"}
    for example in EXAMPLES["gpt"]:
        enc = tok(example["prompt"], return_tensors="pt")
        out = model.generate(**enc, do_sample=False, max_new_tokens=8)
        continuation = tok.decode(out[0, enc.input_ids.shape[1] :], skip_special_tokens=True)
        assert continuation.startswith(example["expected"]), (example["prompt"], continuation)


@torch.no_grad()
def test_seq2seq_translates_held_out_numbers(seq2seq):
    model, tok = seq2seq
    sources = [e["source"] for e in EXAMPLES["seq2seq"]]
    out = model.generate(**tok(sources, return_tensors="pt", padding=True), do_sample=False, max_new_tokens=8)
    assert tok.batch_decode(out, skip_special_tokens=True) == [e["expected"] for e in EXAMPLES["seq2seq"]]


@torch.no_grad()
def test_cross_attention_of_each_digit_peaks_on_its_source_word(seq2seq):
    model, tok = seq2seq
    peaks_on_aligned = []
    for example in EXAMPLES["seq2seq"]:
        enc = tok(example["source"], return_tensors="pt")
        assert tok.convert_ids_to_tokens(enc.input_ids[0]) == example["source_tokens"]
        labels = tok(example["expected"], return_tensors="pt").input_ids
        out = model(**enc, labels=labels, output_attentions=True)
        attention = out.cross_attentions[-1][0].mean(0)  # last layer, mean over heads: [target, source]
        torch.testing.assert_close(attention.sum(-1), torch.ones(labels.shape[1]))
        peaks_on_aligned += [int(attention[t].argmax()) == s for s, t in example["alignment"]]
    assert peaks_on_aligned and all(peaks_on_aligned)
