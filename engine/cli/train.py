"""`attnlab train`: train a tiny GPT, BERT or attention-only decoder into a run folder, headless.

    attnlab train --kind induction --out runs/induction            # the induction task, its defaults
    attnlab train --kind bert --steps 3000 --out runs/bert          # masked LM + next sentence, bundled corpus
    attnlab train --kind gpt --data my.txt --out runs/mine          # next token on a text file (one document a line)

Prints one line per evaluation (with --json: one JSON object per line, what the window reads) and
the step at which the first head's induction score passes 0.5. Ctrl+C stops and keeps what was
trained. With `--control stdin` the lines "pause", "resume" and "stop" on standard input do that.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np

from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.train_run import PHASE_SCORE, TrainRecord
from attnlab.engine.api.train_spec import DEFAULTS, KINDS, TrainSpec
from attnlab.engine.train.trainer import Control, train

SIZES = ("layers", "heads", "width", "context", "steps", "batch", "seed", "eval_every", "checkpoint_every", "threads")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="attnlab train", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--kind",
        required=True,
        choices=KINDS,
        help="gpt: next token; bert: masked LM + next sentence; "
        "induction: an attention-only decoder on repeated random tokens",
    )
    p.add_argument("--out", required=True, help="the run folder to write (new or empty)")
    for name in SIZES:
        p.add_argument("--" + name.replace("_", "-"), type=int, help=f"default: the kind's ({name})")
    p.add_argument("--lr", type=float, help="peak learning rate (default: the kind's)")
    p.add_argument(
        "--data", help="'corpus' (the bundled one, default for gpt/bert) or a text file, one document a line"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object per line (records, then the end)")
    p.add_argument(
        "--control",
        choices=("none", "stdin"),
        default="none",
        help="stdin: read 'pause', 'resume' and 'stop' lines from standard input",
    )
    return p


def spec_from(args: argparse.Namespace) -> TrainSpec:
    spec = DEFAULTS[args.kind]
    changes = {name: getattr(args, name) for name in (*SIZES, "lr", "data") if getattr(args, name) is not None}
    return replace(spec, **changes).check()


def _listen(control: Control) -> None:
    for line in sys.stdin:
        command = line.strip()
        if command == "pause":
            control.pause()
        elif command == "resume":
            control.resume()
        elif command == "stop":
            control.stop()
    control.stop()  # the window went away: stop, keeping what was trained


def _line(record: TrainRecord) -> str:
    parts = [f"step {record.step:>6}", f"loss {record.loss:7.4f}", f"held-out {record.heldout_loss:7.4f}"]
    if not np.isnan(record.mlm_accuracy):
        parts.append(f"MLM {record.mlm_accuracy:6.1%}  NSP {record.nsp_accuracy:6.1%}")
    if record.induction.size:
        layer, head = np.unravel_index(int(np.nanargmax(record.induction)), record.induction.shape)
        parts.append(f"induction {float(record.induction[layer, head]):.2f} (layer {layer} head {head})")
    parts.append(f"{record.seconds:7.1f} s")
    return "  ".join(parts)


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    control = Control()
    emit = (lambda obj: print(json.dumps(obj), flush=True)) if args.json else None
    try:
        spec = spec_from(args)
    except EngineError as error:
        if emit:
            emit({"event": "error", "message": str(error)})
        print(f"attnlab train: {error}", file=sys.stderr)
        return 2
    if args.control == "stdin":
        threading.Thread(target=_listen, args=(control,), daemon=True).start()
    signal.signal(signal.SIGINT, lambda *_: control.stop())
    formed: list[int] = []

    def report(record: TrainRecord) -> None:
        if emit:
            emit({"event": "record", **record.as_json()})
        else:
            print(_line(record), flush=True)
        if not formed and record.induction.size and float(np.nanmax(record.induction)) > PHASE_SCORE:
            formed.append(record.step)
            layer, head = np.unravel_index(int(np.nanargmax(record.induction)), record.induction.shape)
            message = (
                f"an induction head formed: layer {layer} head {head} passed {PHASE_SCORE} "
                f"at step {record.step} ({record.seconds:.1f} s)"
            )
            if emit:
                emit(
                    {
                        "event": "phase",
                        "step": record.step,
                        "seconds": record.seconds,
                        "layer": int(layer),
                        "head": int(head),
                        "message": message,
                    }
                )
            else:
                print(message, flush=True)

    if emit:
        emit({"event": "started", "spec": spec.as_json(), "out": str(Path(args.out).resolve())})
    try:
        run = train(spec, Path(args.out), control, report)
    except EngineError as error:
        if emit:
            emit({"event": "error", "message": str(error)})
        print(f"attnlab train: {error}", file=sys.stderr)
        return 1
    summary = f"{run.status}: {len(run.checkpoints)} checkpoints in {run.folder}"
    if emit:
        emit(
            {
                "event": "finished",
                "status": run.status,
                "checkpoints": len(run.checkpoints),
                "phase_step": run.phase_step,
                "message": summary,
            }
        )
    else:
        print(summary)
    return 0
