"""Exceptions whose own words mean nothing to the user ("Overflow when unpacking long long",
numpy's "Unable to allocate 59.6 GiB for an array with shape (8, 1000000000) and data type
float32"), said as what happened and what to do. Coded messages (engine/api/messages.py), as the
engine speaks: the CLI's English is their template, and the window translates them by code
through app/engine_messages.py like any engine message."""

from __future__ import annotations

import re

from attnlab.engine.api.messages import LEGACY, EngineMessage, as_message, message

NUMPY_ALLOCATION = re.compile(r"Unable to allocate (?P<size>[\d.]+ \w+) for an array with shape (?P<shape>\([^)]*\))")


def plain_error(error: BaseException) -> EngineMessage:
    """What to show for an exception the engine raised (its own message when it already speaks to the user)."""
    if isinstance(error, MemoryError):  # the engine's own (memory_budget's) already says what to do
        found = NUMPY_ALLOCATION.search(str(error))
        if found is not None:
            return message("memory_allocation", size=found["size"], shape=found["shape"])
        coded = as_message(error)
        return coded if coded.code != LEGACY or str(error) else message("memory_unsized")
    if isinstance(error, OverflowError):
        return message("number_overflow")
    return as_message(error)
