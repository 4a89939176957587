"""Training tiny models (`--only train`): the induction task leaving its plateau, BERT's next-sentence accuracy, and
the trainer's throughput against a plain PyTorch loop of the same model, same batches, same threads."""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from attnlab.engine.api.train_spec import DEFAULTS, TrainSpec
from attnlab.engine.train.trainer import Trainer, build_model, train
from benchmarks.common import Figure, Size

PLATEAU_LEFT = 2.5  # held-out loss: the induction task's plateau is log 48 ≈ 3.87, copying the repeat ≈ 1.9


def _plain_loop(spec: TrainSpec, batches: list[dict[str, torch.Tensor]]) -> float:
    """Seconds for AdamW steps over `batches` with nothing else: the baseline."""
    model = build_model(spec, 2000 if spec.kind != "bert" else 800, {"eos": 0, "pad": 0})
    model.set_attn_implementation("eager")
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=spec.lr)
    start = time.perf_counter()
    for batch in batches:
        loss = model(**batch).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    return time.perf_counter() - start


def throughput(size: Size) -> Figure:
    steps = 200 if size.name == "full" else 4
    spec = replace(DEFAULTS["gpt"], steps=steps, eval_every=50, checkpoint_every=10**6, threads=1)
    ratios, ours, plain = [], [], []
    for _ in range(max(1, size.repeats // 2)):
        with tempfile.TemporaryDirectory() as folder:
            trainer = Trainer(spec, Path(folder) / "run")
            batches = [trainer.task.batch() for _ in range(steps)]
            tokens = sum(int(b["input_ids"].numel()) for b in batches)
            base = _plain_loop(spec, batches)
            trainer.task.batch = iter(batches).__next__  # type: ignore[method-assign] # the same batches
            start = time.perf_counter()
            trainer.run()
            took = time.perf_counter() - start
        ours.append(tokens / took)
        plain.append(tokens / base)
        ratios.append(ours[-1] / plain[-1])
    return Figure(
        "train",
        f"tokens/s, tiny GPT {spec.layers}×{spec.heads}, {steps} steps (with evaluations and "
        "checkpoints) ÷ a plain loop",
        float(np.median(ours)),
        "tok/s",
        float(np.median(plain)),
        "plain PyTorch loop, same model and batches, 1 thread",
        float(np.median(ratios)),
        ">= 0.9",
        bool(np.median(ratios) >= 0.9) if size.name == "full" else None,
    )


def phase_change(size: Size) -> Figure:
    """The induction task's drop off its plateau (log 48 ≈ 3.87; copying the second half gives ≈ 1.9)."""
    spec = replace(DEFAULTS["induction"], threads=1, checkpoint_every=10**6)
    if size.name != "full":
        spec = replace(spec, steps=20, eval_every=10)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        run = train(spec, Path(folder) / "run")
        total = time.perf_counter() - start
    dropped = next((r for r in run.records if r.heldout_loss < PLATEAU_LEFT), None)
    note = (
        f"held-out loss under {PLATEAU_LEFT} at step {dropped.step} after {dropped.seconds:.1f} s of training; "
        f"run of {spec.steps} steps took {total:.1f} s"
        if dropped is not None
        else f"held-out loss stayed over {PLATEAU_LEFT} for {spec.steps} steps"
    )
    at = dropped.seconds if dropped is not None else total  # a smoke-size run stops on the plateau: its wall time
    return Figure(
        "train",
        f"induction task: wall time until the held-out loss leaves its plateau (< {PLATEAU_LEFT})",
        at,
        "s",
        target="<= 300 s",
        met=(dropped is not None and at <= 300) if size.name == "full" else None,
        note=note,
    )


def next_sentence(size: Size) -> Figure:
    spec = replace(DEFAULTS["bert"], threads=1, checkpoint_every=10**6)
    if size.name != "full":
        spec = replace(spec, steps=10, eval_every=5)
    with tempfile.TemporaryDirectory() as folder:
        run = train(spec, Path(folder) / "run")
    best = max(run.records, key=lambda r: r.nsp_accuracy)
    within = [r.nsp_accuracy for r in run.records if r.seconds <= 600]
    reached = max(within) if within else float("nan")
    return Figure(
        "train",
        f"tiny BERT: held-out next-sentence accuracy within 10 minutes ({spec.steps} steps)",
        100 * reached,
        "%",
        target=">= 80%",
        met=reached >= 0.8 if size.name == "full" else None,
        note=f"best {best.nsp_accuracy:.1%} at step {best.step} ({best.seconds:.0f} s); masked-LM accuracy "
        f"{best.mlm_accuracy:.1%}",
    )


def training(size: Size) -> list[Figure]:
    return [throughput(size), phase_change(size), next_sentence(size)]
