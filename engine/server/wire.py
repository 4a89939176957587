"""How requests and results cross the process boundary: a JSON header plus raw array buffers, never pickle.

A message is one JSON header frame followed by one frame per numpy array (or bytes value) it holds, each
sent with `Connection.send_bytes`. The header names every dataclass by its registered name; decoding builds
only registered classes and numeric arrays, so a peer can make the decoder build nothing else (pickle would
let it run any code). Torch-free: the window imports it.

Attention snapshots are the large part of a step's reply (SmolLM2 at 500 tokens: 30 × 9 × 125,250 float16
values, 67 MB). The rows of a causal store never change once written, so a `Sender` remembers which rows of
each stack's buffer the other side already has and sends only the new ones; the `Receiver` keeps a mirror
buffer per stack and writes them in. A step at any length then moves one row per layer and head.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from typing import Any

import numpy as np
from numpy.typing import NDArray

from attnlab.engine.analyses.fingerprints import HeadFingerprints
from attnlab.engine.analyses.head_scores import HeadScores, StackRollout
from attnlab.engine.api import requests
from attnlab.engine.api.attention_store import AttentionSnapshot
from attnlab.engine.api.config import Corruption, LoadOptions, SamplingConfig
from attnlab.engine.api.consent import Consent, ConsentRequest
from attnlab.engine.api.long_summary import LongAttention
from attnlab.engine.api.messages import EngineMessage
from attnlab.engine.api.results import (
    AnalysisResult,
    Attribution,
    Candidate,
    CatalogEntry,
    CellExplanation,
    FlowGraph,
    HeadImportance,
    LensResult,
    LogitAttribution,
    MaskPrediction,
    Masks,
    ModelInfo,
    PatchedRun,
    PatchingResult,
    StackInfo,
    StepResult,
    ValueNorms,
)

MAX_HEADER = 64 * 1024 * 1024  # a header beyond this is refused before it is read
MAX_BUFFERS = 100_000


class WireError(ValueError):
    """A message that does not decode: the peer speaks another version, or is not an attnlab engine."""


def _request_types() -> list[type]:
    found = []
    for value in vars(requests).values():
        if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == requests.__name__:
            if value is requests.Request:
                continue  # the base: never sent itself
            found.append(value)
    return found


# Every dataclass that may cross, by name. New request or result types register here (or call `register`).
REGISTRY: dict[str, type] = {}


def register(*classes: type) -> None:
    for cls in classes:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} is not a dataclass: only dataclasses cross the engine boundary")
        REGISTRY[cls.__name__] = cls


register(
    *_request_types(),
    LoadOptions,
    SamplingConfig,
    AnalysisResult,
    Candidate,
    CatalogEntry,
    CellExplanation,
    HeadImportance,
    LensResult,
    MaskPrediction,
    Masks,
    ModelInfo,
    StackInfo,
    StepResult,
    LongAttention,
    HeadFingerprints,
    HeadScores,
    StackRollout,
    ValueNorms,
    LogitAttribution,
    FlowGraph,
    EngineMessage,  # errors and progress cross as data (code, params), translated by the window
    Consent,
    ConsentRequest,  # what a load that needs the user's yes yields
    Corruption,
    Attribution,
    PatchingResult,
    PatchedRun,
)

_SNAPSHOT = "AttentionSnapshot"


def _packed(rows: int) -> int:
    return rows * (rows + 1) // 2


class Sender:
    """Encodes messages for one connection, remembering which snapshot rows the receiver already holds."""

    def __init__(self, deltas: bool = True):
        self._deltas = deltas
        # stack -> (the engine's buffer, rows the receiver has of it); the buffer is held so its id stays its own
        self._sent: dict[str, tuple[NDArray[np.float16], int]] = {}

    def encode(self, message: object) -> list[Any]:
        """[header bytes, buffer, buffer, ...]: frames for `send_bytes`, in order."""
        buffers: list[Any] = []
        try:
            header = json.dumps(self._value(message, buffers), separators=(",", ":")).encode()
        except Exception:
            self._sent.clear()  # the receiver never sees this message: send whole stacks next time
            raise
        return [header, *buffers]

    def _value(self, value: Any, buffers: list[Any]) -> Any:
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return self._array(value, buffers)
        if isinstance(value, (bytes, bytearray)):
            buffers.append(bytes(value))
            return {"$b": len(buffers) - 1}
        if isinstance(value, tuple):
            return {"$t": [self._value(v, buffers) for v in value]}
        if isinstance(value, list):
            return [self._value(v, buffers) for v in value]
        if isinstance(value, frozenset):
            return {"$f": [self._value(v, buffers) for v in sorted(value, key=repr)]}
        if isinstance(value, dict):
            return {"$d": [[self._value(k, buffers), self._value(v, buffers)] for k, v in value.items()]}
        if isinstance(value, AttentionSnapshot):
            return {"$s": [self._stack(*entry, buffers) for entry in value._buffers]}
        if isinstance(value, threading.Event):
            return None  # a cancel flag stays on its side: cancelling is a message of its own
        cls = type(value)
        if dataclasses.is_dataclass(value) and REGISTRY.get(cls.__name__) is cls:
            fields = {
                f.name: self._value(getattr(value, f.name), buffers)
                for f in dataclasses.fields(value)
                if f.init and not isinstance(getattr(value, f.name), threading.Event)
            }
            return {"$c": cls.__name__, "f": fields}
        raise WireError(f"{cls.__name__} cannot cross the engine boundary: register it in attnlab.engine.server.wire")

    @staticmethod
    def _array(array: NDArray, buffers: list[Any]) -> dict[str, Any]:
        if array.dtype.hasobject:
            raise WireError("arrays of Python objects cannot cross the engine boundary")
        contiguous = np.ascontiguousarray(array)
        buffers.append(contiguous.reshape(-1).view(np.uint8).data if contiguous.size else b"")
        return {"$a": len(buffers) - 1, "dtype": contiguous.dtype.str, "shape": list(contiguous.shape)}

    def _stack(self, name: str, data: NDArray, rows: int, keys: int, causal: bool, buffers: list[Any]) -> Any:
        """One stack of a snapshot: the valid rows only, or only those the receiver lacks."""
        known = self._sent.get(name)
        start = 0
        if self._deltas and known is not None and known[0] is data:
            start = max(0, min(known[1], rows) - 1)  # the last row again: a replaced step rewrites it
        self._sent[name] = (data, rows)
        part = data[:, :, _packed(start) : _packed(rows)] if causal else data[:, :, start:rows, :keys]
        return [name, self._array(part, buffers), start, rows, keys, causal]


class Receiver:
    """Decodes messages of one connection; keeps the mirror of each stack's attention rows."""

    def __init__(self) -> None:
        self._mirrors: dict[str, NDArray[np.float16]] = {}  # stack -> buffer whose valid rows match the sender's

    def decode(self, header: bytes, buffers: list[memoryview]) -> object:
        try:
            tree = json.loads(header)
        except (ValueError, UnicodeDecodeError) as error:
            raise WireError(f"not an engine message: {error}") from error
        return self._value(tree, buffers)

    def _value(self, node: Any, buffers: list[memoryview]) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self._value(v, buffers) for v in node]
        if not isinstance(node, dict) or len(node) == 0:
            raise WireError(f"unexpected {type(node).__name__} in an engine message")
        if "$t" in node:
            return tuple(self._value(v, buffers) for v in node["$t"])
        if "$f" in node:
            return frozenset(self._value(v, buffers) for v in node["$f"])
        if "$d" in node:
            return {self._value(k, buffers): self._value(v, buffers) for k, v in node["$d"]}
        if "$a" in node:
            return self._array(node, buffers)
        if "$b" in node:
            return bytes(self._buffer(node["$b"], buffers))
        if "$s" in node:
            return AttentionSnapshot(tuple(self._stack(entry, buffers) for entry in node["$s"]))
        if "$c" in node:
            cls = REGISTRY.get(node["$c"])
            if cls is None:
                raise WireError(f"unknown type {node['$c']!r} in an engine message: the two ends differ in version")
            fields = {name: self._value(v, buffers) for name, v in node["f"].items()}
            try:
                return cls(**fields)
            except (TypeError, ValueError) as error:  # another version's fields, or values its checks refuse
                raise WireError(f"{node['$c']} does not match this version: {error}") from error
        raise WireError(f"unexpected keys {sorted(node)} in an engine message")

    @staticmethod
    def _buffer(index: Any, buffers: list[memoryview]) -> memoryview:
        if not isinstance(index, int) or not 0 <= index < len(buffers):
            raise WireError(f"an engine message refers to buffer {index!r} of {len(buffers)}")
        return buffers[index]

    def _array(self, node: dict[str, Any], buffers: list[memoryview]) -> NDArray:
        dtype = np.dtype(node["dtype"])
        if dtype.hasobject:
            raise WireError("arrays of Python objects cannot cross the engine boundary")
        shape = tuple(int(n) for n in node["shape"])
        raw = self._buffer(node["$a"], buffers)
        if raw.nbytes != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
            raise WireError(f"an array of shape {shape} {dtype} does not fit its {raw.nbytes} bytes")
        return np.frombuffer(raw, dtype).reshape(shape)

    def _stack(self, entry: list[Any], buffers: list[memoryview]) -> tuple[str, NDArray, int, int, bool]:
        name, node, start, rows, keys, causal = entry
        part = self._array(node, buffers)
        data = part if start == 0 else self._extend(name, part, start, rows, causal)
        self._mirrors[name] = data
        return name, data, rows, keys, causal

    def _extend(self, name: str, part: NDArray, start: int, rows: int, causal: bool) -> NDArray:
        """The mirror of `name` with rows start..rows−1 written in (grown by a quarter when they do not fit)."""
        mirror = self._mirrors.get(name)
        if mirror is None:
            raise WireError(f"rows {start}.. of {name} attention came before its first rows")
        need = _packed(rows) if causal else rows
        have = mirror.shape[2]
        lo = _packed(start) if causal else start
        if need > have or not mirror.flags.writeable:
            grown_rows = max(rows, int(rows * 1.25) + 1)
            size = _packed(grown_rows) if causal else grown_rows
            grown = np.zeros(mirror.shape[:2] + (size,) + mirror.shape[3:], mirror.dtype)
            grown[:, :, :lo] = mirror[:, :, :lo]
            mirror = grown
        mirror[:, :, lo:need] = part
        return mirror


def send(connection: Any, sender: Sender, message: object, lock: threading.Lock | None = None) -> None:
    """Send one message (a header frame, then its buffers back to back) on a `multiprocessing.connection.Connection`.

    The header frame starts with the buffer count and sizes, so the receiver reads each buffer straight
    into memory of its own (one copy, writable)."""
    encoded = sender.encode(message)
    sizes = [memoryview(b).nbytes for b in encoded[1:]]
    prefix = len(sizes).to_bytes(4, "little") + b"".join(n.to_bytes(8, "little") for n in sizes)
    with lock if lock is not None else _NO_LOCK:
        connection.send_bytes(prefix + encoded[0])
        for buffer, size in zip(encoded[1:], sizes, strict=True):
            if size:
                connection.send_bytes(buffer)


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_LOCK = _NoLock()


def receive(connection: Any, receiver: Receiver) -> object:
    """Read one message sent by `send`. Raises EOFError (or OSError) when the peer is gone."""
    first = connection.recv_bytes(MAX_HEADER)
    if len(first) < 4:
        raise WireError("an engine message without a header")
    count = int.from_bytes(first[:4], "little")
    if count > MAX_BUFFERS or len(first) < 4 + 8 * count:
        raise WireError(f"an engine message with {count} buffers")
    sizes = [int.from_bytes(first[4 + 8 * i : 12 + 8 * i], "little") for i in range(count)]
    buffers = []
    for size in sizes:
        memory = np.empty(size, np.uint8)
        if size and connection.recv_bytes_into(memory) != size:
            raise WireError("an engine message's buffer does not match its size")
        buffers.append(memory.data)
    return receiver.decode(first[4 + 8 * count :], buffers)


def round_trip(message: object, sender: Sender | None = None, receiver: Receiver | None = None) -> object:
    """Encode and decode in memory, as `send` and `receive` would (tests)."""
    sender, receiver = sender or Sender(), receiver or Receiver()
    encoded = sender.encode(message)
    return receiver.decode(encoded[0], [memoryview(bytearray(b)) for b in encoded[1:]])


def registered() -> list[type]:
    """Every type that may cross (tests check each round-trips)."""
    return list(REGISTRY.values())
