"""Training data for the three tasks: batches drawn from one seeded numpy generator, so a seed gives
the same batches on every machine.

- gpt: windows of the token stream (documents joined by the end-of-text token), next-token loss.
- bert: sentence pairs, B the real next sentence half of the time (next-sentence prediction), then
  BERT's masked-LM corruption (engine/api/mlm_recipe.py): 15% of the non-special tokens chosen (at
  least one), of those 80% become [MASK], 10% a random token, 10% stay; the loss is on every chosen
  position.
- induction: `context // 2` distinct random tokens, then the same tokens again. The first half cannot
  be predicted; the second can. Every sequence repeats at the same offset, so one head that looks a
  fixed distance back (context // 2 − 1) solves it: what forms is that positional shortcut, in layer 0,
  not an induction head (measured in README, "Watch heads form"). The probe the head scores are read
  on repeats at another period (`probe_period`), so the shortcut scores near 0 there and only a head
  that finds the earlier copy would score high.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np
import torch
from numpy.typing import NDArray
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.mlm_recipe import MASK_SHARE, RANDOM_SHARE, chosen_count
from attnlab.engine.api.train_spec import INDUCTION_VOCAB, TrainSpec

MAX_TEXT_BYTES = 64 * 1024 * 1024
HELDOUT_SHARE = 0.05  # of a user's text file's lines, from its end
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
IGNORE = -100  # labels the loss skips


Batch = dict[str, torch.Tensor]


def bundled_tokenizer(kind: str) -> PreTrainedTokenizerFast:
    """The tokenizer of the bundled tiny GPT (byte-level BPE) or tiny BERT (WordPiece)."""
    folder = files("attnlab.resources") / "models" / ("tiny-bert" if kind == "bert" else "tiny-gpt")
    return PreTrainedTokenizerFast.from_pretrained(str(folder))


def syllables() -> list[str]:
    """INDUCTION_VOCAB readable tokens: consonant + vowel ("ba", "be", … )."""
    words = [c + v for c in "bdfghklmnprst" for v in "aeiou"]
    return words[:INDUCTION_VOCAB]


def induction_tokenizer() -> PreTrainedTokenizerFast:
    """Whitespace-split syllables, one id each, plus <unk> (the last id)."""
    vocab = {word: i for i, word in enumerate(syllables())}
    vocab["<unk>"] = len(vocab)
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="<unk>", model_max_length=1024)


def text_lines(data: str) -> tuple[list[str], list[str]]:
    """(training lines, held-out lines) of the bundled corpus or of a user's text file."""
    if data == "corpus":
        root = files("attnlab.resources") / "corpus"
        train = gzip.decompress((root / "train.txt.gz").read_bytes()).decode("utf-8").splitlines()
        heldout = (root / "heldout.txt").read_text(encoding="utf-8").splitlines()
        return [line for line in train if line.strip()], [line for line in heldout if line.strip()]
    path = Path(data)
    if not path.is_file():
        raise EngineError("train_not_text_file", path=str(data))
    with open(path, "rb") as handle:
        raw = handle.read(MAX_TEXT_BYTES + 1)
    if len(raw) > MAX_TEXT_BYTES:
        raise EngineError("train_text_too_big", name=path.name, size=MAX_TEXT_BYTES // 2**20)
    lines = [line for line in raw.decode("utf-8", errors="replace").splitlines() if line.strip()]
    if len(lines) < 20:
        raise EngineError("train_too_few_lines", name=path.name, count=len(lines))
    cut = max(1, int(len(lines) * HELDOUT_SHARE))
    return lines[:-cut], lines[-cut:]


@dataclass
class Task:
    """Draws training batches and holds the fixed held-out batch and head-score probe."""

    spec: TrainSpec
    tokenizer: PreTrainedTokenizerFast
    rng: np.random.Generator

    def __post_init__(self) -> None:
        """Subclasses read and encode their text here (the dataclass __init__ calls it)."""

    def batch(self) -> Batch:
        raise NotImplementedError

    def heldout(self) -> Batch:
        raise NotImplementedError

    def probe(self) -> NDArray[np.int64]:
        """[n] token ids the head scores are measured on (the same at every evaluation)."""
        raise NotImplementedError

    @property
    def vocab_size(self) -> int:
        return len(self.tokenizer)


class InductionTask(Task):
    def _sequences(self, rng: np.random.Generator, count: int) -> NDArray[np.int64]:
        half = self.spec.context // 2
        firsts = rng.permuted(np.tile(np.arange(INDUCTION_VOCAB, dtype=np.int64), (count, 1)), axis=1)[:, :half]
        return np.concatenate([firsts, firsts], axis=1)  # [count, 2 · half]

    def batch(self) -> Batch:
        ids = torch.from_numpy(self._sequences(self.rng, self.spec.batch))
        return {"input_ids": ids, "labels": ids}

    def heldout(self) -> Batch:
        ids = torch.from_numpy(self._sequences(np.random.default_rng(self.spec.seed + 1_000_003), 64))
        return {"input_ids": ids, "labels": ids}

    def probe(self) -> NDArray[np.int64]:
        period = probe_period(self.spec.context)
        first = np.random.default_rng(12345).permutation(INDUCTION_VOCAB)[:period].astype(np.int64)
        return np.concatenate([first, first])  # [2 · period]


def probe_period(context: int) -> int:
    """The induction probe's period: 3/4 of the training's (12 for the default 16, the lesson's own
    text's), never the training's, so a head that looks a fixed distance back is not rewarded."""
    return context // 2 * 3 // 4


class GptTask(Task):
    def __post_init__(self) -> None:
        train, heldout = text_lines(self.spec.data)
        self.stream = self._stream(train)
        self.heldout_stream = self._stream(heldout)
        if len(self.stream) <= self.spec.context + 1 or len(self.heldout_stream) <= self.spec.context + 1:
            raise EngineError("train_text_too_short", context=self.spec.context)

    def _stream(self, lines: Sequence[str]) -> NDArray[np.int64]:
        end = self.tokenizer.eos_token_id
        pieces = self.tokenizer(list(lines), add_special_tokens=False)["input_ids"]
        return np.fromiter((i for ids in pieces for i in [*ids, end]), np.int64)

    def _windows(self, stream: NDArray[np.int64], starts: NDArray[np.int64]) -> Batch:
        ids = torch.from_numpy(np.stack([stream[s : s + self.spec.context] for s in starts]))
        return {"input_ids": ids, "labels": ids}

    def batch(self) -> Batch:
        starts = self.rng.integers(0, len(self.stream) - self.spec.context, self.spec.batch)
        return self._windows(self.stream, starts)

    def heldout(self) -> Batch:
        count = min(64, len(self.heldout_stream) // self.spec.context)
        starts = np.arange(count, dtype=np.int64) * self.spec.context
        return self._windows(self.heldout_stream, starts)

    def probe(self) -> NDArray[np.int64]:
        from attnlab.engine.analyses import induction_probe

        low = (self.tokenizer.eos_token_id or 0) + 1
        return induction_probe(min(50, self.spec.context // 2), self.vocab_size, seed=0, low=low)


def corrupt(
    ids: NDArray[np.int64],
    special: NDArray[np.bool_],
    rng: np.random.Generator,
    mask_id: int,
    replacements: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """BERT's recipe on one sequence: (what the model reads, labels: the original id at the chosen
    positions, IGNORE elsewhere). `special`: positions never chosen; `replacements`: ids a random
    replacement is drawn from."""
    candidates = np.flatnonzero(~special)
    out, labels = ids.copy(), np.full_like(ids, IGNORE)
    if not candidates.size:
        return out, labels
    count = chosen_count(candidates.size)
    chosen = np.sort(rng.choice(candidates, count, replace=False))
    labels[chosen] = ids[chosen]
    draw = rng.random(count)
    masked, randomised = chosen[draw < MASK_SHARE], chosen[(draw >= MASK_SHARE) & (draw < MASK_SHARE + RANDOM_SHARE)]
    out[masked] = mask_id
    out[randomised] = rng.choice(replacements, randomised.size)
    return out, labels


class BertTask(Task):
    def __post_init__(self) -> None:
        train, heldout = text_lines(self.spec.data)
        self.documents = self._documents(train)
        self.heldout_documents = self._documents(heldout) or self.documents[-50:]
        if len(self.documents) < 2:
            raise EngineError("train_nsp_needs_sentences")
        specials = set(self.tokenizer.all_special_ids)
        self.replacements = np.array([i for i in range(self.vocab_size) if i not in specials], np.int64)
        self._heldout = self._pairs(np.random.default_rng(self.spec.seed + 1_000_003), 256, self.heldout_documents)

    @staticmethod
    def _documents(lines: Sequence[str]) -> list[list[str]]:
        split = [[s for s in _SENTENCE_END.split(line.strip()) if s] for line in lines]
        return [sentences for sentences in split if len(sentences) >= 2]

    @staticmethod
    def sentence_pairs(rng: np.random.Generator, count: int, documents: list[list[str]]) -> list[tuple[str, str, bool]]:
        """(A, B, B is A's next sentence): a random sentence A and, half of the time, the one after it
        in its document; otherwise a random sentence of another document."""
        pairs = []
        for _ in range(count):
            d = int(rng.integers(len(documents)))
            i = int(rng.integers(len(documents[d]) - 1))
            is_next = bool(rng.random() < 0.5)
            if is_next:
                second = documents[d][i + 1]
            else:
                other = int(rng.integers(len(documents) - 1))
                other += other >= d  # any other document
                second = documents[other][int(rng.integers(len(documents[other])))]
            pairs.append((documents[d][i], second, is_next))
        return pairs

    def _pairs(self, rng: np.random.Generator, count: int, documents: list[list[str]]) -> Batch:
        pairs = self.sentence_pairs(rng, count, documents)
        firsts, seconds = [a for a, _, _ in pairs], [b for _, b, _ in pairs]
        labels = [0 if is_next else 1 for _, _, is_next in pairs]  # transformers' convention: 0 = B continues A
        encoded = self.tokenizer(
            firsts,
            seconds,
            truncation=True,
            max_length=self.spec.context,
            padding="max_length",
            return_special_tokens_mask=True,
            return_tensors="np",
        )
        inputs, mlm_labels = [], []
        never = encoded["special_tokens_mask"].astype(bool) | (encoded["attention_mask"] == 0)  # [CLS], [SEP], padding
        for ids, special in zip(encoded["input_ids"], never, strict=True):
            corrupted, targets = corrupt(
                ids.astype(np.int64), special, rng, self.tokenizer.mask_token_id, self.replacements
            )
            inputs.append(corrupted)
            mlm_labels.append(targets)
        return {
            "input_ids": torch.from_numpy(np.stack(inputs)),
            "token_type_ids": torch.from_numpy(encoded["token_type_ids"].astype(np.int64)),
            "attention_mask": torch.from_numpy(encoded["attention_mask"].astype(np.int64)),
            "labels": torch.from_numpy(np.stack(mlm_labels)),
            "next_sentence_label": torch.tensor(labels, dtype=torch.int64),
        }

    def batch(self) -> Batch:
        return self._pairs(self.rng, self.spec.batch, self.documents)

    def heldout(self) -> Batch:
        return self._heldout

    def probe(self) -> NDArray[np.int64]:
        sentences = self.heldout_documents[0]
        ids = self.tokenizer(sentences[0], sentences[1], truncation=True, max_length=self.spec.context)["input_ids"]
        return np.asarray(ids, np.int64)


def make_task(spec: TrainSpec) -> Task:
    rng = np.random.default_rng(spec.seed)
    if spec.kind == "induction":
        return InductionTask(spec, induction_tokenizer(), rng)
    if spec.kind == "gpt":
        return GptTask(spec, bundled_tokenizer("gpt"), rng)
    return BertTask(spec, bundled_tokenizer("bert"), rng)
