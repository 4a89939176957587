"""BERT's pre-training corruption applied to the user's own sentence (the masked-LM lesson's button).

The recipe's numbers are engine/api/mlm_recipe.py's, applied to whole words, as tiny-bert was trained
(whole-word masking): 15% of the sentence's words are chosen (at least one); each chosen word becomes
[MASK] — one per token, so a word the tokenizer splits into pieces is hidden as a whole — with
probability 0.8, a random word of the corpus tiny-bert learnt from with 0.1, and stays as it was with
0.1. The model must name the original at every chosen word, whatever happened to it there, so it can
never trust that an unchanged word is the right one. Punctuation is never chosen (BERT's own recipe
chooses it too; leaving it keeps the example readable as a sentence).
"""

from __future__ import annotations

import gzip
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from attnlab.engine.api.mlm_recipe import Action, action_of, chosen_count

_CHINESE = re.compile(r"[\u4e00-\u9fff]+")  # runs of Han characters: each one token of a BERT tokenizer
_LATIN = re.compile(r"[a-z]+")  # words as an uncased BERT tokenizer reads them (lower-cased)
_CLOSING = set(".,;:!?)]}%")  # no space before these when joining words


@dataclass(frozen=True)
class CorpusWords:
    """The whole words of the corpus the bundled tiny-bert learnt from (resources/corpus)."""

    latin: tuple[str, ...]  # lower-cased English words
    chinese: tuple[str, ...]  # Chinese words: the lexicon's, and the single characters between them
    lexicon: frozenset[str]  # Chinese words of two or more characters, to cut Chinese text with
    longest: int  # characters of the lexicon's longest word


@dataclass(frozen=True)
class Word:
    start: int  # position of its first token in the sequence (specials included)
    pieces: tuple[str, ...]  # its tokens: "##" pieces continue a word; a Chinese word is one token a character

    @property
    def text(self) -> str:
        return "".join(p[2:] if p.startswith("##") and len(p) > 2 else p for p in self.pieces)

    @property
    def chinese(self) -> bool:
        return bool(_CHINESE.fullmatch(self.text))

    @property
    def choosable(self) -> bool:
        """A word of letters or digits; never a special token or punctuation."""
        return not (len(self.pieces) == 1 and is_special(self.pieces[0])) and any(c.isalnum() for c in self.text)


@dataclass(frozen=True)
class Corruption:
    word: Word  # the word the model must recover here
    action: Action
    shown: str  # what the model reads instead (the word itself when kept)


@dataclass(frozen=True)
class TrainingExample:
    text: str  # the corrupted sentence, to put in the text box
    chosen: tuple[Corruption, ...]  # in sentence order
    words: int  # how many words could have been chosen


def is_special(token: str) -> bool:
    return len(token) > 2 and token.startswith("[") and token.endswith("]")


def cut_chinese(characters: str, lexicon: frozenset[str], longest: int) -> list[int]:
    """Lengths of the words of a run of Chinese characters, by longest match against `lexicon`
    (a character no lexicon word starts with is a word of its own)."""
    lengths, i = [], 0
    while i < len(characters):
        n = next((n for n in range(min(longest, len(characters) - i), 1, -1) if characters[i : i + n] in lexicon), 1)
        lengths.append(n)
        i += n
    return lengths


def words_of(tokens: Sequence[str], corpus: CorpusWords) -> list[Word]:
    """`tokens` (WordPiece, specials included) grouped into words, every token in exactly one."""
    words: list[Word] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if words and token.startswith("##") and len(token) > 2 and not is_special(words[-1].pieces[-1]):
            words[-1] = Word(words[-1].start, (*words[-1].pieces, token))
            i += 1
            continue
        run = 0  # Chinese characters from here, one token each
        while i + run < len(tokens) and len(tokens[i + run]) == 1 and _CHINESE.fullmatch(tokens[i + run]):
            run += 1
        lengths = cut_chinese("".join(tokens[i : i + run]), corpus.lexicon, corpus.longest) if run else [1]
        for n in lengths:
            words.append(Word(i, tuple(tokens[i : i + n])))
            i += n
    return words


def join_words(words: Sequence[str]) -> str:
    """Words back to a text that tokenises to their tokens again: [CLS] dropped, a [SEP] between two
    segments becomes a line break, no space before closing punctuation nor next to Chinese text
    ([MASK] and the other specials take the side of their neighbours: "是[MASK][MASK]。")."""
    text, before = "", ""  # before: the last word written that is not special
    last = len(words) - 1
    for i, word in enumerate(words):
        if word == "[CLS]" or (word == "[SEP]" and i == last):
            continue
        if word == "[SEP]":
            text, before = text + "\n", ""
            continue
        after = next((w for w in words[i:] if not is_special(w)), "")
        chinese = (before and _cjk(before[-1])) or (after and _cjk(after[0]))
        if text and not text.endswith("\n") and not chinese and word[0] not in _CLOSING:
            text += " "
        text += word
        before = before if is_special(word) else word
    return text


def _cjk(character: str) -> bool:
    return ord(character) >= 0x2E80  # CJK radicals onwards: Han, kana, full-width punctuation


def sample_training_example(
    tokens: Sequence[str], corpus: CorpusWords, rng: random.Random, mask_token: str = "[MASK]"
) -> TrainingExample:
    """One corruption of the sentence `tokens` by the recipe, a whole word at a time; a random
    replacement is a corpus word of the same script (Chinese for Chinese, English otherwise)."""
    words = words_of(tokens, corpus)
    candidates = [i for i, word in enumerate(words) if word.choosable]
    shown = [word.text for word in words]
    chosen = []
    for index in sorted(rng.sample(candidates, chosen_count(len(candidates)))):
        word = words[index]
        action = action_of(rng.random())
        if action == "mask":
            shown[index] = ("" if word.chinese else " ").join([mask_token] * len(word.pieces))
        elif action == "random":
            shown[index] = rng.choice(corpus.chinese if word.chinese else corpus.latin)
        chosen.append(Corruption(word, action, shown[index]))
    return TrainingExample(join_words(shown), tuple(chosen), len(candidates))


@cache
def corpus_words() -> CorpusWords:
    """The words of resources/corpus: train.txt.gz (what tiny-bert was trained on, lower-cased as its
    tokenizer reads it) cut by zh_words.txt (the corpus's Chinese words, written by tools/make_corpus.py)."""
    root = files("attnlab.resources") / "corpus"
    text = gzip.decompress((root / "train.txt.gz").read_bytes()).decode("utf-8")
    lexicon = frozenset((root / "zh_words.txt").read_text(encoding="utf-8").split())
    longest = max(map(len, lexicon))
    chinese: set[str] = set()
    for run in set(_CHINESE.findall(text)):
        start = 0
        for n in cut_chinese(run, lexicon, longest):
            chinese.add(run[start : start + n])
            start += n
    latin = set(_LATIN.findall(text.lower()))
    return CorpusWords(tuple(sorted(latin)), tuple(sorted(chinese)), lexicon, longest)
