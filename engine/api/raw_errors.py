"""Exceptions whose own words mean nothing to the user ("Overflow when unpacking long long",
numpy's "Unable to allocate 59.6 GiB for an array with shape (8, 1000000000) and data type
float32"), said as what happened and what to do. English, as the engine speaks (the engine's handlers
say them, engine/server/handlers.py); the window translates them through app/engine_messages.py's
templates like any engine message. Plain Python: no torch, no Qt."""

from __future__ import annotations

import re

NUMPY_ALLOCATION = re.compile(r"Unable to allocate (?P<size>[\d.]+ \w+) for an array with shape (?P<shape>\([^)]*\))")
MEMORY = (
    "not enough memory: this needs {size} at once (an array of shape {shape}): use a shorter text, "
    "fewer tokens to generate, or a smaller model"
)
MEMORY_UNSIZED = "not enough memory for this: use a shorter text, fewer tokens to generate, or a smaller model"
OVERFLOW = "a number is too large for the engine: keep the seed, top-k and max new tokens below 2^63"


def plain_error(error: BaseException) -> str:
    """What to show for an exception the engine raised (its own message when it already speaks to the user)."""
    if isinstance(error, MemoryError):  # the engine's own (memory_budget's) already says what to do
        found = NUMPY_ALLOCATION.search(str(error))
        if found is not None:
            return MEMORY.format(size=found["size"], shape=found["shape"])
        return str(error) or MEMORY_UNSIZED
    if isinstance(error, OverflowError):
        return OVERFLOW
    return str(error) or type(error).__name__
