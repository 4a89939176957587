"""Turn a .gguf file into an ordinary safetensors model folder, once.

transformers can read a GGUF directly, but it dequantises every tensor on each load
(about 30 s for a 135M model on two CPU cores). Converting once into the user's cache
makes every later load a plain `from_pretrained(folder)` that takes about a second.

Weights are written in float32: the dequantised GGUF values are exact in float32 (not in
bfloat16), and float32 is what the engine computes in on the CPU.

torch and transformers are imported inside the functions, so the catalog can import this
module (for `converted_folder`) without paying for them.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import shutil
import struct
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from attnlab.engine.api.config import Progress
from attnlab.engine.api.errors import ModelLoadError
from attnlab.engine.api.gguf_identity import content_key
from attnlab.engine.api.messages import message
from attnlab.engine.api.user_dirs import cache_dir
from attnlab.engine.models.model_folder import read_json

SOURCE_FILE = "attnlab_source.json"  # written into each converted folder: where it came from
WEIGHTS_FILE = "model.safetensors"
SCRATCH_PATTERN = re.compile(r"\.(\d+)\.[a-z0-9_]+\.tmp$")  # .<target>.<pid>.<random>.tmp
ABANDONED_AFTER_S = 3600  # a scratch folder nobody wrote to for this long belongs to a dead conversion


def converted_root() -> Path:
    return cache_dir() / "converted"


def converted_folder(gguf_path: str | os.PathLike[str]) -> Path:
    """Where `convert_gguf` puts (or has put) this file: named after its content, not its path.

    The same file installed in two virtualenvs maps to one folder, so it is converted (and stored) once.
    """
    path = Path(gguf_path).expanduser().resolve()
    return converted_root() / f"{path.stem}-{content_key(path)[:12]}"


def is_converted(folder: Path) -> bool:
    """A finished conversion: folders only appear by an atomic rename, so the files are complete."""
    return (folder / "config.json").is_file() and (folder / WEIGHTS_FILE).is_file()


def convert_gguf(gguf_path: str | os.PathLike[str], progress: Progress | None = None) -> Path:
    """Convert a .gguf once into a safetensors folder in the cache and return that folder.

    A second call for the same file (same content, wherever it lies) returns at once. The
    folder is built under a temporary name and renamed into place, so an interrupted
    conversion never leaves a half-written model behind; scratch folders of conversions
    that died anyway are removed here.
    """
    report = progress or (lambda message, fraction: None)
    source = _check_gguf_file(gguf_path)
    target = converted_folder(source)
    if is_converted(target):
        report(message("using_converted_copy", file=source.name), 1.0)
        return target

    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_scratch(target.parent)
    if target.exists():  # left by hand in a broken state: rebuild it
        shutil.rmtree(target, ignore_errors=True)
    if _adopt_path_keyed_copy(source, target):
        report(message("using_converted_copy", file=source.name), 1.0)
        return target
    _check_dependencies()

    prefix = f".{target.name}.{os.getpid()}."  # the pid tells others whether the conversion still runs
    scratch = Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=target.parent))
    _chmod_like_mkdir(scratch)
    try:
        _convert_into(source, scratch, report)
        _publish(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report(message("gguf_converted", file=source.name), 1.0)
    return target


def _remove_abandoned_scratch(root: Path) -> None:
    """Delete half-written conversions: scratch folders whose process has exited, or untouched for an hour."""
    for folder in root.glob(".*.tmp"):
        if folder.is_dir() and _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)


def _abandoned(scratch: Path) -> bool:
    owner = SCRATCH_PATTERN.search(scratch.name)
    if owner is not None and not _running(int(owner.group(1))):
        return True
    try:
        last_write = max(path.stat().st_mtime for path in (scratch, *scratch.iterdir()))
    except OSError:  # vanished meanwhile: its owner cleaned up
        return False
    return time.time() - last_write > ABANDONED_AFTER_S


def _running(pid: int) -> bool:
    """Whether a process with this id exists on this machine (assumed on Windows: no cheap test there)."""
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process there
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # gone, or no pid at all
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _adopt_path_keyed_copy(source: Path, target: Path) -> bool:
    """Move a conversion of this very file into place instead of converting again.

    Older versions named the folder after the file's path, size and mtime, which its provenance
    still records: a folder that matches all three was made from exactly this file.
    """
    stat = source.stat()
    this_file = [str(source), stat.st_size, stat.st_mtime_ns]
    for folder in target.parent.glob(f"{source.stem}-*"):
        provenance = read_json(folder / SOURCE_FILE)
        made_from = [provenance.get("gguf_path"), provenance.get("gguf_size"), provenance.get("gguf_mtime_ns")]
        if made_from == this_file and folder != target and is_converted(folder):
            try:
                os.rename(folder, target)
            except OSError:  # another process adopted it first, or the folder is in use
                return is_converted(target)
            return True
    return False


def _check_gguf_file(gguf_path: str | os.PathLike[str]) -> Path:
    path = Path(gguf_path).expanduser()
    if not path.exists():
        raise ModelLoadError("gguf_missing", path=str(path))
    if not path.is_file() or path.suffix.lower() != ".gguf":
        raise ModelLoadError("not_a_gguf", path=str(path))
    return path.resolve()


def _check_dependencies() -> None:
    for module, package in (("gguf", "gguf"), ("accelerate", "accelerate")):
        if importlib.util.find_spec(module) is None:
            raise ModelLoadError("gguf_package_missing", package=package)


def _convert_into(source: Path, folder: Path, report: Progress) -> None:
    """Dequantise `source` with transformers and save model, tokenizer and provenance into `folder`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    where, name = str(source.parent), source.name
    try:
        with _no_progress_bar():
            report(message("reading_gguf_tokenizer", file=name), 0.0)
            tokenizer = AutoTokenizer.from_pretrained(where, gguf_file=name)
            report(message("dequantising_gguf", file=name), 0.3)
            model = AutoModelForCausalLM.from_pretrained(
                where, gguf_file=name, dtype=torch.float32, **_dequantize_kwargs()
            )
    except (struct.error, EOFError) as error:  # the reader ran past the end of the file
        raise ModelLoadError("gguf_truncated", path=str(source), size=f"{source.stat().st_size:,}") from error
    except (OSError, ValueError, KeyError, RuntimeError, NotImplementedError) as error:
        if "cannot reshape array" in str(error):  # a tensor's bytes stop short: the file ends early
            raise ModelLoadError("gguf_truncated", path=str(source), size=f"{source.stat().st_size:,}") from error
        raise ModelLoadError("gguf_unreadable", path=str(source), error=str(error)) from error

    report(message("writing_safetensors"), 0.8)
    _forget_quantization(model)
    try:
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
    except OSError as error:
        raise ModelLoadError(
            "gguf_unwritable", folder=str(folder.parent), error=str(error), mib=4 * model.num_parameters() // 2**20
        ) from error

    report(message("checking_gguf_conversion"), 0.9)
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


@contextmanager
def _no_progress_bar() -> Iterator[None]:
    """transformers' GGUF reader draws its own tqdm bar on stderr, which `disable_progress_bar` does not
    reach; the conversion reports its progress through `report` instead, so the bar is turned off."""
    try:
        from transformers import modeling_gguf_pytorch_utils as gguf_utils
    except ImportError:
        yield
        return
    bar = getattr(gguf_utils, "tqdm", None)
    if bar is None:
        yield
        return
    gguf_utils.tqdm = functools.partial(bar, disable=True)
    try:
        yield
    finally:
        gguf_utils.tqdm = bar


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
        raise ModelLoadError("gguf_conversion_differs", difference=f"{worst:.3g}")


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
