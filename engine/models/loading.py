"""Loading any Hugging Face encoder, decoder or encoder-decoder, switched to the capturing attention."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import torch
import transformers
from transformers import AutoConfig, AutoTokenizer

from attnlab.engine.api.config import LoadOptions, Progress
from attnlab.engine.api.consent import Consent, ConsentNeeded, ConsentRequest, Need, content_hash, model_key
from attnlab.engine.api.errors import ModelLoadError
from attnlab.engine.api.memory_budget import available_memory
from attnlab.engine.api.messages import EngineMessage, message
from attnlab.engine.api.results import ModelInfo, StackInfo
from attnlab.engine.capture import attention as capture
from attnlab.engine.capture import legacy as legacy_capture
from attnlab.engine.models.load_estimate import estimate, shortfall
from attnlab.engine.models.model_kind import model_kind
from attnlab.engine.models.resolving import ResolvedModel, resolve_model
from attnlab.engine.models.weight_check import unmatched

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


@dataclass
class LoadedModel:
    """A model ready for sessions: weights, tokenizer, and where each attention module records."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    info: ModelInfo
    sites: dict[tuple[int, int], tuple[str, int]]  # capture.site_key(attention module) -> (stack, layer)
    eos_ids: frozenset[int] = field(default_factory=frozenset)
    decoder_start_id: int | None = None  # encoder-decoders: first decoder token
    recent_path: str | None = None  # what the GUI's recent list should get for this load, None: nothing

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def kind(self) -> str:
        return self.info.kind


def pick_device(requested: str = "auto") -> torch.device:
    """auto: cuda, then mps, then cpu. Anything else must name a device that is present."""
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(requested)
    except (RuntimeError, TypeError):
        raise ModelLoadError("unknown_device", device=repr(requested)) from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError("no_cuda")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise ModelLoadError("cuda_device_missing", device=repr(requested), count=torch.cuda.device_count())
    if device.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ModelLoadError("no_mps")
    if device.type not in ("cpu", "cuda", "mps"):
        raise ModelLoadError("unsupported_device", device=repr(requested))
    return device


def set_threads(threads: int | None) -> int:
    """torch's CPU threads are process-wide: leave one core to the GUI unless told otherwise.

    Oversubscribed cores make every small op wait on spinning threads (a decode step ran 7x slower
    with 2 threads on 2 busy cores than with 1).
    """
    if threads is None:
        threads = max(1, (os.cpu_count() or 2) - 1)
    if threads < 1:
        raise ModelLoadError("threads_too_few", value=threads)
    torch.set_num_threads(threads)
    return threads


def pick_dtype(requested: str, device: torch.device) -> torch.dtype:
    """auto: float32 on CPU, bfloat16 on a GPU that has it, else float16."""
    if requested == "auto":
        if device.type == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float16 if device.type == "mps" else torch.float32
    if requested not in _DTYPES:
        raise ModelLoadError("unknown_dtype", dtype=repr(requested), names=", ".join(_DTYPES))
    return _DTYPES[requested]


def _read_config(folder: Path) -> dict:
    config_file = folder / "config.json"
    if not config_file.is_file():
        raise ModelLoadError("folder_without_config", path=str(folder))
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError("config_corrupt", path=str(config_file), error=str(exc)) from None
    if not isinstance(config, dict) or "model_type" not in config:
        raise ModelLoadError("config_without_model_type", path=str(config_file))
    return config


def first_line(error: BaseException) -> str:
    """An exception's message on one line: transformers' messages run to paragraphs of advice."""
    text = str(error).strip()
    line = text.splitlines()[0].strip() if text else type(error).__name__
    return line.rstrip(".:")


def _needs_own_code(config: dict) -> bool:
    """The folder ships code (auto_map) for an architecture transformers does not have: loading runs it.
    (With a known model_type, transformers' own classes load it and the shipped code never runs.)"""
    model_type = config.get("model_type")
    known = isinstance(model_type, str) and model_type in transformers.CONFIG_MAPPING
    return bool(config.get("auto_map")) and not known


def _check_model_type(folder: Path, config: dict, trust_remote_code: bool) -> None:
    model_type = config.get("model_type")
    if trust_remote_code and config.get("auto_map"):
        return  # the model brings its own code
    if not isinstance(model_type, str) or model_type not in transformers.CONFIG_MAPPING:
        raise ModelLoadError(
            "unknown_model_type",
            path=str(folder / "config.json"),
            model_type=repr(model_type),
            version=transformers.__version__,
        )


# Sizes a config declares; a model built with a negative or zero one fails later in obscure ways.
_COUNTS = (
    "num_hidden_layers",
    "n_layer",
    "num_layers",
    "num_decoder_layers",
    "encoder_layers",
    "decoder_layers",
    "num_attention_heads",
    "n_head",
    "num_heads",
    "encoder_attention_heads",
    "decoder_attention_heads",
    "hidden_size",
    "n_embd",
    "d_model",
    "vocab_size",
)


def _check_counts(config, spec: str) -> None:
    configs = [config] + [
        getattr(config, name)
        for name in ("text_config", "encoder", "decoder")
        if hasattr(config, name) and hasattr(getattr(config, name), "to_dict")
    ]
    for part in configs:
        for name in _COUNTS:
            value = getattr(part, name, None)
            if isinstance(value, int) and not isinstance(value, bool) and value < 1:
                raise ModelLoadError("config_value_too_small", model=spec, name=name, value=str(value))


def _check_weights(folder: Path, consents: _Consents) -> bool:
    """Whether the load reads pickled weights (only with consent for this model)."""
    if any(folder.glob("*.safetensors")):
        return False
    pickled = [p.name for p in folder.iterdir() if p.suffix in (".bin", ".pt", ".pth", ".ckpt")]
    if not pickled:
        raise ModelLoadError("no_weights", path=str(folder))
    consents.require("pickle", message("pickled_weights_refused", path=str(folder), files=", ".join(sorted(pickled))))
    return True


class _Consents:
    """What the user allowed for the model being loaded: the CLI's flags (whatever the command loads),
    or a `Consent` given for exactly this model and content (the window's, asked when needed)."""

    def __init__(self, resolved: ResolvedModel, options: LoadOptions):
        self.resolved = resolved
        self.options = options
        self._content: str | None = None

    def consent(self, need: Need) -> Consent:
        if self._content is None:
            self._content = content_hash(self.resolved.path) or ""
        return Consent(model_key(self.resolved.path), self._content or None, need)

    def given(self, need: Need) -> bool:
        flags = {
            "remote_code": self.options.trust_remote_code,
            "pickle": self.options.allow_pickle,
            "unmatched_weights": self.options.allow_missing_weights,
        }
        return flags[need] or (bool(self.options.consents) and self.consent(need) in self.options.consents)

    def require(self, need: Need, reason: EngineMessage) -> None:
        if not self.given(need):
            request = ConsentRequest(self.consent(need), self.resolved.name, reason)
            raise ConsentNeeded("consent_needed", request, reason=reason)


def _model_class(config: dict, kind: str):
    if kind == "encoder-decoder":
        return transformers.AutoModelForSeq2SeqLM
    if kind == "decoder":
        return transformers.AutoModelForCausalLM
    architectures = " ".join(config.get("architectures") or [])
    if "ForPreTraining" in architectures:
        return transformers.AutoModelForPreTraining
    if "ForMaskedLM" in architectures or not architectures:
        return transformers.AutoModelForMaskedLM
    return transformers.AutoModel  # a bare encoder (e.g. sentence embeddings): attention, no predictions


def _max_positions(config) -> int | None:
    for name in ("max_position_embeddings", "n_positions", "n_ctx", "max_seq_len"):
        value = getattr(config, name, None)
        if isinstance(value, int) and 0 < value < 10**7:
            return value
    return None  # relative positions (T5): no hard limit


def _probe_inputs(kind: str, device: torch.device, decoder_start: int | None) -> dict[str, torch.Tensor]:
    """Eight tokens (and two decoder tokens) to run through the model once when it loads (Funnel pools
    the sequence: two tokens are too few for its eager path)."""
    inputs = {"input_ids": torch.arange(1, 9, device=device)[None]}
    if kind == "encoder-decoder":
        inputs["decoder_input_ids"] = torch.tensor([[decoder_start or 0, 1]], device=device)
    return inputs


def _probe(
    model, kind: str, device: torch.device, decoder_start: int | None, discovery: capture.Discovery
) -> tuple[dict, dict]:
    """Find every attention call of one forward and its stack."""
    with torch.inference_mode(), capture.recording(discovery):
        model(**_probe_inputs(kind, device, decoder_start))
    if not discovery.seen:
        raise ModelLoadError("no_capturable_attention", architecture=type(model).__name__)
    return capture.map_sites(model, discovery.seen, kind)


def load_model(spec: str, options: LoadOptions | None = None, progress: Progress | None = None) -> LoadedModel:
    """Load a model by catalog name, folder, .gguf file or hub id (hub only when online).

    Changes no process-wide state: whoever starts the engine calls `set_threads`, and whoever
    keeps a recent list adds `recent_path` to it.
    """
    options = options or LoadOptions()
    report = progress or (lambda message, fraction: None)
    device = pick_device(options.device)
    if options.device_map not in (None, "auto"):
        raise ModelLoadError("unknown_device_map", value=repr(options.device_map))
    dtype = pick_dtype(options.dtype, device)
    started = time.perf_counter()
    report(message("finding_model", spec=spec), 0.0)
    resolved = resolve_model(spec, progress=progress)
    folder = Path(resolved.path)
    local = folder.is_dir()
    consents = _Consents(resolved, options)
    trust, pickled = False, False
    if local:
        config_dict = _read_config(folder)
        pickled = _check_weights(folder, consents)
        if _needs_own_code(config_dict):
            consents.require("remote_code", _code_refusal(spec, folder, config_dict))
            trust = True
        _check_model_type(folder, config_dict, trust)
        _check_fits(spec, folder, config_dict, dtype, device, replace(options, allow_pickle=pickled))
    else:  # a hub id: what it needs shows only once transformers has read its config
        trust, pickled = consents.given("remote_code"), consents.given("pickle")
    try:
        config = AutoConfig.from_pretrained(resolved.path, trust_remote_code=trust)
    except Exception as exc:  # noqa: BLE001 - transformers raises many kinds here; the message says which
        if not local and "trust_remote_code" in str(exc):
            consents.require("remote_code", message("hub_remote_code", model=spec, error=first_line(exc)))
        raise ModelLoadError("config_unreadable", model=spec, error=first_line(exc)) from None
    if not local:
        config_dict = config.to_dict()
    _check_counts(config, spec)
    kind = model_kind(config_dict, ask_transformers=True)
    cls = _model_class(config_dict, kind)

    report(message("loading_weights", model=resolved.name, kind=kind), 0.3)
    transformers.utils.logging.disable_progress_bar()  # we report progress ourselves
    try:
        tokenizer = AutoTokenizer.from_pretrained(resolved.path, trust_remote_code=trust)
        model, loading_info = cls.from_pretrained(
            resolved.path,
            dtype=dtype,
            attn_implementation="eager",  # wrap_model switches to ours where the architecture allows it
            trust_remote_code=trust,
            use_safetensors=None if pickled else True,
            output_loading_info=True,  # which tensors it filled at random: refused below unless allowed
            ignore_mismatched_sizes=True,  # reported in loading_info (and refused) instead of a bare RuntimeError
            **({"device_map": options.device_map} if options.device_map else {}),
        )
    except MemoryError:
        raise ModelLoadError("model_too_big", model=spec) from None
    except Exception as exc:  # noqa: BLE001 - any failure of the weights' load is the user's model's: say so
        raise ModelLoadError("model_unloadable", model=spec, error=first_line(exc)) from None
    parts = [name for name, _ in model.named_children()] + [getattr(model, "base_model_prefix", "") or ""]
    mismatch = unmatched(loading_info, [part for part in parts if part])
    if mismatch and not consents.given("unmatched_weights"):
        del model  # refused: its memory goes before the user is asked
        consents.require(
            "unmatched_weights",
            message("weights_unmatched", model=spec, mismatch=mismatch.describe()),
        )
    try:
        if not options.device_map:  # accelerate placed the layers already
            model.to(device)
        model.eval()
        loaded = wrap_model(model, tokenizer, name=resolved.name, path=resolved.path, kind=kind)
        used = ("remote_code",) * trust + ("pickle",) * pickled + ("unmatched_weights",) * bool(mismatch)
        loaded.info = replace(loaded.info, random_weights=mismatch.random, consented=used)
    except ModelLoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a config transformers accepted but the model cannot run with
        raise ModelLoadError("model_does_not_run", model=spec, error=first_line(exc)) from None
    loaded.recent_path = _recent_path(spec, resolved)
    report(message("model_loaded", model=resolved.name, seconds=f"{time.perf_counter() - started:.1f}"), 1.0)
    return loaded


def _code_refusal(spec: str, folder: Path, config: dict) -> EngineMessage:
    shipped = sorted(p.name for p in folder.glob("*.py")) or ["code named in config.json's auto_map"]
    return message(
        "remote_code_refused",
        model=spec,
        folder=str(folder),
        files=", ".join(shipped),
        model_type=repr(config.get("model_type")),
    )


def _gpu_free(device: torch.device, spread: bool) -> int:
    """Free bytes on the GPU the model goes to, or on every GPU when accelerate spreads it (whatever `device`)."""
    if not torch.cuda.is_available() or not (spread or device.type == "cuda"):
        return 0
    indices = range(torch.cuda.device_count()) if spread else [device.index or 0]
    return sum(torch.cuda.mem_get_info(i)[0] for i in indices)


def _check_fits(
    spec: str, folder: Path, config: dict, dtype: torch.dtype, device: torch.device, options: LoadOptions
) -> None:
    """Refuse, before reading any weight, a model whose weights and attention fit neither RAM nor GPU + RAM."""
    spread = options.device_map == "auto"
    needed = estimate(folder, config, str(dtype).removeprefix("torch."), options.tokens, options.allow_pickle)
    why = shortfall(needed, available_memory(), _gpu_free(device, spread), device.type == "cuda", spread)
    if why is None:
        return
    advice = message("advice_smaller" if spread else "advice_smaller_or_spread")
    raise ModelLoadError("model_does_not_fit", model=spec, why=why, advice=advice)


def _recent_path(spec: str, resolved: ResolvedModel) -> str | None:
    """Folders and .gguf files the user opened belong in the recent list; catalog names don't."""
    if resolved.source in ("folder", "recent"):
        return resolved.path
    if spec.endswith(".gguf"):
        return str(Path(spec).expanduser().resolve())
    return None


def wrap_model(model, tokenizer, name: str = "model", path: str = "", kind: str | None = None) -> LoadedModel:
    """Switch an already built model to the capturing attention and describe it (tests build models in code)."""
    if kind is None:
        kind = model_kind(model.config.to_dict(), ask_transformers=True)
    if model.config._attn_implementation != capture.IMPLEMENTATION:
        verbosity = transformers.utils.logging.get_verbosity()
        transformers.utils.logging.set_verbosity_error()  # "does not support setting its attention": handled below
        try:
            model.set_attn_implementation(capture.IMPLEMENTATION)
        except (ValueError, KeyError):
            pass  # it keeps its own attention code: captured by `legacy_capture`
        finally:
            transformers.utils.logging.set_verbosity(verbosity)
    model.eval()
    config = model.config
    decoder_start = getattr(config, "decoder_start_token_id", None)
    if decoder_start is None and kind == "encoder-decoder":
        decoder_start = config.pad_token_id if config.pad_token_id is not None else config.bos_token_id
    device = next(model.parameters()).device
    unsupported: dict[str, EngineMessage] = {}
    if model.config._attn_implementation == capture.IMPLEMENTATION:
        sites, shapes = _probe(model, kind, device, decoder_start, capture.Discovery())
    else:
        sites, shapes, unsupported = _legacy_probe(model, kind, device, decoder_start)

    eos: set[int] = set()
    for source in (config, getattr(model, "generation_config", None)):
        value = getattr(source, "eos_token_id", None)
        eos.update([value] if isinstance(value, int) else (value or []))
    if tokenizer.eos_token_id is not None and kind != "encoder":
        eos.add(tokenizer.eos_token_id)

    head_names = {n for n, _ in model.named_children()}
    architecture = type(model).__name__
    has_mlm = kind == "encoder" and getattr(model, "get_output_embeddings", lambda: None)() is not None
    has_nsp = kind == "encoder" and "ForPreTraining" in architecture and "cls" in head_names
    stacks = tuple(
        StackInfo(name=stack, layers=layers, heads=heads, causal=(stack == "decoder"))
        for stack, (layers, heads) in shapes.items()
    )
    info = ModelInfo(
        name=name,
        path=path,
        kind=kind,  # type: ignore[arg-type]  # asked of transformers, model_kind is never "unknown"
        architecture=architecture,
        device=_placement(model, device),
        dtype=str(next(model.parameters()).dtype).removeprefix("torch."),
        stacks=stacks,
        has_mlm_head=bool(has_mlm and tokenizer.mask_token_id is not None),
        has_nsp_head=has_nsp,
        can_generate=kind != "encoder" and model.get_output_embeddings() is not None,
        mask_token=tokenizer.mask_token,
        max_positions=_max_positions(config),
        vocab_size=int(model.get_input_embeddings().num_embeddings),
        parameters=sum(p.numel() for p in model.parameters()),
        unsupported=tuple(sorted(unsupported.items())),
    )
    return LoadedModel(model, tokenizer, info, sites, frozenset(eos), decoder_start)


def _placement(model, device: torch.device) -> str:
    """Where the weights are: one device, or every device accelerate spread them over ("cuda:0 + cpu")."""
    placed = getattr(model, "hf_device_map", None) or {}
    devices = {f"cuda:{d}" if isinstance(d, int) else str(d) for d in placed.values()}
    return " + ".join(sorted(devices)) if len(devices) > 1 else str(device)


UNCHECKED_LEGACY = {"fsmt"}  # captured through hooks, but the stored decoder rows differ from eager (README)


def _legacy_probe(model, kind: str, device: torch.device, decoder_start: int | None) -> tuple[dict, dict, dict]:
    """Hook a model whose attention is its own code (`legacy_capture`), then probe it like any other;
    also returns feature -> why it is unsupported."""
    if getattr(model.config, "model_type", "") in UNCHECKED_LEGACY:
        raise ModelLoadError("capture_mismatch", architecture=type(model).__name__)
    inputs = _probe_inputs(kind, device, decoder_start)
    with torch.inference_mode():
        found = legacy_capture.find_sites(model, lambda m: m(**inputs, output_attentions=True))
    if not found:
        raise ModelLoadError("attention_not_capturable", architecture=type(model).__name__)
    if kind == "encoder" and not all(site.square for site in found):
        raise ModelLoadError("pooling_architecture", architecture=type(model).__name__)
    legacy_capture.install(model, found, bidirectional=kind == "encoder")
    probe = legacy_capture.Probe()
    sites, shapes = _probe(model, kind, device, decoder_start, probe)
    return sites, shapes, legacy_capture.unsupported(found, probe)
