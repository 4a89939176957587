"""Session format 2: what each generated token was generated under round-trips; format 1 still reads."""

from __future__ import annotations

import json

import pytest

from attnlab.engine.api.saved_session import (
    ModelRef,
    SessionData,
    SessionFileError,
    WhenGenerated,
    from_json,
    read_session,
    to_json,
    write_session,
)


def _data() -> SessionData:
    record = (WhenGenerated(5, 0.773, ((5, 0.773), (9, 0.1))), WhenGenerated(9, None, ()))
    return SessionData(model=ModelRef("tiny-gpt"), text="a", generated=(5, 9), when_generated=record)


def test_when_generated_round_trips(tmp_path):
    path = write_session(_data(), tmp_path / "run.attnlab")
    assert json.loads(path.read_text())["when_generated"][0] == {
        "token": 5,
        "prob": 0.773,
        "candidates": [[5, 0.773], [9, 0.1]],
    }
    assert read_session(path) == _data()


def test_a_version_1_file_reads_without_it():
    data = {k: v for k, v in to_json(_data()).items() if k != "when_generated"}
    data["schema_version"] = 1
    opened = from_json(data)
    assert opened.generated == (5, 9) and opened.when_generated == ()


@pytest.mark.parametrize(
    "entry",
    [{"token": -1, "prob": 0.5}, {"token": 5, "prob": 1.5}, {"token": 5, "candidates": [[5]]}, "five"],
)
def test_a_damaged_entry_is_refused_with_its_field(entry):
    data = {**to_json(_data()), "when_generated": [entry]}
    with pytest.raises(SessionFileError, match="when_generated"):
        from_json(data, "run.attnlab")
