"""Turn a .gguf file into an ordinary safetensors model folder, once.

transformers can read a GGUF directly, but it dequantises every tensor on each load
(about 30 s for a 135M model on two CPU cores). Converting once into the user's cache
makes every later load a plain `from_pretrained(folder)` that takes about a second.

Weights are written in float32: the dequantised GGUF values are exact in float32 (not in
bfloat16), and float32 is what the engine computes in on the CPU.

torch and transformers are imported inside the functions, so the catalog can import this
module (for `cache_dir` and `converted_folder`) without paying for them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from engine.errors import ModelLoadError

Progress = Callable[[str, float], None]  # (stage message, fraction done in [0, 1])

SOURCE_FILE = "attnlab_source.json"  # written into each converted folder: where it came from
WEIGHTS_FILE = "model.safetensors"


def cache_dir() -> Path:
    """$ATTNLAB_CACHE, else $XDG_CACHE_HOME/attnlab, else ~/.cache/attnlab (not created here)."""
    if os.environ.get("ATTNLAB_CACHE"):
        return Path(os.environ["ATTNLAB_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "attnlab"


def converted_root() -> Path:
    return cache_dir() / "converted"


def converted_folder(gguf_path: str | os.PathLike[str]) -> Path:
    """Where `convert_gguf` puts (or has put) this file: keyed by path, size and mtime."""
    path = Path(gguf_path).expanduser().resolve()
    stat = path.stat()
    key = f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()
    digest = hashlib.sha256(key).hexdigest()[:12]
    return converted_root() / f"{path.stem}-{digest}"


def is_converted(folder: Path) -> bool:
    """A finished conversion: folders only appear by an atomic rename, so the files are complete."""
    return (folder / "config.json").is_file() and (folder / WEIGHTS_FILE).is_file()


def convert_gguf(gguf_path: str | os.PathLike[str], progress: Progress | None = None) -> Path:
    """Convert a .gguf once into a safetensors folder in the cache and return that folder.

    A second call for the same file (same path, size and mtime) returns at once. The
    folder is built under a temporary name and renamed into place, so an interrupted
    conversion never leaves a half-written model behind.
    """
    report = progress or (lambda message, fraction: None)
    source = _check_gguf_file(gguf_path)
    target = converted_folder(source)
    if is_converted(target):
        report(f"using the converted copy of {source.name}", 1.0)
        return target
    _check_dependencies()

    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():  # left by hand in a broken state: rebuild it
        shutil.rmtree(target, ignore_errors=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    _chmod_like_mkdir(scratch)
    try:
        _convert_into(source, scratch, report)
        _publish(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report(f"converted {source.name}", 1.0)
    return target


def _check_gguf_file(gguf_path: str | os.PathLike[str]) -> Path:
    path = Path(gguf_path).expanduser()
    if not path.exists():
        raise ModelLoadError(f"{path} does not exist: pick an existing .gguf file.")
    if not path.is_file() or path.suffix.lower() != ".gguf":
        raise ModelLoadError(f"{path} is not a .gguf file: pick a .gguf file or a model folder.")
    return path.resolve()


def _check_dependencies() -> None:
    for module, package in (("gguf", "gguf"), ("accelerate", "accelerate")):
        if importlib.util.find_spec(module) is None:
            raise ModelLoadError(
                f"Reading .gguf files needs the {package} package, which is not installed: "
                f"pip install {package}"
            )


def _convert_into(source: Path, folder: Path, report: Progress) -> None:
    """Dequantise `source` with transformers and save model, tokenizer and provenance into `folder`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    where, name = str(source.parent), source.name
    try:
        report(f"reading the tokenizer from {name} (about 15 s)", 0.0)
        tokenizer = AutoTokenizer.from_pretrained(where, gguf_file=name)
        report(f"dequantising the weights of {name} (about 30 s)", 0.3)
        model = AutoModelForCausalLM.from_pretrained(
            where, gguf_file=name, dtype=torch.float32, **_dequantize_kwargs()
        )
    except (OSError, ValueError, KeyError, RuntimeError, NotImplementedError) as error:
        raise ModelLoadError(
            f"Could not read {source} as a GGUF model ({error}). The file may be damaged, "
            f"or its architecture is one transformers cannot read from GGUF: "
            f"use a safetensors model folder instead."
        ) from error

    report("writing model.safetensors (float32)", 0.8)
    _forget_quantization(model)
    try:
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
    except OSError as error:
        raise ModelLoadError(
            f"Could not write the converted model to {folder.parent} ({error}). Free some disk space "
            f"(about {4 * model.num_parameters() // 2**20} MiB) or set ATTNLAB_CACHE to another folder."
        ) from error

    report("checking the converted model against the GGUF", 0.9)
    _check_same_logits(model, folder)
    stat = source.stat()
    provenance = {
        "gguf_path": str(source),
        "gguf_size": stat.st_size,
        "gguf_mtime_ns": stat.st_mtime_ns,
        "dtype": "float32",
        "seconds": round(time.perf_counter() - started, 1),
    }
    (folder / SOURCE_FILE).write_text(json.dumps(provenance, indent=2) + "\n")


def _dequantize_kwargs() -> dict[str, object]:
    """Ask for plain dense weights even when a GGUF matmul kernel would keep them packed."""
    try:
        from transformers import GgufConfig
    except ImportError:  # older transformers always dequantise GGUF files
        return {}
    return {"quantization_config": GgufConfig(dequantize=True)}


def _forget_quantization(model) -> None:
    """The weights are dense now; drop the GGUF markers so save_pretrained writes a plain checkpoint."""
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


def _check_same_logits(model, folder: Path) -> None:
    """Reload the written folder and compare a short forward pass: a bad folder never gets published."""
    import torch
    from transformers import AutoModelForCausalLM

    vocab = model.config.vocab_size
    ids = torch.tensor([[1, 2, 3, 5, 8, 13, 21, 34]]) % vocab  # [batch, token]
    reloaded = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    with torch.inference_mode():
        expected = model(ids).logits  # [batch, token, vocab]
        actual = reloaded(ids).logits
    if not torch.allclose(expected, actual, atol=1e-4, rtol=1e-4):
        worst = (expected - actual).abs().max().item()
        raise ModelLoadError(
            f"The converted model disagrees with the GGUF (largest logit difference {worst:.3g}); "
            f"this transformers version converts this file badly: load a safetensors folder instead."
        )


def _chmod_like_mkdir(folder: Path) -> None:
    """mkdtemp makes a private (0700) folder; a cache folder is readable like any other (0755).

    Not via os.umask: reading it means setting it, process-wide, while the GUI thread runs.
    """
    os.chmod(folder, 0o755)


def _publish(scratch: Path, target: Path) -> None:
    """Rename the finished folder into place; if another process got there first, keep theirs."""
    try:
        os.rename(scratch, target)
    except OSError:
        if not is_converted(target):
            raise
