"""`attnlab export --analyses attribution,patching`: their flags and arrays.

--target TOKEN            the token to explain (one token of the vocabulary, e.g. " Paris"); default the top-1
--corrupt-text TEXT       patching's corrupted run: another text of as many tokens
--corrupt-positions i,j   ... or these positions of the input, noised (--noise SIGMA × σ, default 3)
--ig-steps N              integrated gradients' step cap (from 32, doubling until the completeness error < 5%)
--ig-baseline pad|zero    integrated gradients' baseline (default pad)
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from attnlab.engine.api.config import Corruption
from attnlab.engine.api.errors import EngineError

if TYPE_CHECKING:
    from attnlab.engine.cli.export_analyses import ExportedRun


@dataclass(frozen=True)
class CauseOptions:
    """What the attribution and patching flags asked for, checked before the model loads."""

    target: str | None = None
    corruption: Corruption | None = None
    ig_steps: int = 512
    ig_baseline: str = "pad"


def add_cause_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", metavar="TOKEN", help="attribution, patching: the token to explain (default top-1)")
    parser.add_argument("--corrupt-text", metavar="TEXT", help="patching: the corrupted input (as many tokens)")
    parser.add_argument("--corrupt-positions", metavar="I,J", help="patching: corrupt these positions with noise")
    parser.add_argument("--noise", type=float, metavar="SIGMA", help="patching: the noise in embedding σ (default 3)")
    parser.add_argument("--ig-steps", type=int, metavar="N", help="integrated gradients: at most N steps (default 512)")
    parser.add_argument(
        "--ig-baseline", choices=("pad", "zero"), default="pad", help="integrated gradients' baseline (default pad)"
    )


def cause_options(args: argparse.Namespace, analyses: tuple[str, ...]) -> CauseOptions:
    """The flags as options; refuses flags that contradict each other or are missing for `analyses`."""
    text, positions = getattr(args, "corrupt_text", None), getattr(args, "corrupt_positions", None)
    noise, steps = getattr(args, "noise", None), getattr(args, "ig_steps", None)
    if text is not None and positions is not None:
        raise EngineError("corrupt_two_kinds")
    if noise is not None and positions is None:
        raise EngineError("noise_needs_positions")
    if steps is not None and steps < 1:
        raise EngineError("ig_steps_flag", steps=steps)
    corruption = None
    if text is not None or positions is not None:
        try:
            chosen = tuple(int(p) for p in positions.split(",") if p.strip()) if positions is not None else ()
        except ValueError:
            raise EngineError("corrupt_positions_flag", positions=repr(positions)) from None
        try:
            corruption = Corruption(text=text, positions=chosen, noise=3.0 if noise is None else noise)
        except ValueError as error:
            raise EngineError("corruption_flags", error=str(error)) from None
    if "patching" in analyses and corruption is None:
        raise EngineError("patching_needs_corruption")
    return CauseOptions(getattr(args, "target", None), corruption, steps or 512, getattr(args, "ig_baseline", "pad"))


def target_id(run: ExportedRun) -> int | None:
    """--target as a token id (None: the top-1); refused unless it is exactly one token."""
    text = run.cause.target
    if text is None:
        return None
    ids = run.session.tokenizer(text, add_special_tokens=False)["input_ids"]
    if len(ids) != 1:
        raise EngineError("target_not_one_token", text=repr(text), count=len(ids))
    return int(ids[0])


def attribution_arrays(run: ExportedRun) -> dict[str, NDArray]:
    """`attribution_grad_x_input`, `attribution_integrated_gradients` float32 [token] (the predicting stack's
    tokens) and `attribution_completeness_error` float32 []: the next token's (masked LMs: the first
    [MASK]'s) top-1 or --target."""
    from attnlab.engine.interpret.attribution import Target, attribute  # runs the model: torch

    result = attribute(
        run.session,
        Target(token=target_id(run)),
        baseline=run.cause.ig_baseline,
        max_steps=run.cause.ig_steps,
    )
    verdict = "" if result.converged else f" (above 5%: raise --ig-steps beyond {result.steps})"
    print(
        f"integrated gradients for {result.target_text!r}: {result.steps} steps, completeness error "
        f"{100 * result.completeness_error:.1f}%{verdict}",
        file=sys.stderr,
    )
    return {
        "attribution_grad_x_input": result.grad_x_input,
        "attribution_integrated_gradients": result.integrated,
        "attribution_completeness_error": np.array(result.completeness_error, np.float32),
    }


def patching_arrays(run: ExportedRun) -> dict[str, NDArray]:
    """`patching_residual`, `patching_attention`, `patching_mlp` float32 [layer, position] and `patching_heads`
    float32 [layer, head] (recovered share of log p(target)), `patching_clean_logit_diff` and
    `patching_corrupt_logit_diff` float32 []."""
    from attnlab.engine.interpret.patching import patch  # runs the model: torch

    assert run.cause.corruption is not None  # cause_options refuses patching without one
    result = patch(run.session, run.cause.corruption, target=target_id(run))
    return {
        "patching_residual": result.residual,
        "patching_attention": result.attention,
        "patching_mlp": result.mlp,
        "patching_heads": result.heads,
        "patching_clean_logit_diff": np.array(result.clean_metric, np.float32),
        "patching_corrupt_logit_diff": np.array(result.corrupt_metric, np.float32),
    }
