"""`attnlab export`: run a model once (optionally generating) and write everything to an .npz file.

Scripts rely on the flag and array names; keep them stable.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from engine.errors import EngineError
from engine.export_analyses import ANALYSES, ExportedRun, analysis_arrays, parse_analyses
from engine.results import Candidate
from engine.run_flags import Parser, Run, add_run_flags, run_command, run_session
from engine.saved_replay import replay_session, session_of
from engine.saved_session import SUFFIX, write_session
from engine.tokens import readable_tokens


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="attnlab export", description="Write tokens, attention and predictions to an .npz file.")
    add_run_flags(parser)
    parser.add_argument("--top-k-candidates", type=int, metavar="K", help="candidates per slot or step (default 10)")
    parser.add_argument(
        "--analyses", metavar="NAME,...", help=f"also write these analyses' arrays: {', '.join(ANALYSES)}"
    )
    parser.add_argument("--out", required=True, help="the .npz file to write")
    parser.add_argument("--save-session", metavar="FILE.attnlab", help="also write the run as a session file")
    parser.add_argument(
        "--session", metavar="FILE.attnlab",
        help="replay a session file (its model, text, masks, sampling and tokens) instead of the run flags",
    )
    for action in parser._actions:  # --model comes from the session with --session: checked in export()
        if action.dest == "model":
            action.required = False
    return parser


SESSION_FLAGS = ("model", "text", "source", "mask_positions", "knockout_positions", "decoder_knockout_positions",
                 "ablate_heads", "temperature", "seed")  # what a session file says instead


def _run(args) -> Run:
    """Run the flags, or replay --session; write --save-session."""
    if args.session and args.save_session:
        raise EngineError("--session replays a session file: it has one already, drop --save-session")
    if args.session:
        given = [name for name in SESSION_FLAGS if getattr(args, name)]
        given += ["greedy"] * args.greedy + ["generate"] * bool(args.generate)
        given += ["top_k"] * bool(args.top_k) + ["top_p"] * (args.top_p != 1.0)
        if given:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise EngineError(f"--session replays the session's own model and input: drop {flags}")
        run, data = replay_session(args.session, _given(args.device), _given(args.dtype), args.top_k_candidates,
                                   warn=lambda message: print(message, file=sys.stderr))
        args.top_k_candidates = data.sampling.candidates if args.top_k_candidates is None else args.top_k_candidates
    else:
        if not args.model:
            raise EngineError("the following arguments are required: --model (or --session)")
        args.top_k_candidates = 10 if args.top_k_candidates is None else args.top_k_candidates
        run = run_session(args, args.top_k_candidates)
    if args.save_session:
        write_session(session_of(args, run), args.save_session)
    return run


def _given(value: str) -> str | None:
    return None if value == "auto" else value


def _topk(rows: list[tuple[Candidate, ...]], k: int) -> tuple[np.ndarray, np.ndarray]:
    ids = np.full((len(rows), k), -1, np.int64)
    probs = np.zeros((len(rows), k), np.float32)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = [c.token_id for c in row]
        probs[i, : len(row)] = [c.prob for c in row]
    return ids, probs


def export(args) -> Path:
    if args.top_k_candidates is not None and args.top_k_candidates < 1:
        raise EngineError("--top-k-candidates must be ≥ 1")
    out = Path(args.out)
    analyses = parse_analyses(args.analyses)
    if out.suffix != ".npz":
        raise EngineError(f"--out must name an .npz file, got {out}")
    if not out.parent.exists():
        raise EngineError(f"the folder {out.parent} does not exist")
    if args.save_session and not str(args.save_session).endswith(SUFFIX):
        raise EngineError(f"--save-session must name a {SUFFIX} file, got {args.save_session}")
    run = _run(args)
    result, steps = run.result, run.steps
    arrays: dict[str, np.ndarray] = {}
    if run.loaded.kind == "encoder":
        slots = result.mask_predictions
        arrays["mask_positions"] = np.array([s.position for s in slots], np.int64)
        arrays["mask_topk_ids"], arrays["mask_topk_probs"] = _topk([s.candidates for s in slots], args.top_k_candidates)
        if result.next_sentence_prob is not None:
            arrays["next_sentence_prob"] = np.array(result.next_sentence_prob, np.float32)
    else:
        # The attention's axes: prompt (or decoder start and prefix) then generated tokens.
        sequence_ids = run.session.token_ids  # type: ignore[union-attr]  # a generation session here
        sequence = np.array(readable_tokens(run.session.tokenizer, sequence_ids), dtype=str)
        if run.loaded.kind == "decoder":
            arrays["sequence_tokens"] = sequence
        else:
            arrays["decoder_tokens"] = sequence
            arrays["decoder_token_ids"] = np.array(sequence_ids, np.int64)
    tokens, ids = result.tokens, result.token_ids
    arrays["tokens"] = np.array(tokens, dtype=str)
    arrays["token_ids"] = np.asarray(ids, np.int64)
    arrays["generated_ids"] = np.array([s.token_id for s in steps], np.int64)
    arrays["step_topk_ids"], arrays["step_topk_probs"] = _topk([s.candidates for s in steps], args.top_k_candidates)
    attentions = {stack: result.attention.full(stack) for stack in result.attention.stacks}
    for stack, attention in attentions.items():
        arrays[f"{stack}_attentions"] = attention  # [layer, head, query, key]
    if analyses:
        axes: dict[str, np.ndarray] = {}  # stack -> the token ids along its attention's axes
        if "encoder" in attentions:
            axes["encoder"] = np.asarray(result.token_ids, np.int64)  # the input (or source)
        if run.loaded.kind != "encoder":
            axes["decoder"] = np.array(run.session.token_ids, np.int64)  # type: ignore[union-attr]  # a generator
        arrays.update(analysis_arrays(analyses, ExportedRun(run.session, result.attention, attentions, axes)))
    _write_npz(out, arrays)
    return out


def _write_npz(out: Path, arrays: dict[str, np.ndarray]) -> None:
    """Into a temporary file beside `out`, then renamed: a failed run never leaves a partial file."""
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez_compressed(file, **arrays)  # type: ignore[arg-type]  # keys are array names, never allow_pickle
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    return run_command("attnlab export", lambda: f"wrote {export(build_parser().parse_args(argv))}")
