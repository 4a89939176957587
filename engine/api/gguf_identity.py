"""What tells one GGUF file from another, read from a few places in the file rather than all of it."""

from __future__ import annotations

import hashlib
import mmap
import os
import struct
from functools import lru_cache
from pathlib import Path

DATA_SAMPLES = 16  # blocks of tensor data hashed into a file's content key, evenly spaced
SAMPLE_BYTES = 64 * 1024
UNREADABLE_HEAD = 1 << 20  # bytes hashed in place of the header when it cannot be parsed


def content_key(gguf_path: str | os.PathLike[str]) -> str:
    """sha256 (hex) of what tells GGUF files apart: size, header and tensor index, samples of the weights.

    The header and tensor index (everything before the tensor data) pin the architecture, the
    tokenizer, the quantisation and every tensor's shape and place; the samples tell apart two
    fine-tunes that share all of those. Hashing every weight would cost seconds per GB each time
    the catalog is listed. Remembered per (path, size, mtime) for this process.
    """
    path = Path(gguf_path).expanduser().resolve()
    stat = path.stat()
    return _content_key(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=32)
def _content_key(path: str, size: int, mtime_ns: int) -> str:
    """content_key of the file at `path`; size and mtime are arguments so that a rewritten file is read again."""
    digest = hashlib.sha256(f"{size}\0".encode())
    with open(path, "rb") as file:
        header = gguf_data_offset(path) or min(size, UNREADABLE_HEAD)
        digest.update(file.read(header))
        for sample in range(DATA_SAMPLES):
            file.seek(header + (size - header) * sample // DATA_SAMPLES)
            digest.update(file.read(SAMPLE_BYTES))
    return digest.hexdigest()


# GGUF value types: byte sizes of the fixed-size ones; 8 is a string, 9 an array
_SCALAR_BYTES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_UINT32, _STRING, _ARRAY = 4, 8, 9


def gguf_data_offset(gguf_path: str | os.PathLike[str]) -> int | None:
    """Where the tensor data of a GGUF (v2 or v3) begins; None if the file is not one we can read.

    Walks the header without the gguf package, whose reader takes seconds to parse the metadata.
    """
    with open(gguf_path, "rb") as file:
        try:
            with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as buffer:
                return _data_offset(buffer)
        except (ValueError, OverflowError, struct.error):  # empty, truncated or damaged
            return None


def _data_offset(buffer: mmap.mmap) -> int | None:
    magic, version, tensors, fields = struct.unpack_from("<4sIQQ", buffer, 0)
    if magic != b"GGUF" or version not in (2, 3):
        return None
    pos, alignment = 24, 32
    for _ in range(fields):  # key, value type, value
        (length,) = struct.unpack_from("<Q", buffer, pos)
        key = buffer[pos + 8 : pos + 8 + length]
        (kind,) = struct.unpack_from("<I", buffer, pos + 8 + length)
        pos += 12 + length
        if key == b"general.alignment" and kind == _UINT32:
            (alignment,) = struct.unpack_from("<I", buffer, pos)
        pos = _skip_value(buffer, pos, kind)
    for _ in range(tensors):  # name, dimension count, dimensions, type, offset
        (length,) = struct.unpack_from("<Q", buffer, pos)
        (dims,) = struct.unpack_from("<I", buffer, pos + 8 + length)
        pos += 8 + length + 4 + 8 * dims + 4 + 8
    if pos > len(buffer) or alignment < 1:
        return None
    return -(-pos // alignment) * alignment


def _skip_value(buffer: mmap.mmap, pos: int, kind: int) -> int:
    if kind in _SCALAR_BYTES:
        return pos + _SCALAR_BYTES[kind]
    if kind == _STRING:
        (length,) = struct.unpack_from("<Q", buffer, pos)
        return pos + 8 + length
    if kind != _ARRAY:
        raise ValueError(f"unknown GGUF value type {kind}")
    item, count = struct.unpack_from("<IQ", buffer, pos)
    pos += 12
    if item in _SCALAR_BYTES:
        return pos + count * _SCALAR_BYTES[item]
    for _ in range(count):
        pos = _skip_value(buffer, pos, item)
    return pos
