"""A training run's folder, read without torch: what the window plots and scrubs through.

    RUN/run.json              the spec (kind, sizes, steps, seed, data) and the run's status
    RUN/curves.jsonl          one record per evaluation, appended as training goes
    RUN/checkpoints/step-N/   ordinary model folders (config, safetensors, tokenizer): any view loads them

A record is also what `attnlab train --json` prints, one JSON object per line, so the window
reads the same data live (from the process) and later (from the folder).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from attnlab.engine.api.errors import EngineError

RUN_FILE = "run.json"
CURVES_FILE = "curves.jsonl"
CHECKPOINTS = "checkpoints"
_CHECKPOINT = re.compile(r"^step-(\d{1,9})$")
MAX_CURVES_BYTES = 64 * 1024 * 1024  # a run of 10⁶ evaluations of a 12 × 12-head model stays below this
PHASE_SCORE = 0.5  # the induction score that marks a head as formed


@dataclass(frozen=True)
class TrainRecord:
    step: int
    seconds: float  # since the run started
    loss: float  # training loss, averaged since the last record
    heldout_loss: float
    tokens: int  # training tokens seen so far
    mlm_accuracy: float = math.nan  # BERT: held-out masked-token accuracy
    nsp_accuracy: float = math.nan  # BERT: held-out next-sentence accuracy
    induction: NDArray[np.float32] = field(default_factory=lambda: np.zeros((0, 0), np.float32))  # [layer, head]
    previous_token: NDArray[np.float32] = field(default_factory=lambda: np.zeros((0, 0), np.float32))  # [layer, head]

    def as_json(self) -> dict[str, object]:
        return {
            "step": self.step,
            "seconds": round(self.seconds, 3),
            "loss": self.loss,
            "heldout_loss": self.heldout_loss,
            "tokens": self.tokens,
            "mlm_accuracy": None if math.isnan(self.mlm_accuracy) else self.mlm_accuracy,
            "nsp_accuracy": None if math.isnan(self.nsp_accuracy) else self.nsp_accuracy,
            "induction": self.induction.round(5).tolist(),
            "previous_token": self.previous_token.round(5).tolist(),
        }


def record_from_json(data: object) -> TrainRecord:
    """One record from a parsed JSON object; a malformed one raises EngineError."""
    try:
        assert isinstance(data, dict)

        def number(key: str) -> float:
            value = data.get(key)
            return math.nan if value is None else float(value)

        def grid(key: str) -> NDArray[np.float32]:
            values = np.asarray(data.get(key, []), np.float32)
            return values if values.ndim == 2 else np.zeros((0, 0), np.float32)

        return TrainRecord(
            step=int(data["step"]),
            seconds=number("seconds"),
            loss=number("loss"),
            heldout_loss=number("heldout_loss"),
            tokens=int(data.get("tokens", 0)),
            mlm_accuracy=number("mlm_accuracy"),
            nsp_accuracy=number("nsp_accuracy"),
            induction=grid("induction"),
            previous_token=grid("previous_token"),
        )
    except (AssertionError, KeyError, TypeError, ValueError, OverflowError) as error:
        raise EngineError("train_record_unreadable", error=str(error)) from error


@dataclass(frozen=True)
class TrainRun:
    folder: Path
    spec: dict[str, object]  # as `attnlab train` wrote it
    status: str  # "running", "paused", "stopped", "finished", "failed"
    records: tuple[TrainRecord, ...]
    checkpoints: tuple[tuple[int, Path], ...]  # (step, model folder), by step

    @property
    def phase_step(self) -> int | None:
        """The first evaluated step at which some head's induction score passed PHASE_SCORE."""
        return phase_step(self.records)


def phase_step(records: tuple[TrainRecord, ...] | list[TrainRecord]) -> int | None:
    for record in records:
        if record.induction.size and float(np.nanmax(record.induction)) > PHASE_SCORE:
            return record.step
    return None


def checkpoints(folder: Path) -> tuple[tuple[int, Path], ...]:
    root = Path(folder) / CHECKPOINTS
    if not root.is_dir():
        return ()
    found = []
    for entry in root.iterdir():
        match = _CHECKPOINT.match(entry.name)
        if match and (entry / "config.json").is_file():
            found.append((int(match.group(1)), entry))
    return tuple(sorted(found))


def is_run_folder(folder: Path) -> bool:
    return (Path(folder) / RUN_FILE).is_file()


def read_run(folder: Path) -> TrainRun:
    """A run folder's spec, curves and checkpoints; what cannot be read says why."""
    folder = Path(folder)
    run_path = folder / RUN_FILE
    if not run_path.is_file():
        raise EngineError("train_run_missing", folder=str(folder), file=RUN_FILE)
    try:
        meta = json.loads(_read_capped(run_path, 1024 * 1024))
        spec, status = meta["spec"], str(meta.get("status", "stopped"))
        assert isinstance(spec, dict)
    except (ValueError, KeyError, AssertionError, TypeError) as error:
        raise EngineError("train_run_unreadable", path=str(run_path), error=str(error)) from error
    records = []
    curves = folder / CURVES_FILE
    if curves.is_file():
        for line in _read_capped(curves, MAX_CURVES_BYTES).splitlines():
            if line.strip():
                try:
                    records.append(record_from_json(json.loads(line)))
                except (ValueError, EngineError):
                    break  # a line cut short by a kill: the run so far is what came before it
    return TrainRun(folder, spec, status, tuple(records), checkpoints(folder))


def _read_capped(path: Path, cap: int) -> str:
    """A regular file's text, refused beyond `cap` bytes (read at most cap + 1: stat is not trusted)."""
    if not path.is_file():
        raise EngineError("train_file_not_regular", path=str(path))
    with open(path, "rb") as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise EngineError("train_file_too_big", path=str(path), size=cap // (1024 * 1024))
    return data.decode("utf-8", errors="replace")
