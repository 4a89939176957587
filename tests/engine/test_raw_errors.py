"""Raw MemoryError and OverflowError become coded messages (the window translates them by code);
an engine error already coded is passed on as it is."""

from __future__ import annotations

from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.memory_budget import AttentionMemoryError
from attnlab.engine.api.messages import LEGACY
from attnlab.engine.api.raw_errors import plain_error


def test_numpys_allocation_failure_says_the_size_and_what_to_do():
    raw = MemoryError("Unable to allocate 59.6 GiB for an array with shape (8, 1000000000) and data type float32")
    said = plain_error(raw)
    assert said.code == "memory_allocation"
    assert said.values() == {"size": "59.6 GiB", "shape": "(8, 1000000000)"}
    assert str(said).startswith("not enough memory: this needs 59.6 GiB at once (an array of shape (8, 1000000000))")


def test_an_empty_memory_error_and_an_overflow_have_their_codes():
    assert plain_error(MemoryError()).code == "memory_unsized"
    assert plain_error(OverflowError("Python int too large to convert to C long")).code == "number_overflow"
    assert "below 2^63" in str(plain_error(OverflowError()))


def test_coded_errors_pass_through():
    coded = AttentionMemoryError("free_memory")
    assert plain_error(coded) == coded.message
    assert plain_error(EngineError("nothing_to_undo")).code == "nothing_to_undo"
    assert plain_error(ValueError("plain words")).code == LEGACY
