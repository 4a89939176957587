"""BERT's corruption recipe (the masked-LM lesson's button), counted over many samples."""

from __future__ import annotations

import random
from collections import Counter

from attnlab.app.mlm_recipe import join_tokens, sample_training_example, wordpiece_vocabulary
from attnlab.engine.models.available_models import bundled_dir

VOCABULARY = ["apple", "river", "blue"]


def test_fifteen_percent_chosen_then_80_10_10():
    tokens = ["[CLS]", *[f"w{i}" for i in range(200)], "[SEP]"]
    rng = random.Random(0)
    actions: Counter[str] = Counter()
    for _ in range(500):
        example = sample_training_example(tokens, VOCABULARY, rng)
        assert len(example.chosen) == 30  # 15% of the 200 non-special tokens
        assert example.tokens[0] == "[CLS]" and example.tokens[-1] == "[SEP]"  # specials are never chosen
        chosen = {c.position for c in example.chosen}
        assert all(example.tokens[i] == tokens[i] for i in range(len(tokens)) if i not in chosen)
        for c in example.chosen:
            assert c.original == tokens[c.position] and example.tokens[c.position] == c.shown
            assert c.shown == {"mask": "[MASK]", "keep": c.original}.get(c.action, c.shown)
            if c.action == "random":
                assert c.shown in VOCABULARY
            actions[c.action] += 1
    total = sum(actions.values())
    assert abs(actions["mask"] / total - 0.8) < 0.02
    assert abs(actions["random"] / total - 0.1) < 0.02
    assert abs(actions["keep"] / total - 0.1) < 0.02


def test_a_short_sentence_still_gets_one_chosen_token():
    example = sample_training_example(["[CLS]", "hi", "[SEP]"], VOCABULARY, random.Random(1))
    assert [c.position for c in example.chosen] == [1]


def test_joined_tokens_read_as_a_sentence():
    assert join_tokens(["[CLS]", "the", "cat", "##s", "sat", ".", "[SEP]"]) == "the cats sat ."
    assert join_tokens(["[CLS]", "法", "国", "[MASK]", "。", "[SEP]"]) == "法国[MASK]。"
    assert join_tokens(["[CLS]", "a", "b", "[SEP]", "c", "[SEP]"]) == "a b\nc"


def test_vocabulary_of_the_bundled_bert_is_whole_words():
    root = bundled_dir()
    assert root is not None
    words = wordpiece_vocabulary(str(root / "tiny-bert"))
    assert "paris" in words and len(words) > 300
    assert not any(w.startswith("##") or w.startswith("[") for w in words)
    assert wordpiece_vocabulary("/nonexistent") == []
