"""BERT's pre-training corruption applied to the user's own sentence (the masked-LM lesson's button).

Of the tokens that are not special, 15% are chosen (at least one); each chosen token becomes
[MASK] with probability 0.8, a random vocabulary token with 0.1, and stays as it was with 0.1.
The model learns to predict the original token at every chosen position, whatever happened to
it there — so it can never trust that an unmasked token is the right one.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

CHOSEN_SHARE = 0.15  # of the non-special tokens
MASK_SHARE = 0.8  # of the chosen: replaced by [MASK]
RANDOM_SHARE = 0.1  # of the chosen: replaced by a random token (the remaining 0.1: left alone)

Action = Literal["mask", "random", "keep"]


@dataclass(frozen=True)
class Corruption:
    position: int  # in the token sequence (specials included)
    original: str  # the token the model must predict here
    action: Action
    shown: str  # what the model reads here instead


@dataclass(frozen=True)
class TrainingExample:
    tokens: tuple[str, ...]  # the corrupted sequence, as long as the original
    chosen: tuple[Corruption, ...]  # by position


def is_special(token: str) -> bool:
    return len(token) > 2 and token.startswith("[") and token.endswith("]")


def sample_training_example(
    tokens: Sequence[str], vocabulary: Sequence[str], rng: random.Random, mask_token: str = "[MASK]"
) -> TrainingExample:
    """One corruption of `tokens` by the recipe; `vocabulary`: what a random replacement is drawn from."""
    candidates = [i for i, token in enumerate(tokens) if not is_special(token)]
    if not candidates:
        return TrainingExample(tuple(tokens), ())
    count = max(1, round(CHOSEN_SHARE * len(candidates)))
    out = list(tokens)
    chosen = []
    for position in sorted(rng.sample(candidates, count)):
        draw = rng.random()
        action: Action = "mask" if draw < MASK_SHARE else "random" if draw < MASK_SHARE + RANDOM_SHARE else "keep"
        if action == "mask":
            out[position] = mask_token
        elif action == "random":
            out[position] = rng.choice(vocabulary) if vocabulary else tokens[position]
        chosen.append(Corruption(position, tokens[position], action, out[position]))
    return TrainingExample(tuple(out), tuple(chosen))


def _cjk(character: str) -> bool:
    return ord(character) >= 0x2E80  # CJK radicals onwards: Han, kana, full-width punctuation


def join_tokens(tokens: Sequence[str]) -> str:
    """WordPiece tokens back to a text that tokenises to them again: [CLS] dropped, a [SEP]
    between two segments becomes a line break, "##" pieces glue to the word before."""
    text = ""
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        if token == "[CLS]" or (token == "[SEP]" and i == last):
            continue
        if token == "[SEP]":
            text += "\n"
        elif token.startswith("##") and len(token) > 2:
            text += token[2:]
        elif text and not text.endswith("\n") and not (_cjk(text[-1]) or _cjk(token[0])):
            text += " " + token
        else:
            text += token
    return text


def wordpiece_vocabulary(model_folder: str) -> list[str]:
    """Whole-word tokens of a WordPiece tokenizer.json (no specials, no "##" pieces); [] if unreadable."""
    try:
        data = json.loads((Path(model_folder) / "tokenizer.json").read_text(encoding="utf-8"))
        vocab = data["model"]["vocab"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    if not isinstance(vocab, dict):
        return []
    return sorted(word for word in vocab if word.isalpha() and not is_special(word))
