"""What a training run is asked to do: one frozen record, written to the run folder as it is, with
the limits and per-kind defaults that `attnlab train` and the window's Train dialog both use (torch-free)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Literal

from attnlab.engine.api.errors import EngineError

Kind = Literal["gpt", "bert", "induction"]
KINDS: tuple[Kind, ...] = ("gpt", "bert", "induction")


@dataclass(frozen=True)
class TrainSpec:
    # gpt: next token; bert: masked LM + next sentence; induction: an attention-only decoder on repeated random tokens
    kind: Kind
    layers: int = 2
    heads: int = 4
    width: int = 64  # hidden size; each head gets width // heads
    context: int = 64  # tokens per training sequence (the model's positions)
    steps: int = 1000  # optimiser steps
    lr: float = 1e-3  # peak learning rate: linear warm-up over the first 5%, cosine decay to 10%
    batch: int = 32  # sequences per step
    seed: int = 0  # the model's initial weights and every batch
    data: str = "corpus"  # "corpus" (bundled), a text file's path, or "synthetic" (the induction task's own)
    eval_every: int = 25  # steps between evaluations (held-out loss, head scores)
    checkpoint_every: int = 100  # steps between checkpoints (also the first and the last step)
    threads: int = 1  # torch threads of the training process

    def check(self) -> TrainSpec:
        """This spec, or an EngineError that says which value to change."""
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if not isinstance(value, int) or not low <= value <= high:
                raise EngineError("train_whole_number", name=name, low=low, high=high, value=repr(value))
        if self.kind not in KINDS:
            raise EngineError("train_unknown_kind", kinds=", ".join(KINDS), kind=repr(self.kind))
        if self.width % self.heads:
            raise EngineError("train_width_heads", width=self.width, heads=self.heads)
        if not 0 < self.lr < 1:
            raise EngineError("train_lr_range", lr=self.lr)
        if self.kind == "induction" and self.data != "synthetic":
            return replace(self, data="synthetic")
        if self.kind != "induction" and self.data == "synthetic":
            raise EngineError("train_synthetic_is_induction")
        if self.kind == "induction" and self.context // 2 > INDUCTION_VOCAB:
            raise EngineError(
                "train_induction_context", count=self.context // 2, vocab=INDUCTION_VOCAB, limit=2 * INDUCTION_VOCAB
            )
        return self

    def as_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> TrainSpec:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known}).check()  # type: ignore[arg-type]


# The whole numbers a spec may hold, (lowest, highest) each.
LIMITS: dict[str, tuple[int, int]] = {
    "layers": (1, 12),
    "heads": (1, 16),
    "width": (8, 1024),
    "context": (8, 1024),
    "steps": (1, 10_000_000),
    "batch": (1, 4096),
    "eval_every": (1, 10_000_000),
    "checkpoint_every": (1, 10_000_000),
    "threads": (1, 256),
}
INDUCTION_VOCAB = 48  # syllables "ba" … "lu": readable in the token strip

# Sizes that train in seconds to minutes on a laptop CPU, per kind.
DEFAULTS: dict[Kind, TrainSpec] = {
    # The loss leaves its plateau at ≈ 300 steps (≈ 15 s on one core): a layer-0 head learns to look
    # 15 tokens back, the fixed offset of every sequence (a positional shortcut, not an induction head).
    "induction": TrainSpec(
        "induction",
        layers=2,
        heads=4,
        width=64,
        context=32,
        steps=1000,
        lr=3e-3,
        batch=32,
        data="synthetic",
        eval_every=20,
        checkpoint_every=50,
    ),
    "gpt": TrainSpec("gpt", layers=2, heads=4, width=64, context=64, steps=1500, lr=2e-3, batch=32),
    "bert": TrainSpec(
        "bert",
        layers=2,
        heads=4,
        width=64,
        context=48,
        steps=3000,
        lr=2e-3,
        batch=64,
        eval_every=50,
        checkpoint_every=250,
    ),
}
