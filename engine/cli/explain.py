"""`attnlab explain`: the numbers behind one attention weight, printed as one JSON object.

Runs the input like `attnlab export` (same flags: masks, ablations, generation), then asks the
session for one cell (`explain_cell`). Scripts rely on the flag and key names; keep them stable.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict

import numpy as np

from attnlab.engine.api.errors import EngineError
from attnlab.engine.cli.run_flags import Parser, add_run_flags, is_stack, main_stack, run_command, run_session


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="attnlab explain", description="Print the numbers behind one attention weight as JSON.")
    add_run_flags(parser)
    parser.add_argument(
        "--stack",
        help="encoder, decoder or cross (default: the stack that reads --text, or an encoder-decoder's encoder)",
    )
    parser.add_argument("--layer", type=int, required=True)
    parser.add_argument("--head", type=int, required=True)
    parser.add_argument("--query", type=int, required=True, metavar="I", help="the query token's position")
    parser.add_argument(
        "--key", type=int, required=True, metavar="J", help="the key token's position (cross-attention: in the source)"
    )
    return parser


def _plain(value):
    """JSON-ready: arrays become lists; a non-finite float becomes null (JSON has no infinity)."""
    if isinstance(value, np.ndarray):
        return [_plain(float(v)) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def explain(args) -> dict:
    """The cell's explanation as plain JSON values (the fields of `CellExplanation`)."""
    if args.stack is not None and not is_stack(args.stack):
        raise EngineError("bad_stack_flag", value=repr(args.stack))
    run = run_session(args)
    stack = args.stack or main_stack(run.loaded.kind)
    from attnlab.engine.interpret.inspector import explain_cell  # runs the model: torch

    cell = explain_cell(run.session, stack, args.layer, args.head, args.query, args.key)
    return {name: _plain(value) for name, value in asdict(cell).items()}


def main(argv: list[str] | None = None) -> int:
    return run_command("attnlab explain", lambda: json.dumps(explain(build_parser().parse_args(argv))))
