"""Score the bundled tiny models on held-out sentences they never saw in training.

    .venv/bin/python tools/evaluate_tiny.py                    # print the figures
    .venv/bin/python tools/evaluate_tiny.py --write-examples   # also rewrite resources/models/examples.json

Targets: BERT fill-mask top-1 >= 90% and next-sentence >= 90%, GPT greedy completion
>= 90%, encoder-decoder exact match >= 95%. Agreement and cross-attention alignment
are printed for information.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
from transformers import (
    AutoTokenizer,
    BartForConditionalGeneration,
    BertForPreTraining,
    GPT2LMHeadModel,
    PreTrainedTokenizerBase,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_corpus
from make_corpus import Corpus, Document, Fact, NumberPair

MODELS = Path(__file__).resolve().parent.parent / "resources" / "models"
FACT_KINDS = ("capital", "sound", "legs", "colour", "number")


@dataclass(frozen=True)
class Score:
    """Per-item right/wrong, so any grouping can be printed."""

    items: tuple[tuple[str, bool], ...]  # (group, correct)

    def rate(self, group: str | None = None) -> float:
        """Share right, of all items or of one group ("en" also matches "capital/en")."""
        picked = [ok for g, ok in self.items if group is None or group in (g, *g.split("/"))]
        return sum(picked) / max(1, len(picked))

    def __len__(self) -> int:
        return len(self.items)


# ---------------------------------------------------------------------------
# BERT
# ---------------------------------------------------------------------------


def masked_text(fact: Fact, tok) -> tuple[str, list[str]]:
    """The fact with its answer replaced by one [MASK] per answer token; and those tokens."""
    start = fact.text.index(fact.answer, len(fact.prompt))
    answer_tokens = tok.tokenize(fact.answer)
    text = fact.text[:start] + tok.mask_token * len(answer_tokens) + fact.text[start + len(fact.answer) :]
    return text, answer_tokens


@torch.no_grad()
def fill_masks(model, tok, text: str) -> list[str]:
    """Top-1 filler of every [MASK] in text. With several, the surest is filled first and the
    rest are predicted again with it in place (one [MASK] is plain top-1)."""
    ids = tok(text, return_tensors="pt").input_ids
    slots = (ids[0] == tok.mask_token_id).nonzero().flatten()
    while (ids[0, slots] == tok.mask_token_id).any():
        probs = _mlm_logits(model, ids)[slots].softmax(-1)  # [slot, vocab]
        probs[ids[0, slots] != tok.mask_token_id] = -1  # already filled
        best, token = probs.max(-1)
        k = int(best.argmax())
        ids[0, slots[k]] = token[k]
    return tok.convert_ids_to_tokens(ids[0, slots].tolist())


def _mlm_logits(model, ids: torch.Tensor) -> torch.Tensor:
    """Works for BertForPreTraining and BertForMaskedLM alike."""
    out = model(input_ids=ids)
    return (out.prediction_logits if hasattr(out, "prediction_logits") else out.logits)[0]  # [position, vocab]


def bert_fill_mask(model, tok, facts: list[Fact]) -> list[bool]:
    results = []
    for fact in facts:
        text, answer_tokens = masked_text(fact, tok)
        results.append(fill_masks(model, tok, text) == answer_tokens)
    return results


def nsp_pairs(stories: tuple[Document, ...], seed: int = 0) -> list[tuple[str, str, bool]]:
    """(first, second, is_next): each true next sentence, and the same first sentence
    with a sentence from a held-out story of the same language sharing no name."""
    rng = random.Random(seed)
    pairs = []
    for doc in stories:
        others = [d for d in stories if d.lang == doc.lang and not set(d.names) & set(doc.names)]
        for a, b in itertools.pairwise(doc.sentences):
            pairs.append((a, b, True))
            pairs.append((a, rng.choice(rng.choice(others).sentences), False))
    return pairs


@torch.no_grad()
def bert_next_sentence(model, tok, pairs: list[tuple[str, str, bool]]) -> list[bool]:
    enc = tok([p[0] for p in pairs], [p[1] for p in pairs], return_tensors="pt", padding=True)
    logits = model(**enc).seq_relationship_logits  # [pair, 2]; index 0: "B follows A"
    said_next = (logits[:, 0] > logits[:, 1]).tolist()
    return [said == p[2] for said, p in zip(said_next, pairs, strict=True)]


# ---------------------------------------------------------------------------
# GPT
# ---------------------------------------------------------------------------


def expected_continuation(fact: Fact) -> str:
    """The answer as it follows the prompt, plus the next character (so "four" is not "fourteen")."""
    start = fact.text.index(fact.answer, len(fact.prompt))
    return fact.text[len(fact.prompt) : start + len(fact.answer) + 1]


@torch.no_grad()
def gpt_continue(model, tok, prompt: str, new_tokens: int = 8) -> str:
    enc = tok(prompt, return_tensors="pt")
    out = model.generate(**enc, do_sample=False, max_new_tokens=new_tokens)
    return tok.decode(out[0, enc.input_ids.shape[1] :], skip_special_tokens=True)


def gpt_completion(model, tok, facts: list[Fact]) -> list[bool]:
    return [gpt_continue(model, tok, f.prompt).startswith(expected_continuation(f)) for f in facts]


# ---------------------------------------------------------------------------
# Encoder-decoder
# ---------------------------------------------------------------------------


@torch.no_grad()
def seq2seq_translate(model, tok, sources: list[str]) -> list[str]:
    outputs = []
    for start in range(0, len(sources), 256):
        enc = tok(sources[start : start + 256], return_tensors="pt", padding=True)
        out = model.generate(**enc, do_sample=False, num_beams=1, max_new_tokens=8)
        outputs += tok.batch_decode(out, skip_special_tokens=True)
    return outputs


@torch.no_grad()
def cross_attention_peaks(model, tok, pair: NumberPair) -> list[bool]:
    """For each aligned (word, digit): does the last layer's cross-attention, averaged over
    heads, peak on that word in the decoder row that produces the digit?"""
    enc = tok(pair.words, return_tensors="pt")
    labels = tok(pair.digits, return_tensors="pt").input_ids
    out = model(**enc, labels=labels, output_attentions=True)
    attention = out.cross_attentions[-1][0].mean(0)  # [target position, source position]
    return [int(attention[d].argmax()) == w for w, d in pair.alignment]


# ---------------------------------------------------------------------------
# Running it all
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Models:
    bert: BertForPreTraining
    bert_tok: PreTrainedTokenizerBase
    gpt: GPT2LMHeadModel
    gpt_tok: PreTrainedTokenizerBase
    seq2seq: BartForConditionalGeneration
    seq2seq_tok: PreTrainedTokenizerBase


def load_models(folder: Path = MODELS) -> Models:
    def load(cls, name):
        path = folder / name
        return cls.from_pretrained(path, attn_implementation="eager").eval(), AutoTokenizer.from_pretrained(path)

    return Models(
        *load(BertForPreTraining, "tiny-bert"),
        *load(GPT2LMHeadModel, "tiny-gpt"),
        *load(BartForConditionalGeneration, "tiny-seq2seq"),
    )


def evaluate(models: Models, corpus: Corpus) -> dict[str, Score]:
    facts = [f for f in corpus.heldout_facts if f.kind in FACT_KINDS]
    groups = [f"{f.kind}/{f.lang}" for f in facts]
    agreement = [f for f in corpus.heldout_facts if f.kind == "agreement"]
    pairs = nsp_pairs(corpus.heldout_stories)
    numbers = list(corpus.heldout_numbers)
    translated = seq2seq_translate(models.seq2seq, models.seq2seq_tok, [p.words for p in numbers])
    peaks = [(p.lang, ok) for p in numbers for ok in cross_attention_peaks(models.seq2seq, models.seq2seq_tok, p)]
    return {
        "fill_mask": Score(tuple(zip(groups, bert_fill_mask(models.bert, models.bert_tok, facts), strict=True))),
        "next_sentence": Score(
            tuple(
                zip(
                    ("pos" if p[2] else "neg" for p in pairs),
                    bert_next_sentence(models.bert, models.bert_tok, pairs),
                    strict=True,
                )
            )
        ),
        "completion": Score(tuple(zip(groups, gpt_completion(models.gpt, models.gpt_tok, facts), strict=True))),
        "exact_match": Score(tuple((p.lang, out == p.digits) for p, out in zip(numbers, translated, strict=True))),
        "alignment": Score(tuple(peaks)),
        "bert_agreement": Score(tuple(("en", ok) for ok in bert_fill_mask(models.bert, models.bert_tok, agreement))),
        "gpt_agreement": Score(tuple(("en", ok) for ok in gpt_completion(models.gpt, models.gpt_tok, agreement))),
    }


def report(scores: dict[str, Score]) -> str:
    def line(label: str, key: str, groups: tuple[str, ...], target: str = "") -> str:
        s = scores[key]
        parts = ", ".join(f"{g} {100 * s.rate(g):.1f}%" for g in groups)
        return f"{label:<62} {100 * s.rate():5.1f}%  ({parts}){target}"

    n = {k: len(v) for k, v in scores.items()}
    return "\n".join(
        [
            line(
                f"tiny-bert    fill-mask top-1, {n['fill_mask']} held-out facts",
                "fill_mask",
                ("en", "zh"),
                "  target >= 90%",
            ),
            line(
                f"tiny-bert    next sentence, {n['next_sentence']} held-out pairs",
                "next_sentence",
                ("pos", "neg"),
                "  target >= 90%",
            ),
            line(
                f"tiny-gpt     greedy completion, {n['completion']} held-out prompts",
                "completion",
                ("en", "zh"),
                "  target >= 90%",
            ),
            line(
                f"tiny-seq2seq exact match, {n['exact_match']} held-out numbers",
                "exact_match",
                ("en", "zh"),
                "  target >= 95%",
            ),
            line(
                f"tiny-seq2seq cross-attention peak on aligned word, {n['alignment']} digits", "alignment", ("en", "zh")
            ),
            line(f"tiny-bert    agreement is/are, {n['bert_agreement']} held-out sentences", "bert_agreement", ("en",)),
            line(f"tiny-gpt     agreement is/are, {n['gpt_agreement']} held-out prompts", "gpt_agreement", ("en",)),
        ]
        + [
            f"{'':<13}{label} by kind: "
            + ", ".join(
                f"{kind} {100 * scores[key].rate(kind + '/en'):.0f}/{100 * scores[key].rate(kind + '/zh'):.0f}%"
                for kind in FACT_KINDS
            )
            + " (en/zh)"
            for label, key in (("fill-mask", "fill_mask"), ("completion", "completion"))
        ]
    )


# ---------------------------------------------------------------------------
# examples.json: held-out cases other tests can reuse
# ---------------------------------------------------------------------------

EXAMPLES_NOTE = (
    "Held-out examples the bundled tiny models never saw in training; the expected values are the truth "
    "from tools/make_corpus.py, listed where the shipped model gets them right. "
    "bert: fill `text` with BertForMaskedLM, top-1 at each [MASK] (with several, fill the surest first and "
    "predict the rest again); the tokens, in order, are `expected`. "
    "bert_next_sentence: BertForPreTraining scores (first, next) as a continuation and (first, random) as not. "
    "gpt: greedy decoding of `prompt` (the tokenizer adds <|endoftext|> in front) continues with `expected`. "
    "seq2seq: generate() on `source` decodes to `expected`; `alignment` lists [source_index, target_index] "
    "pairs, indexing tokenizer(source).input_ids and tokenizer(expected).input_ids (the labels); the decoder "
    "row that produces label t is row t (decoder_input_ids = [decoder_start_token_id] + labels[:-1])."
)


def examples(models: Models, corpus: Corpus) -> dict:
    facts = [f for f in corpus.heldout_facts if f.kind in FACT_KINDS]
    out: dict = {"note": EXAMPLES_NOTE, "bert": [], "bert_next_sentence": [], "gpt": [], "seq2seq": []}
    for kind in FACT_KINDS:
        for lang in ("en", "zh"):
            group = [f for f in facts if f.kind == kind and f.lang == lang]
            bert_ok = bert_fill_mask(models.bert, models.bert_tok, group)
            gpt_ok = gpt_completion(models.gpt, models.gpt_tok, group)
            for f in [f for f, ok in zip(group, bert_ok, strict=True) if ok][:2]:
                text, tokens = masked_text(f, models.bert_tok)
                out["bert"].append({"kind": kind, "lang": lang, "text": text, "expected": tokens})
            for f in [f for f, ok in zip(group, gpt_ok, strict=True) if ok][:2]:
                out["gpt"].append(
                    {"kind": kind, "lang": lang, "prompt": f.prompt, "expected": expected_continuation(f)}
                )
    for lang in ("en", "zh"):
        stories = [d for d in corpus.heldout_stories if d.lang == lang]
        pairs = nsp_pairs(tuple(stories))[:6]
        ok = bert_next_sentence(models.bert, models.bert_tok, pairs)
        for i in range(0, len(pairs), 2):
            if ok[i] and ok[i + 1]:
                out["bert_next_sentence"].append({"first": pairs[i][0], "next": pairs[i][1], "random": pairs[i + 1][1]})
    tok = models.seq2seq_tok
    for lang in ("en", "zh"):
        numbers = [p for p in corpus.heldout_numbers if p.lang == lang and len(p.alignment) == len(p.digits) == 4]
        translated = seq2seq_translate(models.seq2seq, tok, [p.words for p in numbers])
        right = [p for p, t in zip(numbers, translated, strict=True) if t == p.digits]
        chosen = [p for p in right if all(cross_attention_peaks(models.seq2seq, tok, p))][:3] or right[:3]
        for p in chosen:
            out["seq2seq"].append(
                {
                    "lang": lang,
                    "source": p.words,
                    "expected": p.digits,
                    "source_tokens": tok.convert_ids_to_tokens(tok(p.words).input_ids),
                    "target_tokens": tok.convert_ids_to_tokens(tok(p.digits).input_ids),
                    "alignment": [[w, d] for w, d in p.alignment],
                }
            )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=MODELS, help="folder holding tiny-bert, tiny-gpt, tiny-seq2seq")
    parser.add_argument("--write-examples", action="store_true", help="rewrite examples.json in that folder")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    corpus = make_corpus.build_corpus()
    models = load_models(args.models)
    print(report(evaluate(models, corpus)), flush=True)
    if args.write_examples:
        path = args.models / "examples.json"
        path.write_text(json.dumps(examples(models, corpus), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
