"""BERT's corruption recipe, a whole word at a time (the masked-LM lesson's button), counted over many samples."""

from __future__ import annotations

import gzip
import importlib.util
import random
import re
import sys
from collections import Counter
from pathlib import Path

from attnlab.app.mlm_recipe import CorpusWords, corpus_words, join_words, sample_training_example, words_of

ROOT = Path(__file__).parents[2]
CORPUS = CorpusWords(("apple", "river", "blue"), ("苹果", "河"), frozenset({"法国", "首都", "巴黎"}), 2)


def test_fifteen_percent_of_the_words_chosen_then_80_10_10():
    tokens = ["[CLS]", *[f"w{i}" for i in range(200)], ".", "[SEP]"]
    rng = random.Random(0)
    actions: Counter[str] = Counter()
    for _ in range(500):
        example = sample_training_example(tokens, CORPUS, rng)
        assert example.words == 200 and len(example.chosen) == 30  # 15% of the words; "." is never chosen
        shown = example.text.split()
        assert len(shown) == 200 and shown[-1].endswith(".")
        for c in example.chosen:
            assert c.shown == {"mask": "[MASK]", "keep": c.word.text}.get(c.action, c.shown)
            if c.action == "random":
                assert c.shown in CORPUS.latin
            assert shown[c.word.start - 1].removesuffix(".") == c.shown
            actions[c.action] += 1
    total = sum(actions.values())
    assert abs(actions["mask"] / total - 0.8) < 0.02
    assert abs(actions["random"] / total - 0.1) < 0.02
    assert abs(actions["keep"] / total - 0.1) < 0.02


def test_a_word_in_pieces_is_chosen_whole_and_masked_token_for_token():
    tokens = ["[CLS]", "w", "##a", "##l", "##k", "##e", "##d", "[SEP]"]
    for seed in range(20):
        example = sample_training_example(tokens, CORPUS, random.Random(seed))
        (c,) = example.chosen
        assert c.word.text == "walked" and c.word.pieces == tuple(tokens[1:7])
        assert example.text == {"mask": " ".join(["[MASK]"] * 6), "keep": "walked"}.get(c.action, c.shown)


def test_chinese_words_by_the_corpus_lexicon():
    tokens = ["[CLS]", "法", "国", "的", "首", "都", "是", "巴", "黎", "。", "[SEP]"]
    assert [w.text for w in words_of(tokens, CORPUS)] == ["[CLS]", "法国", "的", "首都", "是", "巴黎", "。", "[SEP]"]
    seen = set()
    for seed in range(200):
        example = sample_training_example(tokens, CORPUS, random.Random(seed))
        (c,) = example.chosen  # 15% of five words: one
        seen.add((c.word.text, c.action))
        if c.action == "mask":
            assert example.text.replace("[MASK]" * len(c.word.text), c.word.text, 1) == "法国的首都是巴黎。"
        if c.action == "random":
            assert c.shown in CORPUS.chinese  # a Chinese word for a Chinese one
    assert ("巴黎", "mask") in seen and ("的", "mask") in seen


def test_a_short_sentence_still_gets_one_chosen_word():
    example = sample_training_example(["[CLS]", "hi", "[SEP]"], CORPUS, random.Random(1))
    assert [c.word.text for c in example.chosen] == ["hi"]


def test_joined_words_read_as_a_sentence():
    assert join_words(["[CLS]", "the", "cats", "sat", ".", "[SEP]"]) == "the cats sat."
    assert join_words(["[CLS]", "法国", "[MASK][MASK]", "。", "[SEP]"]) == "法国[MASK][MASK]。"
    assert join_words(["[CLS]", "a", "b", "[SEP]", "c", "[SEP]"]) == "a b\nc"
    assert join_words(["[CLS]", "是", "[MASK]", "[MASK]", "。", "[SEP]"]) == "是[MASK][MASK]。"
    assert join_words(["[CLS]", "is", "[MASK]", "[MASK]", ".", "[SEP]"]) == "is [MASK] [MASK]."


def test_the_corpus_words_are_the_words_tiny_bert_learnt_from(monkeypatch):
    words = corpus_words()
    text = gzip.decompress((ROOT / "resources" / "corpus" / "train.txt.gz").read_bytes()).decode("utf-8")
    assert set(words.latin) == set(re.findall(r"[a-z]+", text.lower()))
    assert {"paris", "capital", "garden"} <= set(words.latin)
    assert {"法国", "首都", "巴黎", "的", "是"} <= set(words.chinese)
    assert all(word in text for word in words.chinese)
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "tools" / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    make_corpus = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_corpus", make_corpus)  # its dataclasses look their module up
    spec.loader.exec_module(make_corpus)
    assert words.lexicon == frozenset(make_corpus.zh_lexicon())  # resources/corpus/zh_words.txt is current
