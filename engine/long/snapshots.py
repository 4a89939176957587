"""Frozen copies of a long-mode overview for the GUI, without copying the whole overview at every step.

A long-mode state rewrites its overview in place: a step maxes its row into the last row of cells, an
undo rebuilds that row. What the session hands out (`LongAttention` in a result) must not change while
the window draws it, so it gets a read-only copy: 141 MB for SmolLM2 at 8,192 tokens, about 0.1 s to
copy. A copy the window has let go of (no reference left but ours) is brought up to date instead, by
copying only the rows of cells written since: one row per step.
"""

from __future__ import annotations

import sys
from dataclasses import replace

from attnlab.engine.api.long_summary import LongAttention
from attnlab.engine.long.store import LongState

KEPT = 2  # copies remembered for reuse: the one the window shows, and one it let go of (141 MB each at 8k SmolLM2)


class FrozenOverviews:
    """Read-only overviews of one long-mode state at a time: `wrote` after each forward, `snapshot` to hand one out."""

    def __init__(self) -> None:
        self._state: LongState | None = None
        self._writes: list[int] = []  # the first query row of each forward since the state began
        self._copies: list[list] = []  # [copy, how many writes it has seen], newest last; lists: updated in place

    def _follow(self, state: LongState) -> None:
        if state is not self._state:  # a new prefill: nothing carries over
            self._state, self._writes, self._copies = state, [], []

    def wrote(self, state: LongState, start: int) -> None:
        """A forward wrote the overview's rows from query `start` on (steps, prefill blocks, an undo's re-feed)."""
        self._follow(state)
        self._writes.append(start)

    def snapshot(self, state: LongState) -> LongAttention:
        self._follow(state)
        live = state.snapshot()
        pooled = live.pooled  # [layer, head, cell, cell]
        for entry in reversed(self._copies):
            if entry[0].shape != pooled.shape:
                continue
            written = self._writes[entry[1] :]
            if not written:  # nothing changed since: the same copy is still exact
                return replace(live, pooled=entry[0])
            if sys.getrefcount(entry[0]) == 2:  # only this list holds it: the window let it go
                first = min(written) // live.factor
                entry[0].flags.writeable = True
                entry[0][:, :, first:] = pooled[:, :, first:]
                entry[0].flags.writeable = False
                entry[1] = len(self._writes)
                return replace(live, pooled=entry[0])
        copy = pooled.copy()
        copy.flags.writeable = False
        self._copies = [*self._copies[-(KEPT - 1) :], [copy, len(self._writes)]]
        return replace(live, pooled=copy)
