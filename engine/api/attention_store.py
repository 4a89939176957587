"""Compact storage of attention probabilities per (stack, layer, head).

Pure numpy (no torch, no Qt): the GUI reads snapshots of it directly.

Rows are float16. A causal stack stores only the lower triangle, packed row after row
(row r holds keys 0..r), so N tokens cost N(N+1)/2 values per head instead of N². Other
stacks (encoder self-attention, cross-attention) are dense [rows, keys].

Rows are written in place as they are computed; stepping appends one row. A snapshot is a
cheap frozen view (array references and a row count): rows below its count are never
rewritten while it is current, so it can be read from another thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from attnlab.engine.api.float16_table import widen
from attnlab.engine.api.pooling import max_pool, max_pool_triangle

VALUE_BYTES = 2  # float16


def stack_bytes(layers: int, heads: int, rows: int, keys: int, causal: bool) -> int:
    """Bytes the store needs for one stack (the minimum: float16, triangle when causal)."""
    per_head = rows * (rows + 1) // 2 if causal else rows * keys
    return layers * heads * per_head * VALUE_BYTES


@lru_cache(maxsize=8)
def _tri(rows: int, keys: int, offset: int) -> NDArray[np.bool_]:
    """Boolean mask of the causal part of a [rows, keys] block whose first row is row `offset`."""
    tri = np.tri(rows, keys, k=offset, dtype=bool)
    tri.setflags(write=False)
    return tri


def _packed_offset(row: int) -> int:
    return row * (row + 1) // 2


def _unpack(packed: NDArray[np.float16] | NDArray[np.float32], rows: int) -> NDArray[np.float32]:
    """[..., packed triangle] -> [..., rows, rows] float32, zeros above the diagonal.

    One slice per row: several times faster than scattering through a boolean triangle mask.
    """
    out = np.zeros(packed.shape[:-1] + (rows, rows), np.float32)
    values = widen(packed[..., : _packed_offset(rows)]) if packed.dtype == np.float16 else packed  # a table: ~10×
    for row in range(rows):  # numpy's own float16 cast
        lo = _packed_offset(row)
        out[..., row, : row + 1] = values[..., lo : lo + row + 1]
    return out


class _Stack:
    """One stack's buffer: [layer, head, packed] when causal, else [layer, head, row, key]."""

    def __init__(self, layers: int, heads: int, causal: bool, keys: int, capacity: int):
        self.layers, self.heads, self.causal, self.keys = layers, heads, causal, keys
        self.rows = 0
        self.data = self._allocate(max(capacity, 1))

    def _allocate(self, capacity: int) -> NDArray[np.float16]:
        self.capacity = capacity
        if self.causal:
            return np.zeros((self.layers, self.heads, _packed_offset(capacity)), np.float16)
        return np.zeros((self.layers, self.heads, capacity, self.keys), np.float16)

    def ensure(self, rows: int) -> None:
        """Grow by a quarter (not doubling: a triangle would waste up to 4x) so `rows` rows fit.

        The old array stays valid for old snapshots.
        """
        if rows <= self.capacity:
            return
        old, used = self.data, self.rows
        self.data = self._allocate(max(rows, self.capacity + self.capacity // 4 + 1))
        if self.causal:
            self.data[:, :, : _packed_offset(used)] = old[:, :, : _packed_offset(used)]
        else:
            self.data[:, :, :used] = old[:, :, :used]

    def kept(self, rows: int) -> _Stack:
        """A new buffer of the same capacity holding rows 0..rows-1 of this one."""
        stack = _Stack(self.layers, self.heads, self.causal, self.keys, self.capacity)
        used = min(rows, self.rows)
        if self.causal:
            stack.data[:, :, : _packed_offset(used)] = self.data[:, :, : _packed_offset(used)]
        else:
            stack.data[:, :, :used] = self.data[:, :, :used]
        stack.rows = used
        return stack

    def write(self, layer: int, start: int, probs: NDArray) -> None:
        """Write rows start..start+q-1 of one layer; probs is [head, q, key] (key ≥ start+q when causal)."""
        _, q, k = probs.shape
        self.ensure(start + q)
        if self.causal:
            lo, hi = _packed_offset(start), _packed_offset(start + q)
            if q == 1:
                self.data[layer, :, lo:hi] = probs[:, 0, : start + 1]
            else:
                self.data[layer, :, lo:hi] = probs[:, :, : start + q][:, _tri(q, start + q, start)]
        else:
            if k != self.keys:
                raise ValueError(f"attention has {k} keys but the stack holds {self.keys}")
            self.data[layer, :, start : start + q] = probs

    def write_row(self, layers: list[int], row: int, values: NDArray) -> None:
        """Write query `row` of several layers at once; values is [layer, head, key] (key ≥ row+1 when causal)."""
        self.ensure(row + 1)
        if self.causal:
            lo = _packed_offset(row)
            self.data[layers, :, lo : lo + row + 1] = values[:, :, : row + 1]
        else:
            if values.shape[-1] != self.keys:
                raise ValueError(f"attention has {values.shape[-1]} keys but the stack holds {self.keys}")
            self.data[layers, :, row] = values


@dataclass(frozen=True)
class AttentionSnapshot:
    """A frozen view of the store: per stack, the buffer and how many rows are valid.

    Accessors return new float32 arrays. Shapes: matrix [query, key], layer [head, query, key],
    row [layer, head, key], full [layer, head, query, key].
    """

    _buffers: tuple[tuple[str, NDArray[np.float16], int, int, bool], ...] = ()  # (stack, data, rows, keys, causal)

    @property
    def stacks(self) -> tuple[str, ...]:
        return tuple(b[0] for b in self._buffers)

    def _get(self, stack: str) -> tuple[NDArray[np.float16], int, int, bool]:
        for name, data, rows, keys, causal in self._buffers:
            if name == stack:
                return data, rows, keys, causal
        raise KeyError(f"no {stack!r} attention here; this model has {', '.join(self.stacks) or 'none'}")

    def shape(self, stack: str) -> tuple[int, int, int, int]:
        """[layer, head, query, key] of one stack."""
        data, rows, keys, causal = self._get(stack)
        return data.shape[0], data.shape[1], rows, rows if causal else keys

    def is_causal(self, stack: str) -> bool:
        return self._get(stack)[3]

    def _block(self, stack: str, layer: int, head: slice | int) -> NDArray[np.float32]:
        data, rows, keys, causal = self._get(stack)
        if not 0 <= layer < data.shape[0]:
            raise IndexError(f"layer {layer} out of range: {stack} has {data.shape[0]} layers")
        if not causal:
            return data[layer, head, :rows, :keys].astype(np.float32)
        return _unpack(data[layer, head], rows)

    def matrix(self, stack: str, layer: int, head: int) -> NDArray[np.float32]:
        """[query, key] for one head."""
        return self._block(stack, layer, head)

    def layer(self, stack: str, layer: int) -> NDArray[np.float32]:
        """[head, query, key] for every head of one layer."""
        return self._block(stack, layer, slice(None))

    def pooled(self, stack: str, layer: int, head: int | None, fy: int, fx: int) -> NDArray[np.float32]:
        """For display: max-pooled blocks of fy × fx cells (peaks stay visible), equal to max-pooling
        matrix() (head given) or layer() (head None) but without building the full-size float32 matrix.

        Shapes: [ceil(query/fy), ceil(key/fx)], or [head, ...] when head is None.
        """
        data, rows, keys, causal = self._get(stack)
        if not 0 <= layer < data.shape[0]:
            raise IndexError(f"layer {layer} out of range: {stack} has {data.shape[0]} layers")
        if fy < 1 or fx < 1:
            raise ValueError(f"pooling factors must be ≥ 1, got {fy} × {fx}")
        heads = slice(None) if head is None else head
        if not causal:
            return max_pool(data[layer, heads, :rows, :keys], fy, fx)
        return max_pool_triangle(data[layer, heads], rows, fy, fx)

    def mean(self, stack: str, layer: int) -> NDArray[np.float32]:
        """[query, key] averaged over the heads of one layer."""
        if not self.is_causal(stack):
            return self.layer(stack, layer).mean(axis=0)
        rows = self.shape(stack)[2]
        return _unpack(widen(self.packed(stack, layer)).mean(axis=0), rows)  # one triangle, not one a head

    def packed(self, stack: str, layer: int) -> NDArray[np.float16]:
        """A causal stack's layer as stored: [head, rows·(rows+1)/2], row r's keys 0..r after row r−1's
        (a read-only view; analyses that read every weight once skip building [head, query, key])."""
        data, rows, _keys, causal = self._get(stack)
        if not causal:
            raise ValueError(f"{stack} attention is not causal: it is stored [head, query, key], not packed")
        if not 0 <= layer < data.shape[0]:
            raise IndexError(f"layer {layer} out of range: {stack} has {data.shape[0]} layers")
        view = data[layer, :, : _packed_offset(rows)]
        view.flags.writeable = False
        return view

    def full(self, stack: str) -> NDArray[np.float32]:
        """[layer, head, query, key] for the whole stack (zeros above the diagonal when causal)."""
        return np.stack([self.layer(stack, i) for i in range(self.shape(stack)[0])])

    def row(self, stack: str, query: int) -> NDArray[np.float32]:
        """[layer, head, key] attention of one query over all keys it could see."""
        data, rows, keys, causal = self._get(stack)
        if not 0 <= query < rows:
            raise IndexError(f"query {query} out of range: {stack} has {rows} rows")
        if causal:
            lo = _packed_offset(query)
            return data[:, :, lo : lo + query + 1].astype(np.float32)
        return data[:, :, query, :keys].astype(np.float32)

    @property
    def nbytes(self) -> int:
        """Bytes of the valid rows (what the store must keep), summed over stacks."""
        return sum(
            stack_bytes(d.shape[0], d.shape[1], rows, keys, causal) for _, d, rows, keys, causal in self._buffers
        )


class AttentionStore:
    """Owns the buffers; the engine writes rows into it, the GUI reads snapshots."""

    def __init__(self) -> None:
        self._stacks: dict[str, _Stack] = {}

    def configure(self, stack: str, layers: int, heads: int, causal: bool, keys: int, capacity: int) -> None:
        """(Re)create one stack's buffer, empty. `keys` is ignored for causal stacks."""
        self._stacks[stack] = _Stack(layers, heads, causal, keys, capacity)

    def clear(self) -> None:
        self._stacks.clear()

    def write(self, stack: str, layer: int, start: int, probs: NDArray) -> None:
        self._stacks[stack].write(layer, start, probs)

    def write_row(self, stack: str, layers: list[int], row: int, values: NDArray) -> None:
        """One query row for several layers: values [layer, head, key]."""
        self._stacks[stack].write_row(layers, row, values)

    def set_rows(self, stack: str, rows: int) -> None:
        """Mark rows 0..rows-1 valid (after every layer of a forward was written) or truncate (undo)."""
        self._stacks[stack].rows = rows

    def keep_rows(self, stack: str, rows: int) -> None:
        """Keep rows 0..rows-1 of a stack in a new buffer, to be written on from `rows`: snapshots taken
        before keep theirs (a prefill that re-reads only the end of a text rewrites the rows after)."""
        self._stacks[stack] = self._stacks[stack].kept(rows)

    def rows(self, stack: str) -> int:
        return self._stacks[stack].rows

    def __contains__(self, stack: str) -> bool:
        return stack in self._stacks

    @property
    def allocated_bytes(self) -> int:
        return sum(s.data.nbytes for s in self._stacks.values())

    def snapshot(self) -> AttentionSnapshot:
        return AttentionSnapshot(
            tuple((name, s.data, s.rows, s.rows if s.causal else s.keys, s.causal) for name, s in self._stacks.items())
        )
