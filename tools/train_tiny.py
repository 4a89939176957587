"""Rebuild the three tiny models bundled under resources/models/ from scratch.

    .venv/bin/python tools/train_tiny.py                 # all three, then evaluate and write examples.json
    .venv/bin/python tools/train_tiny.py --only gpt      # one of bert | gpt | seq2seq

Everything is seeded and runs on one CPU thread (about 25 minutes for all three).
The corpus comes from tools/make_corpus.py; tools/evaluate_tiny.py scores the result
on sentences the models never saw.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F  # noqa: N812 - torch's own idiom
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import (
    BartConfig,
    BartForConditionalGeneration,
    BertConfig,
    BertForPreTraining,
    GenerationConfig,
    GPT2Config,
    GPT2LMHeadModel,
    PreTrainedTokenizerFast,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_corpus
from make_corpus import Corpus, Document, joiner

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "resources" / "models"
HAN = Regex(r"\p{Han}")  # one Chinese character


@dataclass(frozen=True)
class TrainConfig:
    steps: int  # optimiser steps
    batch: int  # sequences per step
    lr: float  # peak learning rate (linear warm-up over the first 5%, cosine decay to 10%)
    seed: int = 0


BERT_TRAIN = TrainConfig(steps=7000, batch=64, lr=2e-3)
GPT_TRAIN = TrainConfig(steps=2000, batch=32, lr=2e-3)
SEQ2SEQ_TRAIN = TrainConfig(steps=1500, batch=64, lr=2e-3)

# How often each kind of training document is drawn. The facts are what we test; BERT also
# needs many stories to learn that a next sentence shares names or things with the last.
BERT_DOCS = {"facts": 0.4, "story": 0.45, "agreement": 0.15}
GPT_DOCS = {"facts": 0.5, "story": 0.3, "agreement": 0.2}


# ---------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def learning_rate(cfg: TrainConfig, step: int) -> float:
    warmup = max(1, cfg.steps // 20)
    if step < warmup:
        return cfg.lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, cfg.steps - warmup)
    return cfg.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def train_loop(model: torch.nn.Module, cfg: TrainConfig, batch_loss, name: str) -> None:
    """Run cfg.steps AdamW steps; batch_loss(rng) builds a fresh batch and returns its loss."""
    rng = random.Random(cfg.seed)
    optimiser = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.01, betas=(0.9, 0.98))
    model.train()
    start, running = time.time(), 0.0
    for step in range(cfg.steps):
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(cfg, step)
        loss = batch_loss(rng)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        running += loss.item()
        if (step + 1) % 250 == 0 or step + 1 == cfg.steps:
            elapsed = time.time() - start
            print(f"[{name}] step {step + 1}/{cfg.steps}  loss {running / 250:.3f}  {elapsed:.0f}s", flush=True)
            running = 0.0
    model.eval()


class DocumentSampler:
    """Draws training documents, a kind at a time by weight; a fact page comes back shuffled."""

    def __init__(self, docs: tuple[Document, ...], weights: dict[str, float]):
        self.by_kind: dict[str, list[Document]] = {}
        for d in docs:
            self.by_kind.setdefault(d.kind, []).append(d)
        self.kinds = sorted(self.by_kind)
        self.weights = [weights[k] for k in self.kinds]

    def draw(self, rng: random.Random) -> Document:
        kind = rng.choices(self.kinds, weights=self.weights)[0]
        doc = rng.choice(self.by_kind[kind])
        if doc.kind == "facts":
            sentences = list(doc.sentences)
            rng.shuffle(sentences)
            doc = Document(doc.kind, doc.lang, doc.names, tuple(sentences))
        return doc

    def unrelated(self, rng: random.Random, doc: Document) -> Document:
        """A document of the same kind and language that mentions none of doc's names."""
        while True:
            other = rng.choice(self.by_kind[doc.kind])
            if other.lang == doc.lang and not set(other.names) & set(doc.names):
                return other


class LengthBuckets:
    """Makes `pool` batches' worth of rows at once and batches rows of similar length
    together, so that little of each batch is padding."""

    def __init__(self, make_row, batch: int, pool: int = 16):
        self.make_row, self.batch, self.pool = make_row, batch, pool
        self.ready: list[list] = []

    def __call__(self, rng: random.Random) -> list:
        if not self.ready:
            rows = sorted((self.make_row(rng) for _ in range(self.batch * self.pool)), key=lambda r: len(r[0]))
            self.ready = [rows[i : i + self.batch] for i in range(0, len(rows), self.batch)]
            rng.shuffle(self.ready)
        return self.ready.pop()


def all_sentences(corpus: Corpus) -> list[str]:
    return [s for d in corpus.train_docs for s in d.sentences]


def running_text(doc: Document) -> str:
    """A document as the decoder reads it: its sentences glued into running text."""
    return joiner(doc.lang).join(doc.sentences)


def special_id(tok: Tokenizer, token: str) -> int:
    """The id of a token the vocabulary was built with (a special token): never missing."""
    found = tok.token_to_id(token)
    if found is None:
        raise RuntimeError(f"{token} is not in the tokenizer's vocabulary")
    return found


def pad(rows: list[list[int]], value: int) -> torch.Tensor:
    width = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (width - len(r)) for r in rows])


def fresh_folder(out: Path) -> Path:
    """Empty out a model folder, so no file of an earlier build survives next to the new one."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    return out


def save_tokenizer(tok: Tokenizer, out: Path, **settings) -> PreTrainedTokenizerFast:
    """Save for AutoTokenizer: tokenizer.json plus tokenizer_config.json with the special tokens."""
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=128, **settings)
    fast.save_pretrained(out)
    return fast


def report_size(out: Path) -> None:
    size = sum(f.stat().st_size for f in out.iterdir()) / 1e6
    print(f"saved {out} ({size:.1f} MB)")


# ---------------------------------------------------------------------------
# BERT: masked LM + next-sentence prediction, WordPiece
# ---------------------------------------------------------------------------

BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def bert_tokenizer(corpus: Corpus) -> Tokenizer:
    """WordPiece. The vocabulary is large enough for every corpus word to be whole; the
    trainer's intermediate pieces depend on how it breaks ties (differently on every run),
    so only whole words and single characters (plain and "##") are kept, in sorted order."""
    normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, lowercase=True)
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trained = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    trained.normalizer, trained.pre_tokenizer = normalizer, pre_tokenizer
    trained.train_from_iterator(
        all_sentences(corpus), trainers.WordPieceTrainer(vocab_size=3000, special_tokens=BERT_SPECIALS)
    )
    words = {w for s in all_sentences(corpus) for w, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(s))}
    pieces = [
        t for t in trained.get_vocab() if t not in BERT_SPECIALS and (t in words or len(t.removeprefix("##")) == 1)
    ]
    if missing := sorted(words - set(pieces)):
        raise RuntimeError(
            f"WordPiece left {len(missing)} corpus words in pieces, e.g. {missing[:5]}: raise vocab_size"
        )
    ordered = BERT_SPECIALS + sorted(pieces, key=lambda t: (len(t) > 1 and t not in words, t))
    vocab = {t: i for i, t in enumerate(ordered)}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer, tok.pre_tokenizer = normalizer, pre_tokenizer
    tok.decoder = decoders.WordPiece()
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    return tok


def word_starts(tokens: list[str], lexicon: set[str], longest: int) -> list[bool]:
    """Which tokens begin a word: "##" pieces continue the word before them, and runs of
    Chinese characters are cut into the lexicon's words by longest match."""
    starts, i = [], 0
    while i < len(tokens):
        span = 1
        for n in range(min(longest, len(tokens) - i), 1, -1):
            if all(len(t) == 1 for t in tokens[i : i + n]) and "".join(tokens[i : i + n]) in lexicon:
                span = n
                break
        starts += [not tokens[i].startswith("##")] + [False] * (span - 1)
        i += span
    return starts


class BertBatches:
    """BERT's pre-training batches: sentence pairs (half true continuations, half from an
    unrelated document) with 15% of tokens chosen; of those 80% [MASK], 10% random, 10% kept.

    Tokens are chosen a whole word at a time, as in Google's whole-word-masking BERT: a
    Chinese word is several one-character tokens, and masking only some of them would let
    the model read a name off its other characters instead of learning the fact.
    """

    def __init__(self, corpus: Corpus, tok: Tokenizer, batch: int):
        self.sampler = DocumentSampler(corpus.train_docs, BERT_DOCS)
        lexicon = make_corpus.zh_lexicon()
        words, longest = set(lexicon), len(lexicon[0])
        self.ids, self.starts = {}, {}
        for s in all_sentences(corpus):
            enc = tok.encode(s, add_special_tokens=False)
            self.ids[s] = enc.ids
            self.starts[s] = word_starts(enc.tokens, words, longest)
        self.batch = batch
        self.cls, self.sep = special_id(tok, "[CLS]"), special_id(tok, "[SEP]")
        self.pad_id, self.mask_id = special_id(tok, "[PAD]"), special_id(tok, "[MASK]")
        self.first_plain = len(BERT_SPECIALS)  # ids below this are special tokens
        self.vocab = tok.get_vocab_size()
        self.rows = LengthBuckets(self.example, batch)

    def tokens(self, sentences: tuple[str, ...]) -> tuple[list[int], list[bool]]:
        """Token ids of the sentences, and which of them begin a word."""
        return [t for s in sentences for t in self.ids[s]], [w for s in sentences for w in self.starts[s]]

    def example(self, rng: random.Random) -> tuple[list[int], list[int], list[int], int]:
        """Segment A is one or two sentences ending at a cut; B is one or two sentences that
        start right after the cut (label 0) or anywhere in an unrelated document (label 1)."""
        doc = self.sampler.draw(rng)
        cut = rng.randrange(1, len(doc.sentences))
        a, a_starts = self.tokens(doc.sentences[max(0, cut - rng.choice([1, 1, 2])) : cut])
        is_random = rng.random() < 0.5
        source, start = doc, cut
        if is_random:
            source = self.sampler.unrelated(rng, doc)
            start = rng.randrange(len(source.sentences))
        b, b_starts = self.tokens(source.sentences[start : start + rng.choice([1, 1, 2])])
        ids = [self.cls] + a + [self.sep] + b + [self.sep]
        starts = [True] + a_starts + [True] + b_starts + [True]
        types = [0] * (len(a) + 2) + [1] * (len(b) + 1)
        ids, labels = self.mask(ids, starts, rng)
        return ids, types, labels, int(is_random)  # 0: B follows A, 1: B is random

    def mask(self, ids: list[int], starts: list[bool], rng: random.Random) -> tuple[list[int], list[int]]:
        words: list[list[int]] = []  # token positions of each word; special tokens are never chosen
        for i, (t, begins) in enumerate(zip(ids, starts, strict=True)):
            if t < self.first_plain:
                continue
            if begins or not words:
                words.append([])
            words[-1].append(i)
        budget = max(1, round(0.15 * sum(len(w) for w in words)))
        rng.shuffle(words)
        chosen: list[int] = []
        for word in words:
            if len(chosen) + len(word) <= budget:
                chosen += word
        masked, labels = list(ids), [-100] * len(ids)
        for i in chosen:
            labels[i] = ids[i]
            roll = rng.random()
            if roll < 0.8:
                masked[i] = self.mask_id
            elif roll < 0.9:
                masked[i] = rng.randrange(self.first_plain, self.vocab)
        return masked, labels

    def __call__(self, rng: random.Random) -> dict[str, torch.Tensor]:
        rows = self.rows(rng)
        ids = pad([r[0] for r in rows], self.pad_id)
        return {
            "input_ids": ids,
            "token_type_ids": pad([r[1] for r in rows], 0),
            "attention_mask": (ids != self.pad_id).long(),
            "labels": pad([r[2] for r in rows], -100),
            "next_sentence_label": torch.tensor([r[3] for r in rows]),
        }


def train_bert(corpus: Corpus, cfg: TrainConfig = BERT_TRAIN, models: Path = MODELS) -> None:
    out = models / "tiny-bert"
    seed_everything(cfg.seed)
    tok = bert_tokenizer(corpus)
    # No dropout: the corpus is small and templated, and every step counts on one CPU thread.
    config = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=64,
        num_hidden_layers=4,
        num_attention_heads=4,
        intermediate_size=256,
        max_position_embeddings=128,
        type_vocab_size=2,
        pad_token_id=tok.token_to_id("[PAD]"),
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    model = BertForPreTraining(config)
    batches = BertBatches(corpus, tok, cfg.batch)

    def batch_loss(rng: random.Random) -> torch.Tensor:
        batch = batches(rng)
        hidden, pooled = model.bert(
            input_ids=batch["input_ids"],
            token_type_ids=batch["token_type_ids"],
            attention_mask=batch["attention_mask"],
            return_dict=False,
        )[:2]
        chosen = batch["labels"] != -100  # the MLM head runs on the chosen 15% only: same loss, less work
        mlm = F.cross_entropy(model.cls.predictions(hidden[chosen]), batch["labels"][chosen])
        nsp = F.cross_entropy(model.cls.seq_relationship(pooled), batch["next_sentence_label"])
        return mlm + nsp

    train_loop(model, cfg, batch_loss, "bert")
    model.save_pretrained(fresh_folder(out))
    save_tokenizer(
        tok,
        out,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
    )
    report_size(out)


# ---------------------------------------------------------------------------
# GPT-2: causal LM, byte-level BPE
# ---------------------------------------------------------------------------

EOS = "<|endoftext|>"


def gpt_tokenizer(corpus: Corpus) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    # Chinese characters are split apart first, so a merge never spans two of them and
    # a prompt cut anywhere tokenises the same as inside the full sentence.
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(HAN, "isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=2500, special_tokens=[EOS], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    # Whole documents, so that a word opening a sentence after a space (" The") is merged
    # the way the model will read it, not left as a lone space token before "The".
    tok.train_from_iterator([running_text(d) for d in corpus.train_docs], trainer)
    eos = tok.token_to_id(EOS)
    # Every text starts with <|endoftext|>, as every training document did.
    tok.post_processor = processors.Sequence(
        [
            processors.ByteLevel(trim_offsets=False),
            processors.TemplateProcessing(single=f"{EOS} $A", pair=f"{EOS} $A $B", special_tokens=[(EOS, eos)]),
        ]
    )
    return tok


def train_gpt(corpus: Corpus, cfg: TrainConfig = GPT_TRAIN, models: Path = MODELS) -> None:
    out = models / "tiny-gpt"
    seed_everything(cfg.seed)
    tok = gpt_tokenizer(corpus)
    eos = special_id(tok, EOS)
    config = GPT2Config(
        vocab_size=tok.get_vocab_size(),
        n_positions=128,
        n_embd=128,
        n_layer=4,
        n_head=4,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        bos_token_id=eos,
        eos_token_id=eos,
    )
    # No pad token in the model's config (GPT-2 has none): with one equal to BOS, transformers warns
    # "pass an attention_mask, your input may be padded" on every text, which all start with BOS.
    # Batched generation still pads, with the generation config's pad_token_id.
    model = GPT2LMHeadModel(config)
    sampler = DocumentSampler(corpus.train_docs, GPT_DOCS)
    cache: dict[str, list[int]] = {}

    def encode(text: str) -> list[int]:
        if text not in cache:
            cache[text] = tok.encode(text).ids  # starts with <|endoftext|>
        return cache[text]

    def document(rng: random.Random) -> list[int]:
        doc = sampler.draw(rng)
        return (encode(running_text(doc)) + [eos])[:128]

    buckets = LengthBuckets(lambda rng: (document(rng),), cfg.batch)

    def batch_loss(rng: random.Random) -> torch.Tensor:
        rows = [r[0] for r in buckets(rng)]
        ids = pad(rows, eos)
        labels = pad(rows, -100)
        return model(input_ids=ids, attention_mask=(labels != -100).long(), labels=labels).loss

    train_loop(model, cfg, batch_loss, "gpt")
    model.generation_config = GenerationConfig(
        bos_token_id=eos, eos_token_id=eos, pad_token_id=eos, do_sample=False, max_new_tokens=20
    )
    model.save_pretrained(fresh_folder(out))
    save_tokenizer(tok, out, bos_token=EOS, eos_token=EOS, unk_token=EOS, pad_token=EOS)
    report_size(out)


# ---------------------------------------------------------------------------
# Encoder-decoder (BART): number words -> digits, one shared word-level vocabulary
# ---------------------------------------------------------------------------

SEQ2SEQ_SPECIALS = ["<pad>", "</s>", "<unk>", "<s>"]


def seq2seq_tokenizer(corpus: Corpus) -> Tokenizer:
    """Whole words, single Chinese characters and single digits: each is one token, so
    the cross-attention can point from an output digit to the word it came from."""
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never"),
            pre_tokenizers.Split(HAN, "isolated"),
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.Punctuation("isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="never")
    texts = [t for p in corpus.train_numbers for t in (p.words, p.digits)]
    tok.train_from_iterator(texts, trainers.WordLevelTrainer(special_tokens=SEQ2SEQ_SPECIALS))
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", tok.token_to_id("</s>"))]
    )
    return tok


def train_seq2seq(corpus: Corpus, cfg: TrainConfig = SEQ2SEQ_TRAIN, models: Path = MODELS) -> None:
    out = models / "tiny-seq2seq"
    seed_everything(cfg.seed)
    tok = seq2seq_tokenizer(corpus)
    pad_id, eos, unk, bos = (special_id(tok, t) for t in SEQ2SEQ_SPECIALS)
    config = BartConfig(
        vocab_size=tok.get_vocab_size(),
        d_model=128,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=256,
        decoder_ffn_dim=256,
        max_position_embeddings=64,
        dropout=0.1,
        pad_token_id=pad_id,
        eos_token_id=eos,
        bos_token_id=bos,
        decoder_start_token_id=bos,
        forced_eos_token_id=None,
    )
    model = BartForConditionalGeneration(config)
    pairs = [(tok.encode(p.words).ids, tok.encode(p.digits).ids) for p in corpus.train_numbers]

    def batch_loss(rng: random.Random) -> torch.Tensor:
        rows = [rng.choice(pairs) for _ in range(cfg.batch)]
        source = pad([r[0] for r in rows], pad_id)
        labels = pad([r[1] for r in rows], -100)
        return model(input_ids=source, attention_mask=(source != pad_id).long(), labels=labels).loss

    train_loop(model, cfg, batch_loss, "seq2seq")
    model.generation_config = GenerationConfig(
        bos_token_id=bos,
        eos_token_id=eos,
        pad_token_id=pad_id,
        decoder_start_token_id=bos,
        do_sample=False,
        num_beams=1,
        max_new_tokens=8,
    )
    model.save_pretrained(fresh_folder(out))
    save_tokenizer(tok, out, unk_token="<unk>", pad_token="<pad>", eos_token="</s>", bos_token="<s>")
    report_size(out)


# ---------------------------------------------------------------------------

TRAINERS = {"bert": train_bert, "gpt": train_gpt, "seq2seq": train_seq2seq}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        choices=sorted(TRAINERS),
        action="append",
        help="train just this model (repeatable); default: all three",
    )
    parser.add_argument("--steps", type=float, default=1.0, help="scale every step count (quick trial runs)")
    parser.add_argument("--no-eval", action="store_true", help="skip the evaluation and examples.json")
    parser.add_argument(
        "--out", type=Path, default=MODELS, help="where the model folders go (default: the bundled ones)"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    corpus = make_corpus.build_corpus()
    defaults = {"bert": BERT_TRAIN, "gpt": GPT_TRAIN, "seq2seq": SEQ2SEQ_TRAIN}
    for name in args.only or list(TRAINERS):
        base = defaults[name]
        cfg = TrainConfig(max(1, round(base.steps * args.steps)), base.batch, base.lr, base.seed)
        start = time.time()
        TRAINERS[name](corpus, cfg, args.out)
        print(f"[{name}] trained in {(time.time() - start) / 60:.1f} min", flush=True)
    if not args.no_eval and all((args.out / f).is_dir() for f in ("tiny-bert", "tiny-gpt", "tiny-seq2seq")):
        import evaluate_tiny

        evaluate_tiny.main(["--models", str(args.out), "--write-examples"])


if __name__ == "__main__":
    main()
