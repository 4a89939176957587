"""How much memory a request may take: refuse one that would not fit before allocating it."""

from __future__ import annotations

import os

from attnlab.engine.api.errors import CodedError
from attnlab.engine.api.messages import Param


class AttentionMemoryError(CodedError, MemoryError):
    """A request whose attention would not fit in memory; the message says what to do."""


def available_memory() -> int:
    """Bytes of RAM the system can still give us (MemAvailable), or a large number if unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 1 << 62


def check_fits(needed: int, what: Param, budget: int | None = None, limit: int | None = None) -> None:
    """Refuse a request that would take more than 80% of available memory (or `budget`, or more than
    `limit` bytes however much is free), before allocating."""
    budget = int(available_memory() * 0.8) if budget is None else budget
    budget = budget if limit is None else min(budget, limit)
    if needed > budget:
        raise AttentionMemoryError(
            "memory_exceeded", what=what, needed=f"{needed / 2**30:.2f}", free=f"{budget / 2**30:.2f}"
        )


def readable_size(size: int) -> str:
    """512 bytes, 3.5 KiB, 812.0 MiB, 17.98 GiB."""
    if size < 2**10:
        return f"{size} bytes"
    if size >= 2**30:
        return f"{size / 2**30:,.2f} GiB"
    return f"{size / 2**20:,.1f} MiB" if size >= 2**20 else f"{size / 2**10:,.1f} KiB"
