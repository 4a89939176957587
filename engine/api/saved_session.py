"""Session files (`.attnlab`): a run as data — model identity, texts, masks, sampling, generated ids.

Replaying one recreates everything else (tokens, attention, candidates). The format is JSON,
documented in docs/session-format.md; `SCHEMA_VERSION` goes up whenever a reader of the previous
version would misread a new file. Imports neither torch nor Qt: the GUI reads and writes these too.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.gguf_identity import content_key
from attnlab.engine.api.messages import message
from attnlab.engine.api.results import Masks

FORMAT = "attnlab-session"
SCHEMA_VERSION = 2  # 2 added "when_generated"; files of version 1 read as before (without it)
SUFFIX = ".attnlab"
MAX_FILE_BYTES = 64 * 1024 * 1024  # a session is a few kB; anything near this is not one
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".gguf", ".h5", ".msgpack")
_STACKS = ("encoder", "decoder", "cross")


class SessionFileError(EngineError):
    """A session file that cannot be read: the message says what is wrong and what to do."""


@dataclass(frozen=True)
class ModelRef:
    """Which model a session ran on."""

    name: str  # what the user picked: catalog name, folder, .gguf file or hub id (load_model takes it)
    path: str = ""  # where the weights were read from ("" unknown)
    kind: str = ""  # "encoder" | "decoder" | "encoder-decoder" ("" unknown)
    weights_sha256: str | None = None  # weights_hash(path) when saved; None: not a local model
    device: str = "auto"  # as asked for (LoadOptions.device): bit-identical replays need the same
    dtype: str = "auto"  # as asked for (LoadOptions.dtype)


@dataclass(frozen=True)
class WhenGenerated:
    """What one generated token was chosen from when it was generated (before later masks changed it)."""

    token_id: int  # the token taken (a mismatch with `generated` means the entry is of another run: ignored)
    prob: float | None  # its probability then (None: unknown)
    candidates: tuple[tuple[int, float], ...] = ()  # (token id, probability) of the top-k then, best first


@dataclass(frozen=True)
class SessionData:
    model: ModelRef
    text: str = ""  # the input (encoders), prompt (decoders) or decoder prefix (encoder-decoders)
    source: str | None = None  # encoder-decoders: the input to transform
    masks: Masks = Masks()
    sampling: SamplingConfig = SamplingConfig()  # its seed included
    generated: tuple[int, ...] = ()  # every generated token id, in order
    branches: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (name, generated ids) of every branch kept
    current_branch: int = 0  # the branch `generated` follows (it may stop short of its end: redo)
    when_generated: tuple[WhenGenerated, ...] = ()  # per generated token, in order (may be shorter: unknown)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)  # unknown top-level keys, kept as read


def weights_hash(path: str | os.PathLike[str]) -> str | None:
    """sha256 (hex) over a model's weight files (a folder's, or one .gguf/.safetensors file); None
    when `path` is not on this disk (a hub id) or holds no weights.

    Each file counts by name and `gguf_identity.content_key` (size, its first MB, evenly spaced
    samples of the rest): a changed or re-trained weight file changes it, without reading
    gigabytes each time a session is saved.
    """
    location = Path(path).expanduser()
    if location.is_file():
        files = [location]
    elif location.is_dir():
        files = sorted(p for p in location.iterdir() if p.is_file() and p.name.endswith(WEIGHT_SUFFIXES))
    else:
        return None
    if not files:
        return None
    digest = hashlib.sha256()
    for file in files:
        digest.update(f"{file.name}\0{content_key(file)}\0".encode())
    return digest.hexdigest()


def model_spec(ref: ModelRef) -> str:
    """What to load for a session: its name, or the folder it was read from when the name no
    longer resolves here (a relative path saved elsewhere, a renamed catalog entry)."""
    if not Path(ref.name).expanduser().exists() and ref.path and Path(ref.path).exists():
        return ref.path
    return ref.name


# -- writing ----------------------------------------------------------------------------------


def to_json(session: SessionData) -> dict[str, Any]:
    """The file's content as plain JSON values (docs/session-format.md)."""
    masks = session.masks
    sampling = asdict(session.sampling)
    return {
        **session.extra,
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "attnlab_version": _version(),
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": asdict(session.model),
        "text": session.text,
        "source": session.source,
        "masks": {
            "mask_positions": sorted(masks.mask_positions),
            "knockouts": [list(k) for k in sorted(masks.knockouts)],
            "ablated_heads": [list(h) for h in sorted(masks.ablated_heads)],
        },
        "sampling": sampling,
        "generated": [int(t) for t in session.generated],
        "branches": [{"name": name, "tokens": [int(t) for t in tokens]} for name, tokens in session.branches],
        "current_branch": session.current_branch,
        "when_generated": [
            {
                "token": int(w.token_id),
                "prob": None if w.prob is None else float(w.prob),
                "candidates": [[int(t), float(p)] for t, p in w.candidates],
            }
            for w in session.when_generated
        ],
    }


def write_session(session: SessionData, path: str | os.PathLike[str]) -> Path:
    """Write atomically (a temporary file beside it, flushed to disk, then renamed): a crash or a
    power cut leaves the old file or the new one, never half of one."""
    target = Path(path).expanduser()
    if not target.parent.is_dir():
        raise SessionFileError("session_folder_missing", folder=str(target.parent))
    text = json.dumps(to_json(session), indent=2, ensure_ascii=False) + "\n"
    short = target.name.encode()[:200].decode(errors="ignore")  # a 250-byte name plus the temporary's affixes > 255
    handle, temporary = tempfile.mkstemp(prefix=f".{short}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


# -- reading ----------------------------------------------------------------------------------


def read_session(path: str | os.PathLike[str]) -> SessionData:
    """Read and check a session file; SessionFileError says what is wrong with a bad, foreign or newer one."""
    source = Path(path).expanduser()
    raw = read_capped(source, MAX_FILE_BYTES)
    name = source.name
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SessionFileError("session_not_utf8", name=name, error=str(error)) from None
    return from_json(parse_json(text, name), name)


def read_capped(source: Path, cap: int) -> bytes:
    """The bytes of a regular file, at most `cap` of them, never blocking.

    `stat` can lie: a FIFO or a device (a symlink to /dev/zero) says size 0 and never ends, and a
    file can grow between stat and read. So only a regular file is opened (checked before opening,
    and again on the open descriptor, opened non-blocking so a FIFO swapped in meanwhile cannot
    hang), and at most cap + 1 bytes are read whatever stat said.
    """
    try:
        kind = _file_kind(os.stat(source).st_mode)
        if kind == "folder":
            raise SessionFileError("session_path_is_folder", path=str(source))
        if kind:
            raise SessionFileError("session_not_regular", path=str(source), kind=kind)
        handle = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise SessionFileError("session_file_missing", path=str(source)) from None
    except OSError as error:
        raise SessionFileError(
            "session_file_unreadable", path=str(source), error=str(error.strerror or error)
        ) from None
    try:
        kind = _file_kind(os.fstat(handle).st_mode)
        if kind:  # replaced between the check and the open
            raise SessionFileError("session_not_regular", path=str(source), kind=kind)
        chunks, total = [], 0
        while total <= cap:
            chunk = os.read(handle, min(1 << 20, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise SessionFileError(
            "session_file_unreadable", path=str(source), error=str(error.strerror or error)
        ) from None
    finally:
        os.close(handle)
    if total > cap:
        raise SessionFileError("session_file_too_big", name=source.name, size=f"{cap / 2**20:.0f} MiB")
    return b"".join(chunks)


def _file_kind(mode: int) -> str:
    """What a non-regular file is, in words ("" for a regular file)."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


MAX_DEPTH = 32  # a session nests objects and lists 3 deep; more is not one
_INT_LIMIT = 2**63  # every integer a session holds fits a signed 64-bit integer


def parse_json(text: str, name: str) -> Any:
    """JSON with limits: integers within 64 bits, no NaN or Infinity, nesting at most MAX_DEPTH deep."""

    def integer(digits: str) -> int:
        if len(digits.lstrip("-")) > 19 or not -_INT_LIMIT <= int(digits) < _INT_LIMIT:
            shown = digits if len(digits) <= 24 else f"{digits[:12]}… ({len(digits.lstrip('-'))} digits)"
            raise SessionFileError("session_damaged", name=name, what=message("session_integer_too_big", value=shown))
        return int(digits)

    def constant(word: str) -> Any:
        raise SessionFileError("session_not_a_json_number", name=name, word=word)

    try:
        data = json.loads(text, parse_int=integer, parse_constant=constant)
    except json.JSONDecodeError as error:
        raise SessionFileError("session_not_json", name=name, error=str(error)) from None
    except RecursionError:
        raise SessionFileError("session_json_too_deep", name=name) from None
    if _depth(data, name) > MAX_DEPTH:
        raise SessionFileError("session_json_deeper_than", name=name, depth=MAX_DEPTH)
    return data


def _depth(data: Any, name: str) -> int:
    """How deep lists and objects nest (iteratively: a deep file must not exhaust the stack here either).
    Also refuses text that cannot be written back (a lone surrogate, "\\ud800"): the autosave would fail."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, str):
            _check_text(value, name)
        elif isinstance(value, (list, dict)):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            if isinstance(value, dict):
                stack.extend((key, level) for key in value)
            stack.extend((item, level + 1) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


def _check_text(text: str, name: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = text[error.start : error.end].encode("unicode_escape").decode()
        raise SessionFileError("session_lone_surrogate", name=name, text=bad) from None


def from_json(data: Any, name: str = "the session") -> SessionData:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionFileError("session_wrong_format", name=name, format=FORMAT)
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SessionFileError("session_no_schema_version", name=name)
    if version > SCHEMA_VERSION:
        raise SessionFileError(
            "session_too_new",
            name=name,
            writer=str(data.get("attnlab_version", "?")),
            version=version,
            reader=_version(),
            supported=SCHEMA_VERSION,
        )
    reader = _Reader(name)
    model = reader.section(data, "model")
    ref = ModelRef(
        name=reader.string(model, "model.name", required=True),
        path=reader.string(model, "model.path"),
        kind=reader.string(model, "model.kind"),
        weights_sha256=reader.optional_string(model, "model.weights_sha256"),
        device=reader.string(model, "model.device") or "auto",
        dtype=reader.string(model, "model.dtype") or "auto",
    )
    known = {
        "format",
        "schema_version",
        "attnlab_version",
        "saved_at",
        "model",
        "text",
        "source",
        "masks",
        "sampling",
        "generated",
        "branches",
        "current_branch",
        "when_generated",
    }
    branches = reader.branches(data.get("branches", []))
    current = data.get("current_branch", 0)
    if not isinstance(current, int) or isinstance(current, bool) or not 0 <= current < max(len(branches), 1):
        raise reader.fail(f'"current_branch" must be the index of one of its {len(branches)} branches')
    return SessionData(
        model=ref,
        text=reader.string(data, "text"),
        source=reader.optional_string(data, "source"),
        masks=reader.masks(data.get("masks", {})),
        sampling=reader.sampling(data.get("sampling", {})),
        generated=tuple(reader.ints(data.get("generated", []), "generated", minimum=0)),
        branches=branches,
        current_branch=current,
        when_generated=reader.when_generated(data.get("when_generated", [])),
        extra={key: value for key, value in data.items() if key not in known},
    )


class _Reader:
    """Typed reads with errors that name the file and the field."""

    def __init__(self, name: str):
        self.name = name

    def fail(self, what: str) -> SessionFileError:
        return SessionFileError("session_damaged", name=self.name, what=what)

    def section(self, data: dict, key: str) -> dict:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.fail(f'"{key}" must be an object')
        return value

    def string(self, data: dict, key: str, required: bool = False) -> str:
        value = data.get(key.split(".")[-1], None if required else "")
        if not isinstance(value, str) or (required and not value):
            raise self.fail(f'"{key}" must be {"a non-empty" if required else "a"} string')
        return value

    def optional_string(self, data: dict, key: str) -> str | None:
        value = data.get(key.split(".")[-1])
        if value is not None and not isinstance(value, str):
            raise self.fail(f'"{key}" must be a string or null')
        return value

    def listed(self, data: dict, key: str, name: str) -> list:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f'"{name}" must be a list')
        return value

    def ints(self, value: Any, key: str, minimum: int | None = None) -> list[int]:
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise self.fail(f'"{key}" must be a list of integers')
        if minimum is not None and any(v < minimum for v in value):
            raise self.fail(f'"{key}" holds a number below {minimum}')
        return value

    def branches(self, value: Any) -> tuple[tuple[str, tuple[int, ...]], ...]:
        if not isinstance(value, list):
            raise self.fail('"branches" must be a list')
        out = []
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise self.fail(f'a branch must be {{"name": text, "tokens": [ids]}}, got {item!r}')
            out.append((item["name"], tuple(self.ints(item.get("tokens", []), "branches.tokens", minimum=0))))
        return tuple(out)

    def probability(self, value: Any, key: str) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or not 0 <= value <= 1:
            raise self.fail(f'"{key}" must be a probability between 0 and 1')
        return float(value)

    def when_generated(self, value: Any) -> tuple[WhenGenerated, ...]:
        if not isinstance(value, list):
            raise self.fail('"when_generated" must be a list')
        out = []
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get("candidates", []), list):
                raise self.fail(f'a "when_generated" entry must be {{"token", "prob", "candidates"}}, got {item!r}')
            token = self.ints([item.get("token")], "when_generated.token", minimum=0)[0]
            prob = item.get("prob")
            candidates = []
            for pair in item.get("candidates", []):
                if not (isinstance(pair, list) and len(pair) == 2):
                    raise self.fail(f'a "when_generated" candidate must be [token id, probability], got {pair!r}')
                candidates.append(
                    (
                        self.ints(pair[:1], "when_generated.candidates", minimum=0)[0],
                        self.probability(pair[1], "when_generated.candidates"),
                    )
                )
            out.append(
                WhenGenerated(
                    token, None if prob is None else self.probability(prob, "when_generated.prob"), tuple(candidates)
                )
            )
        return tuple(out)

    def masks(self, value: Any) -> Masks:
        if not isinstance(value, dict):
            raise self.fail('"masks" must be an object')
        knockouts = []
        for item in self.listed(value, "knockouts", "masks.knockouts"):
            if not (isinstance(item, list) and len(item) == 2 and item[0] in ("encoder", "decoder")):
                raise self.fail(f'a knock-out must be ["encoder" or "decoder", position], got {item!r}')
            knockouts.append((item[0], self.ints(item[1:], "masks.knockouts", minimum=0)[0]))
        heads = []
        for item in self.listed(value, "ablated_heads", "masks.ablated_heads"):
            if not (isinstance(item, list) and len(item) == 3 and item[0] in _STACKS):
                raise self.fail(f"an ablated head must be [stack, layer, head], got {item!r}")
            layer, head = self.ints(item[1:], "masks.ablated_heads", minimum=0)
            heads.append((item[0], layer, head))
        return Masks(
            mask_positions=frozenset(self.ints(value.get("mask_positions", []), "masks.mask_positions", minimum=0)),
            knockouts=frozenset(knockouts),
            ablated_heads=frozenset(heads),
        )

    def sampling(self, value: Any) -> SamplingConfig:
        if not isinstance(value, dict):
            raise self.fail('"sampling" must be an object')
        default = SamplingConfig()
        types = {
            "greedy": bool,
            "temperature": float,
            "top_k": int,
            "top_p": float,
            "seed": int,
            "candidates": int,
            "max_new_tokens": int,
        }
        fields: dict[str, Any] = {}
        for key, kind in types.items():
            item = value.get(key, getattr(default, key))
            if key == "seed" and item is None:
                fields[key] = None
                continue
            ok = isinstance(item, kind) or (kind is float and isinstance(item, int))
            if not ok or (kind is not bool and isinstance(item, bool)):
                raise self.fail(f'"sampling.{key}" must be {"true/false" if kind is bool else "a number"}')
            if isinstance(item, float) and not math.isfinite(item):
                raise self.fail(f'"sampling.{key}" must be finite')
            fields[key] = kind(item)
        try:
            return SamplingConfig(**fields)
        except ValueError as error:
            raise self.fail(f"its sampling settings are invalid: {error}") from None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("attnlab")
    except PackageNotFoundError:
        return "unknown"
