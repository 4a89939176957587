"""`attnlab export`: run a model once (optionally generating) and write everything to an .npz file.

Scripts rely on the flag and array names; keep them stable.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.memory_budget import AttentionMemoryError, available_memory, readable_size
from attnlab.engine.api.messages import message
from attnlab.engine.api.results import Candidate
from attnlab.engine.api.saved_session import SUFFIX, write_session
from attnlab.engine.api.tokens import readable_tokens
from attnlab.engine.cli.cause_analyses import add_cause_flags, cause_options
from attnlab.engine.cli.export_analyses import ANALYSES, ExportedRun, analysis_arrays, parse_analyses
from attnlab.engine.cli.run_flags import Parser, Run, add_run_flags, run_command, run_session
from attnlab.engine.cli.saved_replay import replay_session, session_of

if TYPE_CHECKING:
    from attnlab.engine.api.attention_store import AttentionSnapshot
    from attnlab.engine.models.loading import LoadedModel


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="attnlab export", description="Write tokens, attention and predictions to an .npz file.")
    add_run_flags(parser)
    parser.add_argument("--top-k-candidates", type=int, metavar="K", help="candidates per slot or step (default 10)")
    parser.add_argument(
        "--analyses", metavar="NAME,...", help=f"also write these analyses' arrays: {', '.join(ANALYSES)}"
    )
    parser.add_argument("--alternative", metavar="TOKEN", help="dla: also subtract this token's logit (e.g. ' Rome')")
    parser.add_argument(
        "--flow-threshold", type=float, default=0.04, metavar="X", help="flow: keep edges of share ≥ X (default 0.04)"
    )
    add_cause_flags(parser)
    parser.add_argument("--layers", metavar="L,...", help="write the attention of these layers only (default: all)")
    parser.add_argument("--heads", metavar="H,...", help="write the attention of these heads only (default: all)")
    parser.add_argument("--out", required=True, help="the .npz file to write")
    parser.add_argument("--save-session", metavar="FILE.attnlab", help="also write the run as a session file")
    parser.add_argument(
        "--session",
        metavar="FILE.attnlab",
        help="replay a session file (its model, text, masks, sampling and tokens) instead of the run flags",
    )
    for action in parser._actions:  # --model comes from the session with --session: checked in export()
        if action.dest == "model":
            action.required = False
    return parser


@dataclass(frozen=True)
class Selection:
    """Which layers and heads the attention arrays keep, in the order given; None: every one."""

    layers: tuple[int, ...] | None = None
    heads: tuple[int, ...] | None = None

    @classmethod
    def parse(cls, layers: str | None, heads: str | None) -> Selection:
        return cls(_indices(layers, "--layers"), _indices(heads, "--heads"))

    def check(self, loaded: LoadedModel) -> None:
        """Refuse a layer or head some stack of the model does not have, before the model runs."""
        for stack in loaded.info.stacks:
            for flag, chosen, count in (("--layers", self.layers, stack.layers), ("--heads", self.heads, stack.heads)):
                bad = [i for i in chosen or () if not 0 <= i < count]
                if bad:
                    noun = flag[2:-1]
                    raise EngineError(
                        "selection_out_of_range",
                        flag=flag,
                        noun=noun,
                        bad=", ".join(map(str, bad)),
                        model=loaded.info.name,
                        stack=stack.name,
                        count=count,
                        what=flag[2:],
                        range=f"0..{count - 1}",
                    )

    def shape(self, snapshot: AttentionSnapshot, stack: str) -> tuple[int, int, int, int]:
        """[layer, head, query, key] of the selected attention of one stack."""
        return self.sized(*snapshot.shape(stack))

    def sized(self, layers: int, heads: int, queries: int, keys: int) -> tuple[int, int, int, int]:
        """[layer, head, query, key] of the selection from attention of that shape."""
        return (
            len(self.layers) if self.layers is not None else layers,
            len(self.heads) if self.heads is not None else heads,
            queries,
            keys,
        )

    def recomputed(self, session, shape: tuple[int, int, int, int]) -> np.ndarray:
        """The selected decoder attention of a long-mode session, each head recomputed exactly."""
        layers, heads = session.long_attention.shape()[:2]
        out = np.empty(shape, np.float32)
        rows = range(shape[2])
        for i, layer in enumerate(self.layers if self.layers is not None else range(layers)):
            for j, head in enumerate(self.heads if self.heads is not None else range(heads)):
                out[i, j] = session.region(layer, head, rows, rows)
        return out

    def attention(self, snapshot: AttentionSnapshot, stack: str) -> np.ndarray:
        """[len(layers), len(heads), query, key] float32, unpacking only the selected heads."""
        layers, heads = snapshot.shape(stack)[:2]
        out = np.empty(self.shape(snapshot, stack), np.float32)
        for i, layer in enumerate(self.layers if self.layers is not None else range(layers)):
            if self.heads is None:
                out[i] = snapshot.layer(stack, layer)
            else:
                for j, head in enumerate(self.heads):
                    out[i, j] = snapshot.matrix(stack, layer, head)
        return out


def _indices(text: str | None, flag: str) -> tuple[int, ...] | None:
    """ "0,3" -> (0, 3), each once in the given order; None when the flag is absent."""
    if text is None:
        return None
    try:
        values = tuple(dict.fromkeys(int(item) for item in text.split(",") if item.strip()))
    except ValueError:
        raise EngineError("flag_not_numbers", flag=flag, value=repr(text)) from None
    if not values:
        raise EngineError("flag_names_nothing", flag=flag, what=flag[2:])
    return values


def check_output_fits(needed: int, folder: Path) -> None:
    """Refuse output that would not fit in memory (it is built there first) or on the disk, before building it."""
    free_disk = shutil.disk_usage(folder).free
    free_memory = int(available_memory() * 0.8)
    memory, disk = message("free_memory"), message("free_disk", folder=str(folder))
    for free, where in ((free_memory, memory), (free_disk, disk)):
        if needed > free:
            raise AttentionMemoryError(
                "export_too_large", needed=readable_size(needed), free=readable_size(free), where=where
            )


SESSION_FLAGS = (
    "model",
    "text",
    "source",
    "mask_positions",
    "knockout_positions",
    "decoder_knockout_positions",
    "ablate_heads",
    "temperature",
    "seed",
)  # what a session file says instead


def _run(args, check: Callable[[LoadedModel], None]) -> Run:
    """Run the flags, or replay --session; write --save-session. `check` refuses flags the model cannot honour."""
    if args.session and args.save_session:
        raise EngineError("session_has_session")
    if args.session:
        given = [name for name in SESSION_FLAGS if getattr(args, name)]
        given += ["greedy"] * args.greedy + ["generate"] * bool(args.generate)
        given += ["top_k"] * bool(args.top_k) + ["top_p"] * (args.top_p != 1.0)
        if given:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise EngineError("session_replays_own_input", flags=flags)
        run, data = replay_session(
            args.session,
            _given(args.device),
            _given(args.dtype),
            args.top_k_candidates,
            warn=lambda message: print(message, file=sys.stderr),
            allow_missing=args.allow_missing_weights,
        )
        args.top_k_candidates = data.sampling.candidates if args.top_k_candidates is None else args.top_k_candidates
        check(run.loaded)
    else:
        if not args.model:
            raise EngineError("model_flag_required")
        args.top_k_candidates = 10 if args.top_k_candidates is None else args.top_k_candidates
        run = run_session(args, args.top_k_candidates, check=check)
    if run.loaded.info.partly_random:
        shown = run.loaded.info.random_weights
        print(
            f"warning: {len(shown)} tensors of {run.loaded.info.name} are random numbers, not the model's "
            f"({', '.join(shown[:4])}{', ...' if len(shown) > 4 else ''}): its output is partly random",
            file=sys.stderr,
        )
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
        raise EngineError("top_k_candidates_too_few")
    out = Path(args.out)
    analyses = parse_analyses(args.analyses)
    if args.alternative is not None and "dla" not in analyses:
        raise EngineError("alternative_needs_dla")
    cause = cause_options(args, analyses)
    if out.suffix != ".npz":
        raise EngineError("out_not_npz", path=str(out))
    if not out.parent.exists():
        raise EngineError("folder_missing", folder=str(out.parent))
    selection = Selection.parse(args.layers, args.heads)
    if args.save_session and not str(args.save_session).endswith(SUFFIX):
        raise EngineError("save_session_suffix", suffix=SUFFIX, path=str(args.save_session))
    run = _run(args, selection.check)
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
    arrays["partly_random"] = np.array(run.loaded.info.partly_random)  # loaded with --allow-missing-weights
    arrays["random_weights"] = np.array(run.loaded.info.random_weights, dtype=str)  # which tensors are random
    arrays["step_topk_ids"], arrays["step_topk_probs"] = _topk([s.candidates for s in steps], args.top_k_candidates)
    snapshot = result.attention
    long = getattr(run.session, "long_attention", None)
    # Analyses read every head; without them only the selection is ever unpacked.
    exported = {stack: selection.shape(snapshot, stack) for stack in snapshot.stacks}
    if long is not None:  # the decoder's attention is recomputed, head by head, from what long mode keeps
        exported["decoder"] = selection.sized(*long.shape())
    needed = sum(4 * int(np.prod(shape)) for shape in exported.values())
    if analyses:  # long mode's decoder is read a block of rows at a time instead
        needed += sum(4 * int(np.prod(snapshot.shape(stack))) for stack in snapshot.stacks)
    if "rollout" in analyses:  # [layer, query, query] float32 per self-attention stack
        shapes = [snapshot.shape(stack) for stack in snapshot.stacks if stack in ("encoder", "decoder")]
        shapes += [long.shape()] if long is not None else []
        needed += sum(4 * layers * rows * rows for layers, _heads, rows, _keys in shapes)
    check_output_fits(needed, out.parent)
    attentions = {stack: snapshot.full(stack) for stack in snapshot.stacks} if analyses else {}
    for stack in snapshot.stacks:
        arrays[f"{stack}_attentions"] = selection.attention(snapshot, stack)  # [layer, head, query, key]
    if long is not None:
        arrays["decoder_attentions"] = selection.recomputed(run.session, exported["decoder"])
    if analyses:
        axes: dict[str, np.ndarray] = {}  # stack -> the token ids along its attention's axes
        if "encoder" in attentions:
            axes["encoder"] = np.asarray(result.token_ids, np.int64)  # the input (or source)
        if run.loaded.kind != "encoder":
            axes["decoder"] = np.array(run.session.token_ids, np.int64)  # type: ignore[union-attr]  # a generator
        exported_run = ExportedRun(
            run.session,
            result.attention,
            attentions,
            axes,
            args.top_k_candidates,
            args.alternative,
            args.flow_threshold,
            cause,
        )
        arrays.update(analysis_arrays(analyses, exported_run))
    write_npz(out, arrays)
    return out


def write_npz(out: Path, arrays: dict[str, np.ndarray]) -> None:
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
