"""The training loop: a tiny GPT, BERT or attention-only decoder, evaluated and checkpointed as it goes.

A plain PyTorch loop (AdamW, warm-up then cosine decay, gradient clipping at 1). Every
`eval_every` steps it measures the held-out loss (BERT: masked-LM and next-sentence accuracy) and,
on a fixed probe, each head's induction and previous-token scores (attnlab.engine.analyses.fingerprints,
the same scores the window's heads table shows); every `checkpoint_every` steps it writes an
ordinary model folder. Dropout is off and every batch comes from the spec's seed, so one seed on
one machine with the same threads gives the same curve and the same checkpoints, bit for bit.

The attention-only decoder is a GPT-2 whose MLPs are zero and frozen: its checkpoints are plain
GPT-2 folders that any attnlab view loads.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import numpy as np
import torch
from transformers import BertConfig, BertForPreTraining, GPT2Config, GPT2LMHeadModel, PreTrainedModel

from attnlab.engine.analyses import fingerprints
from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.train_run import CHECKPOINTS, CURVES_FILE, RUN_FILE, TrainRecord, TrainRun, read_run
from attnlab.engine.api.train_spec import TrainSpec
from attnlab.engine.train.data import Batch, Task, make_task


class Control:
    """Pause, resume and stop, set from another thread (the CLI's stdin reader, a test)."""

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self.stopped = threading.Event()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        self.stopped.set()
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_while_paused(self) -> None:
        self._running.wait()


def build_model(spec: TrainSpec, vocab_size: int, special_ids: dict[str, int | None]) -> PreTrainedModel:
    torch.manual_seed(spec.seed)
    if spec.kind == "bert":
        bert = BertConfig(
            vocab_size=vocab_size,
            hidden_size=spec.width,
            num_hidden_layers=spec.layers,
            num_attention_heads=spec.heads,
            intermediate_size=4 * spec.width,
            max_position_embeddings=spec.context,
            hidden_dropout_prob=0.0,
            attention_probs_dropout_prob=0.0,
            pad_token_id=special_ids.get("pad") or 0,
        )
        return BertForPreTraining(bert)
    gpt = GPT2Config(
        vocab_size=vocab_size,
        n_positions=spec.context,
        n_embd=spec.width,
        n_layer=spec.layers,
        n_head=spec.heads,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        bos_token_id=special_ids.get("eos"),
        eos_token_id=special_ids.get("eos"),
        tie_word_embeddings=True,
    )
    model = GPT2LMHeadModel(gpt)
    if spec.kind == "induction":
        for block in model.transformer.h:
            mlp: torch.nn.Module = block.mlp  # type: ignore[assignment]  # nn.Module attributes read as Tensor | Module
            for parameter in mlp.parameters():
                parameter.data.zero_()  # c_proj(gelu(c_fc(x))) = 0: the block is attention only
                parameter.requires_grad_(False)
    return model


def learning_rate(spec: TrainSpec, step: int) -> float:
    """Linear warm-up over the first 5% of the steps, then cosine decay to 10% of the peak."""
    warm = max(1, spec.steps // 20)
    if step < warm:
        return spec.lr * (step + 1) / warm
    progress = (step - warm) / max(1, spec.steps - warm)
    return spec.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


class Trainer:
    def __init__(self, spec: TrainSpec, out: Path, control: Control | None = None):
        self.spec = spec.check()
        self.out = Path(out)
        self.control = control or Control()
        torch.set_num_threads(self.spec.threads)
        self.task: Task = make_task(self.spec)
        tokenizer = self.task.tokenizer
        ids = {"pad": tokenizer.pad_token_id, "eos": tokenizer.eos_token_id}
        self.model = build_model(self.spec, self.task.vocab_size, ids)
        self.model.set_attn_implementation("eager")  # the probe reads the weights (output_attentions)
        self.optimizer = torch.optim.AdamW(
            [p for p in self.model.parameters() if p.requires_grad], lr=self.spec.lr, weight_decay=0.01
        )
        self._heldout = self.task.heldout()
        self._probe = self.task.probe()

    # -- the run folder ---------------------------------------------------------------------------------

    def _prepare_folder(self) -> None:
        if self.out.exists() and any(self.out.iterdir()):
            raise EngineError("train_out_not_empty", folder=str(self.out))
        (self.out / CHECKPOINTS).mkdir(parents=True, exist_ok=True)
        (self.out / CURVES_FILE).write_text("")
        self._status("running")

    def _status(self, status: str) -> None:
        meta = {"spec": self.spec.as_json(), "status": status, "format": 1}
        temp = self.out / (RUN_FILE + ".tmp")
        temp.write_text(json.dumps(meta, indent=1))
        os.replace(temp, self.out / RUN_FILE)

    def save_checkpoint(self, step: int) -> Path:
        folder = self.out / CHECKPOINTS / f"step-{step:06d}"
        partial = folder.with_name(folder.name + ".partial")
        self.model.save_pretrained(partial)
        self.task.tokenizer.save_pretrained(partial)
        os.replace(partial, folder)  # a kill mid-write leaves no half checkpoint under its real name
        return folder

    # -- evaluation -------------------------------------------------------------------------------------

    def _loss(self, batch: Batch) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """(loss, mlm logits, nsp logits); the latter two for BERT only."""
        output = self.model(**batch)
        if self.spec.kind == "bert":
            return output.loss, output.prediction_logits, output.seq_relationship_logits
        return output.loss, None, None

    @torch.no_grad()
    def evaluate(self, step: int, seconds: float, train_loss: float, tokens: int) -> TrainRecord:
        self.model.eval()
        try:
            loss, mlm, nsp = self._loss(self._heldout)
            mlm_accuracy = nsp_accuracy = math.nan
            if mlm is not None and nsp is not None:
                labels = self._heldout["labels"]
                chosen = labels != -100
                mlm_accuracy = float((mlm.argmax(-1)[chosen] == labels[chosen]).float().mean())
                nsp_accuracy = float((nsp.argmax(-1) == self._heldout["next_sentence_label"]).float().mean())
            induction, previous = self.head_scores()
        finally:
            self.model.train()
        return TrainRecord(
            step, seconds, train_loss, float(loss), tokens, mlm_accuracy, nsp_accuracy, induction, previous
        )

    def head_scores(self) -> tuple[np.ndarray, np.ndarray]:
        """[layer, head] induction and previous-token scores on the probe."""
        ids = torch.from_numpy(self._probe)[None]
        inputs: dict[str, torch.Tensor] = {"input_ids": ids}
        if self.spec.kind == "bert":
            inputs["token_type_ids"] = torch.zeros_like(ids)
        base: torch.nn.Module = self.model.bert if self.spec.kind == "bert" else self.model.transformer  # type: ignore[assignment]  # nn.Module attribute
        attentions = base(**inputs, output_attentions=True).attentions
        weights = torch.stack([a[0] for a in attentions]).float().numpy()  # [layer, head, q, k]
        previous = fingerprints.prev_token(weights)
        if self.spec.kind == "bert":
            return np.zeros((0, 0), np.float32), previous
        return fingerprints.induction(weights, self._probe), previous

    # -- the loop ---------------------------------------------------------------------------------------

    def train_step(self, step: int, batch: Batch) -> float:
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate(self.spec, step)
        loss, _, _ = self._loss(batch)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        return float(loss.detach())

    def run(self, report: Callable[[TrainRecord], None] | None = None) -> TrainRun:
        """Train to the last step (or until stopped); the run folder holds everything on return."""
        self._prepare_folder()
        try:
            with open(self.out / CURVES_FILE, "a", encoding="utf-8") as curves:
                status, _ = self._loop(curves, report)
        except BaseException:
            self._status("failed")
            raise
        self._status(status)
        return read_run(self.out)

    def _loop(self, curves: TextIO, report: Callable[[TrainRecord], None] | None) -> tuple[str, int]:
        started = time.perf_counter()
        paused_for = 0.0
        losses: list[float] = []
        tokens = 0
        self._record(curves, report, self.evaluate(0, 0.0, math.nan, 0))
        self.save_checkpoint(0)
        for step in range(1, self.spec.steps + 1):
            if self.control.paused:
                self._status("paused")
                waited = time.perf_counter()
                self.control.wait_while_paused()
                paused_for += time.perf_counter() - waited
                self._status("running")
            if self.control.stopped.is_set():
                if step > 1 and not (self.out / CHECKPOINTS / f"step-{step - 1:06d}").exists():
                    self.save_checkpoint(step - 1)  # what was trained is kept
                return "stopped", step - 1
            batch = self.task.batch()
            losses.append(self.train_step(step - 1, batch))
            tokens += int(batch["input_ids"].numel())
            last = step == self.spec.steps
            if step % self.spec.eval_every == 0 or last:
                seconds = time.perf_counter() - started - paused_for
                self._record(curves, report, self.evaluate(step, seconds, float(np.mean(losses)), tokens))
                losses = []
            if step % self.spec.checkpoint_every == 0 or last:
                self.save_checkpoint(step)
        return "finished", self.spec.steps

    @staticmethod
    def _record(curves: TextIO, report: Callable[[TrainRecord], None] | None, record: TrainRecord) -> None:
        curves.write(json.dumps(record.as_json()) + "\n")
        curves.flush()
        if report is not None:
            report(record)


def train(
    spec: TrainSpec, out: Path, control: Control | None = None, report: Callable[[TrainRecord], None] | None = None
) -> TrainRun:
    """Train `spec` into the run folder `out` (new or empty). A stopped run is a run with fewer steps."""
    return Trainer(spec, out, control).run(report)
