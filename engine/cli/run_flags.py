"""What `attnlab export` and `attnlab explain` share: the flags that say which model, input, masks and
sampling to run, turning them into engine settings, and running a session on them.

Scripts rely on the flag names; keep them stable.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeGuard

from attnlab.engine.api.config import LoadOptions, SamplingConfig, StoreMode
from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.results import AnalysisResult, Masks, SequenceName, StackName, StepResult

if TYPE_CHECKING:
    from attnlab.engine.models.loading import LoadedModel
    from attnlab.engine.session.sessions import EncoderSession, GenerationSession, Session

log = logging.getLogger(__name__)


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage + message
        raise EngineError("bad_arguments", detail=message)


def add_run_flags(parser: argparse.ArgumentParser) -> None:
    """Model, input, generation, sampling, masks and device: the same for every command that runs a model."""
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
    parser.add_argument(
        "--store",
        choices=("auto", "exact", "long"),
        default="auto",
        help="decoders: keep every attention row (exact), a pooled overview with exact rows recomputed on demand "
        "(long), or exact while it fits memory (auto)",
    )
    parser.add_argument("--device", default="auto")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument(
        "--device-map",
        choices=("auto",),
        help="auto: spread a model too big for one device over the GPUs and RAM (accelerate)",
    )
    parser.add_argument(
        "--allow-missing-weights",
        action="store_true",
        help="load a model whose weight files lack tensors its architecture has (or hold them in another shape): "
        "those are random numbers, and the output says so (partly_random)",
    )


def _positions(text: str | None, flag: str) -> frozenset[int]:
    if not text:
        return frozenset()
    try:
        return frozenset(int(p) for p in text.split(",") if p.strip())
    except ValueError:
        raise EngineError("flag_not_positions", flag=flag, value=repr(text)) from None


def is_stack(name: str) -> TypeGuard[StackName]:
    return name in ("encoder", "decoder", "cross")


def _heads(text: str | None, default_stack: str) -> frozenset[tuple[StackName, int, int]]:
    """ "L:H,L:H" on the model's main stack, or "stack:L:H" (stack: encoder, decoder or cross)."""
    if not text:
        return frozenset()
    heads: set[tuple[StackName, int, int]] = set()
    for item in text.split(","):
        parts = item.strip().split(":")
        try:
            stack = parts[0] if len(parts) == 3 else default_stack
            layer, head = int(parts[-2]), int(parts[-1])
            if len(parts) not in (2, 3) or not is_stack(stack):
                raise ValueError
        except (ValueError, IndexError):
            raise EngineError("bad_ablate_heads", value=repr(item)) from None
        heads.add((stack, layer, head))
    return frozenset(heads)


def sampling_config(args, candidates: int = 10) -> SamplingConfig:
    sampled = args.temperature is not None or args.top_k or args.top_p != 1.0 or args.seed is not None
    if args.greedy and sampled:
        raise EngineError("greedy_with_sampling")
    if args.generate < 0:
        raise EngineError("generate_negative")
    length = max(args.generate, 1)
    if not sampled:
        return SamplingConfig(greedy=True, candidates=candidates, max_new_tokens=length)
    temperature = 1.0 if args.temperature is None else args.temperature
    return SamplingConfig(False, temperature, args.top_k, args.top_p, args.seed, candidates, length)


def main_stack(kind: str) -> SequenceName:
    """The stack plain LAYER:HEAD items and --knockout-positions mean: the one that reads the typed text."""
    return "decoder" if kind == "decoder" else "encoder"


def masks_from(args, kind: str) -> Masks:
    """The flags on the one mask model: --knockout-positions count the typed text's tokens (an
    encoder-decoder's source), --decoder-knockout-positions an encoder-decoder's decoder tokens."""
    main = main_stack(kind)
    decoder = _positions(args.decoder_knockout_positions, "--decoder-knockout-positions")
    if decoder and kind != "encoder-decoder":
        raise EngineError("decoder_knockout_flag")
    knockouts = {(main, p) for p in _positions(args.knockout_positions, "--knockout-positions")}
    knockouts |= {("decoder", p) for p in decoder}
    return Masks(
        mask_positions=_positions(args.mask_positions, "--mask-positions"),
        knockouts=frozenset(knockouts),
        ablated_heads=_heads(args.ablate_heads, main),
    )


@dataclass
class Run:
    """A model run on the flags: the session where it stands, its result, and generated steps."""

    loaded: LoadedModel
    session: EncoderSession | GenerationSession
    result: AnalysisResult
    steps: list[StepResult]


def run_session(args, candidates: int = 10, check: Callable[[LoadedModel], None] | None = None) -> Run:
    """Load the model, then analyse the text (encoders) or prefill and generate (the others).

    `check`: refuses flags that depend on the model (e.g. a layer it does not have) before it runs."""
    from attnlab.engine.session.sessions import EncoderSession

    sampling = sampling_config(args, candidates)
    masks: Masks | None = None

    def check_flags(loaded: LoadedModel) -> None:
        nonlocal masks
        masks = masks_from(args, loaded.kind)
        if check is not None:
            check(loaded)

    # threads: None, as the CLI starts the engine it takes all cores but one
    options = LoadOptions(
        args.device, args.dtype, device_map=args.device_map, allow_missing_weights=args.allow_missing_weights
    )
    session = cli_open(args.model, options, store_mode=args.store, check=check_flags)
    loaded = session.loaded
    assert masks is not None  # check_flags ran before the session was made
    if isinstance(session, EncoderSession):
        if args.store != "auto":
            raise EngineError("store_for_decoders", model=loaded.info.name, kind="encoder")
        if args.generate:
            raise EngineError("encoder_cannot_generate", model=loaded.info.name)
        if args.source:
            raise EngineError("encoder_has_no_source", model=loaded.info.name)
        return Run(loaded, session, session.analyse(args.text, masks, top_k=candidates), [])
    if loaded.kind == "decoder" and args.source:
        raise EngineError("decoder_has_no_source", model=loaded.info.name)
    session.set_sampling(sampling)
    if args.store != "auto" and loaded.kind != "decoder":
        raise EngineError("store_for_decoders", model=loaded.info.name, kind=loaded.kind)
    session.prefill(args.text, masks, source=args.source)
    steps = session.run(args.generate) if args.generate else []
    return Run(loaded, session, session.state(), steps)


CLI_CONSENT = {
    "unmatched_weights": "--allow-missing-weights loads it anyway",
    "remote_code": "the command line never runs a model's own code: load it from a script with trust_remote_code",
    "pickle": "the command line never reads pickled weights: convert them to safetensors",
}


def cli_open(
    spec: str, options: LoadOptions, store_mode: StoreMode, check: Callable[[LoadedModel], None] | None = None
) -> Session:
    """open_session, with a refusal that needs consent saying how to give it on the command line."""
    from attnlab.engine.api.consent import ConsentNeeded
    from attnlab.engine.session.opening import open_session

    try:
        return open_session(spec, options, store_mode=store_mode, check=check)
    except ConsentNeeded as refused:
        raise EngineError(
            "consent_on_command_line", refused=refused.message, how=CLI_CONSENT[refused.request.consent.need]
        ) from None


def run_command(prog: str, action: Callable[[], str]) -> int:
    """Run a command: its output on stdout, exit 0; bad input: one line on stderr, exit 2.

    transformers' FutureWarnings about its own internals are not the user's business: hidden for the call.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            output = action()
    except (ValueError, MemoryError, OSError) as exc:  # EngineError is a ValueError
        log.debug("%s failed", prog, exc_info=True)  # the traceback with --verbose
        print(f"{prog}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:
        log.debug("%s failed", prog, exc_info=True)
        print(
            f"{prog}: error: unexpected {type(exc).__name__}: {_one_line(exc)} (--verbose shows the traceback)",
            file=sys.stderr,
        )
        return 2
    print(output)
    return 0


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
