"""The session reader under attack: mutations of every field (types, sizes, nesting, huge numbers),
damaged bytes, and special files. Whatever the file, the reader returns a session or raises
SessionFileError with a message, quickly; `attnlab export --session` exits 0 or 2 with one line."""

from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attnlab.app.cli import main
from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.api.results import Masks
from attnlab.engine.api.saved_session import (
    MAX_FILE_BYTES,
    ModelRef,
    SessionData,
    SessionFileError,
    read_session,
    to_json,
    write_session,
)

FUZZ = settings(
    max_examples=int(os.environ.get("ATTNLAB_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
HOLE = "\ue000hole\ue000"  # where a raw JSON fragment goes in the serialised file

BASE = to_json(
    SessionData(
        model=ModelRef("tiny-gpt", "", "decoder", None),
        text="The cat sat",
        masks=Masks(
            mask_positions=frozenset({1}),
            knockouts=frozenset({("decoder", 2)}),
            ablated_heads=frozenset({("decoder", 0, 1)}),
        ),
        sampling=SamplingConfig(greedy=False, temperature=0.8, top_k=5, seed=3, max_new_tokens=4),
        generated=(5, 6),
        branches=(("main", (5, 6)), ("other", (7,))),
        current_branch=0,
    )
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in the JSON a mutation can hit: each key of each object, each item of each list."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


PATHS = _paths(BASE)

# Raw JSON text (some of it beyond what json.dumps writes): what a damaged or hostile file holds.
RAW = st.sampled_from(
    [
        "null",
        "true",
        "1" + "0" * 5000,  # 5,000 digits
        str(2**63),
        str(-(2**63) - 1),
        str(2**64 + 5),
        "1e999",
        "-1e999",
        "NaN",
        "Infinity",
        "[" * 100_000 + "]" * 100_000,  # 100,000 nested arrays
        '{"a":' * 5_000 + "1" + "}" * 5_000,
        "[" * 40 + "]" * 40,
        '"' + "x" * 200_000 + '"',
        '"\\ud800"',  # a lone surrogate
        '"\\u0000"',
        "[null, null]",
        '["decoder", null]',
        '["cross", 0, 1]',
        "-1",
        "0.5",
        "{}",
        "[]",
    ]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def _replace(data: Any, path: tuple, value: Any) -> Any:
    data = json.loads(json.dumps(data))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def _delete(data: Any, path: tuple) -> Any:
    data = json.loads(json.dumps(data))
    node = data
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return data


@st.composite
def mutated(draw) -> bytes:
    """A session file's bytes after one mutation of one field, or of the bytes themselves."""
    how = draw(st.sampled_from(["raw", "value", "delete", "extra", "truncate", "flip"]))
    path = draw(st.sampled_from(PATHS))
    if how == "raw":
        text = json.dumps(_replace(BASE, path, HOLE)).replace(json.dumps(HOLE), draw(RAW))
    elif how == "value":
        text = json.dumps(_replace(BASE, path, draw(JSON_VALUES)))
    elif how == "delete":
        text = json.dumps(_delete(BASE, path))
    elif how == "extra":
        text = json.dumps({**BASE, draw(st.text(min_size=1, max_size=10)): draw(JSON_VALUES)})
    else:
        text = json.dumps(BASE)
    data = text.encode("utf-8", "surrogatepass")
    if how == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif how == "flip":
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    return data


def _read(path: Path) -> SessionData | SessionFileError:
    try:
        return read_session(path)
    except SessionFileError as error:
        assert str(error) and "\n" not in str(error)
        return error


@FUZZ
@given(content=mutated())
def test_any_mutation_is_read_or_refused_with_a_message(tmp_path, content):
    path = tmp_path / "fuzzed.attnlab"
    path.write_bytes(content)
    result = _read(path)
    if isinstance(result, SessionData):  # what is accepted can be written back (the autosave does)
        write_session(result, tmp_path / "again.attnlab")
        assert read_session(tmp_path / "again.attnlab") == result


@settings(
    max_examples=int(os.environ.get("ATTNLAB_FUZZ_CLI_EXAMPLES", "8")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(content=mutated())
def test_the_cli_replays_or_refuses_any_mutation_in_one_line(tmp_path, capsys, private_dirs, content):
    path = tmp_path / "fuzzed.attnlab"
    path.write_bytes(content)
    out = tmp_path / "out.npz"
    capsys.readouterr()
    code = main(["export", "--session", str(path), "--out", str(out), "--device", "cpu"])
    error = capsys.readouterr().err
    assert code in (0, 2)
    if code == 2:
        assert error.count("\n") == 1 and "unexpected" not in error and "Traceback" not in error


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("1" + "0" * 5000, "5001 digits"),
        (str(2**63), "beyond what a 64-bit integer holds"),
        ("[" * 100_000 + "]" * 100_000, "nests"),
        ("NaN", "NaN"),
    ],
)
def test_numbers_and_nesting_beyond_limits_are_refused_clearly(tmp_path, raw, says):
    text = json.dumps(_replace(BASE, ("sampling", "seed"), HOLE)).replace(json.dumps(HOLE), raw)
    path = tmp_path / "bad.attnlab"
    path.write_text(text)
    with pytest.raises(SessionFileError, match=says):
        read_session(path)


@pytest.mark.parametrize("field", ["knockouts", "ablated_heads", "mask_positions"])
def test_null_where_a_list_belongs_is_refused(tmp_path, field):
    path = tmp_path / "null.attnlab"
    path.write_text(json.dumps(_replace(BASE, ("masks", field), None)))
    with pytest.raises(SessionFileError, match=f'"masks.{field}" must be a list'):
        read_session(path)


def _quickly(path: Path) -> SessionData | SessionFileError:
    """read_session on another thread: it must answer within seconds, never block."""
    answer: list = []
    reader = threading.Thread(target=lambda: answer.append(_read(path)), daemon=True)
    reader.start()
    reader.join(10)
    assert answer, f"reading {path} blocked"
    return answer[0]


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.attnlab"
    os.mkfifo(fifo)
    result = _quickly(fifo)
    assert isinstance(result, SessionFileError) and "named pipe" in str(result)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_symlink_to_a_device_is_refused(tmp_path, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    link = tmp_path / "device.attnlab"
    link.symlink_to(device)
    result = _quickly(link)
    assert isinstance(result, SessionFileError) and "a device" in str(result)


def test_a_socket_and_a_folder_are_refused(tmp_path):
    folder = tmp_path / "folder.attnlab"
    folder.mkdir()
    assert "is a folder" in str(_quickly(folder))
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "s.attnlab"))
        assert "a socket" in str(_quickly(tmp_path / "s.attnlab"))
    finally:
        server.close()


def test_a_file_over_the_cap_is_refused_after_reading_at_most_cap_plus_one_bytes(tmp_path, monkeypatch):
    """The cap holds even when stat says the file is small (it grew, or stat lies)."""
    big = tmp_path / "big.attnlab"
    with open(big, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    read_sizes: list[int] = []
    real_read = os.read

    def counted(fd: int, n: int) -> bytes:
        chunk = real_read(fd, n)
        read_sizes.append(len(chunk))
        return chunk

    monkeypatch.setattr(os, "read", counted)
    result = _read(big)
    assert isinstance(result, SessionFileError) and "over 64 MiB" in str(result)
    assert sum(read_sizes) == MAX_FILE_BYTES + 1
