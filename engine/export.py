"""`attnlab export`: run a model once (optionally generating) and write everything to an .npz file.

Scripts rely on the flag and array names; keep them stable.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TypeGuard

import numpy as np

from engine.config import LoadOptions, SamplingConfig
from engine.errors import EngineError
from engine.results import Candidate, Masks, SequenceName, StackName
from engine.tokens import readable_tokens

log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage + message
        raise EngineError(message)


def _positions(text: str | None, flag: str) -> frozenset[int]:
    if not text:
        return frozenset()
    try:
        return frozenset(int(p) for p in text.split(",") if p.strip())
    except ValueError:
        raise EngineError(f"{flag} takes comma-separated token positions like 1,4 (got {text!r})") from None


def _is_stack(name: str) -> TypeGuard[StackName]:
    return name in ("encoder", "decoder", "cross")


def _heads(text: str | None, default_stack: str) -> frozenset[tuple[StackName, int, int]]:
    """"L:H,L:H" on the model's main stack, or "stack:L:H" (stack: encoder, decoder or cross)."""
    if not text:
        return frozenset()
    heads: set[tuple[StackName, int, int]] = set()
    for item in text.split(","):
        parts = item.strip().split(":")
        try:
            stack = parts[0] if len(parts) == 3 else default_stack
            layer, head = int(parts[-2]), int(parts[-1])
            if len(parts) not in (2, 3) or not _is_stack(stack):
                raise ValueError
        except (ValueError, IndexError):
            raise EngineError(f"--ablate-heads takes LAYER:HEAD or STACK:LAYER:HEAD items, got {item!r}") from None
        heads.add((stack, layer, head))
    return frozenset(heads)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="attnlab export", description="Write tokens, attention and predictions to an .npz file.")
    parser.add_argument("--model", required=True, help="catalog name, model folder, .gguf file or hub id")
    parser.add_argument("--text", default="", help="the input (encoders), prompt (decoders) or decoder prefix")
    parser.add_argument("--source", help="encoder-decoders: the input to transform")
    parser.add_argument("--generate", type=int, default=0, metavar="N", help="tokens to generate")
    parser.add_argument("--greedy", action="store_true", help="argmax decoding (the default)")
    parser.add_argument("--temperature", type=float)
    parser.add_argument("--top-k", type=int, default=0)
    parser.add_argument("--top-p", type=float, default=1.0)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--mask-positions", help="comma-separated positions to replace by [MASK]")
    parser.add_argument("--knockout-positions", help="comma-separated positions no query may attend to")
    parser.add_argument(
        "--decoder-knockout-positions",
        help="encoder-decoders: positions of the decoder's start token and prefix no decoder query may attend to",
    )
    parser.add_argument("--ablate-heads", help="LAYER:HEAD[,...] heads whose output is zeroed")
    parser.add_argument("--top-k-candidates", type=int, default=10, metavar="K")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--out", required=True, help="the .npz file to write")
    return parser


def _sampling(args) -> SamplingConfig:
    sampled = args.temperature is not None or args.top_k or args.top_p != 1.0 or args.seed is not None
    if args.greedy and sampled:
        raise EngineError("--greedy cannot be combined with --temperature, --top-k, --top-p or --seed")
    length = max(args.generate, 1)
    if not sampled:
        return SamplingConfig(greedy=True, candidates=args.top_k_candidates, max_new_tokens=length)
    temperature = 1.0 if args.temperature is None else args.temperature
    return SamplingConfig(False, temperature, args.top_k, args.top_p, args.seed, args.top_k_candidates, length)


def _masks(args, kind: str) -> Masks:
    """The flags on the one mask model: --knockout-positions count the typed text's tokens (an
    encoder-decoder's source), --decoder-knockout-positions an encoder-decoder's decoder tokens."""
    main: SequenceName = "decoder" if kind == "decoder" else "encoder"
    decoder = _positions(args.decoder_knockout_positions, "--decoder-knockout-positions")
    if decoder and kind != "encoder-decoder":
        raise EngineError("--decoder-knockout-positions is for encoder-decoders; a decoder's are plain knock-outs")
    knockouts = {(main, p) for p in _positions(args.knockout_positions, "--knockout-positions")}
    knockouts |= {("decoder", p) for p in decoder}
    return Masks(
        mask_positions=_positions(args.mask_positions, "--mask-positions"),
        knockouts=frozenset(knockouts),
        ablated_heads=_heads(args.ablate_heads, main),
    )


def _topk(rows: list[tuple[Candidate, ...]], k: int) -> tuple[np.ndarray, np.ndarray]:
    ids = np.full((len(rows), k), -1, np.int64)
    probs = np.zeros((len(rows), k), np.float32)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = [c.token_id for c in row]
        probs[i, : len(row)] = [c.prob for c in row]
    return ids, probs


def export(args) -> Path:
    from engine.loading import load_model, set_threads
    from engine.session import EncoderSession, make_session

    if args.generate < 0:
        raise EngineError("--generate takes a number of tokens ≥ 0")
    if args.top_k_candidates < 1:
        raise EngineError("--top-k-candidates must be ≥ 1")
    sampling = _sampling(args)
    out = Path(args.out)
    if out.suffix != ".npz":
        raise EngineError(f"--out must name an .npz file, got {out}")
    if not out.parent.exists():
        raise EngineError(f"the folder {out.parent} does not exist")
    set_threads(None)  # the CLI starts the engine, so it sets torch's threads
    loaded = load_model(args.model, LoadOptions(device=args.device, dtype=args.dtype))
    masks = _masks(args, loaded.kind)
    session = make_session(loaded)
    arrays: dict[str, np.ndarray] = {}
    if isinstance(session, EncoderSession):
        if args.generate:
            raise EngineError(f"{loaded.info.name} is an encoder: it cannot generate; drop --generate")
        if args.source:
            raise EngineError(f"{loaded.info.name} is an encoder: use --text, not --source")
        result = session.analyse(args.text, masks, top_k=args.top_k_candidates)
        slots = result.mask_predictions
        arrays["mask_positions"] = np.array([s.position for s in slots], np.int64)
        arrays["mask_topk_ids"], arrays["mask_topk_probs"] = _topk([s.candidates for s in slots], args.top_k_candidates)
        if result.next_sentence_prob is not None:
            arrays["next_sentence_prob"] = np.array(result.next_sentence_prob, np.float32)
        tokens, ids, steps = result.tokens, result.token_ids, []
    else:
        if loaded.kind == "decoder" and args.source:
            raise EngineError(f"{loaded.info.name} is a decoder: put the prompt in --text, there is no --source")
        session.set_sampling(sampling)
        session.prefill(args.text, masks, source=args.source)
        steps = session.run(args.generate) if args.generate else []
        result = session.state()
        tokens, ids = result.tokens, result.token_ids
        # The attention's axes: prompt (or decoder start and prefix) then generated tokens.
        sequence = np.array(readable_tokens(session.tokenizer, session.token_ids), dtype=str)
        if loaded.kind == "decoder":
            arrays["sequence_tokens"] = sequence
        else:
            arrays["decoder_tokens"] = sequence
            arrays["decoder_token_ids"] = np.array(session.token_ids, np.int64)
    arrays["tokens"] = np.array(tokens, dtype=str)
    arrays["token_ids"] = np.asarray(ids, np.int64)
    arrays["generated_ids"] = np.array([s.token_id for s in steps], np.int64)
    arrays["step_topk_ids"], arrays["step_topk_probs"] = _topk([s.candidates for s in steps], args.top_k_candidates)
    for stack in result.attention.stacks:
        arrays[f"{stack}_attentions"] = result.attention.full(stack)  # [layer, head, query, key]
    _write_npz(out, arrays)
    return out


def _write_npz(out: Path, arrays: dict[str, np.ndarray]) -> None:
    """Into a temporary file beside `out`, then renamed: a failed run never leaves a partial file."""
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez_compressed(file, **arrays)  # type: ignore[arg-type]  # keys are array names
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        path = export(args)
    except (ValueError, MemoryError, OSError) as exc:  # EngineError is a ValueError
        log.debug("export failed", exc_info=True)  # the traceback with --verbose
        print(f"attnlab export: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug, but the user still gets one line
        log.debug("export failed", exc_info=True)
        print(f"attnlab export: error: unexpected {type(exc).__name__}: {_one_line(exc)} "
              "(--verbose shows the traceback)", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0
