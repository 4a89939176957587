"""Session files: the format round-trips, bad files say what is wrong, and `attnlab export --session`
re-creates the arrays of the export that saved it, bit for bit."""

import json
import shutil

import numpy as np
import pytest

from attnlab.app.cli import main
from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.api.results import Masks
from attnlab.engine.api.saved_session import (
    SCHEMA_VERSION,
    ModelRef,
    SessionData,
    SessionFileError,
    read_session,
    to_json,
    weights_hash,
    write_session,
)


@pytest.fixture(autouse=True)
def _private_dirs(private_dirs):
    """The CLI here writes to the user's folders: keep them temporary."""


def _session() -> SessionData:
    return SessionData(
        model=ModelRef("tiny-gpt", "/models/tiny-gpt", "decoder", "ab" * 32, "cpu", "float32"),
        text="the cat 猫",
        source=None,
        masks=Masks(frozenset({1}), frozenset({("decoder", 2), ("encoder", 0)}), frozenset({("decoder", 1, 3)})),
        sampling=SamplingConfig(False, 0.7, 5, 0.9, 42, 7, 12),
        generated=(9, 10, 11),
        branches=(("main", (9, 10, 11, 12)), ("detour", (9, 13))),
        current_branch=0,
    )


def test_round_trip(tmp_path):
    path = write_session(_session(), tmp_path / "run.attnlab")
    assert read_session(path) == _session()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "attnlab-session" and data["schema_version"] == SCHEMA_VERSION
    assert data["generated"] == [9, 10, 11] and data["masks"]["knockouts"] == [["decoder", 2], ["encoder", 0]]
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed


def _write(tmp_path, data) -> str:
    path = tmp_path / "bad.attnlab"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def _valid() -> dict:
    return to_json(_session())


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: "{not json", "not JSON"),
        (lambda d: {"hello": 1}, "not an attnlab session"),
        (lambda d: {**d, "schema_version": SCHEMA_VERSION + 1}, "newer attnlab"),
        (lambda d: {**d, "schema_version": "one"}, "schema_version"),
        (lambda d: {**d, "model": "tiny"}, '"model" must be an object'),
        (lambda d: {**d, "model": {"name": ""}}, "model.name"),
        (lambda d: {**d, "generated": [1, "two"]}, '"generated" must be a list of integers'),
        (lambda d: {**d, "generated": [-1]}, "below 0"),
        (lambda d: {**d, "masks": {"knockouts": [["cross", 1]]}}, "a knock-out must be"),
        (lambda d: {**d, "sampling": {**d["sampling"], "temperature": 0}}, "temperature must be > 0"),
        (lambda d: {**d, "sampling": {**d["sampling"], "greedy": "yes"}}, "sampling.greedy"),
        (lambda d: {**d, "branches": [{"tokens": [1]}]}, "a branch must be"),
        (lambda d: {**d, "current_branch": 2}, "current_branch"),
    ],
)
def test_bad_files_say_what_is_wrong(tmp_path, change, message):
    with pytest.raises(SessionFileError, match=message):
        read_session(_write(tmp_path, change(_valid())))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(SessionFileError, match="does not exist"):
        read_session(tmp_path / "nothing.attnlab")
    with pytest.raises(SessionFileError, match="is a folder"):
        read_session(tmp_path)


def test_weights_hash_follows_the_weights(folders, tmp_path):
    copy = shutil.copytree(folders["gpt"], tmp_path / "gpt")
    before = weights_hash(copy)
    assert before == weights_hash(folders["gpt"]) and weights_hash(tmp_path / "nowhere") is None
    (copy / "tokenizer.json").write_text("{}")  # not a weight file
    assert weights_hash(copy) == before
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-3] ^= 0xFF  # one weight changes
    weights.write_bytes(bytes(data))
    assert weights_hash(copy) != before


def _arrays(path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


@pytest.mark.parametrize(
    "model, args",
    [
        (
            "gpt",
            [
                "--text",
                "the cat sat",
                "--generate",
                "6",
                "--temperature",
                "1.5",
                "--top-k",
                "20",
                "--seed",
                "3",
                "--knockout-positions",
                "1",
                "--ablate-heads",
                "1:2",
            ],
        ),
        (
            "bert",
            [
                "--text",
                "the cat sat on the mat",
                "--mask-positions",
                "2,4",
                "--knockout-positions",
                "5",
                "--ablate-heads",
                "0:1",
                "--top-k-candidates",
                "3",
            ],
        ),
        (
            "bart",
            [
                "--source",
                "the cat sat",
                "--text",
                "dog",
                "--generate",
                "4",
                "--knockout-positions",
                "2",
                "--decoder-knockout-positions",
                "1",
                "--analyses",
                "rollout",
            ],
        ),
    ],
)
def test_export_session_recreates_the_arrays_bit_for_bit(folders, tmp_path, model, args):
    first, second, session = tmp_path / "first.npz", tmp_path / "second.npz", tmp_path / "run.attnlab"
    common = [a for a in args if a != "--analyses" and a != "rollout"]
    extra = ["--analyses", "rollout"] if "--analyses" in args else []
    assert (
        main(
            [
                "export",
                "--model",
                str(folders[model]),
                *common,
                *extra,
                "--out",
                str(first),
                "--save-session",
                str(session),
            ]
        )
        == 0
    )
    saved = read_session(session)
    assert saved.model.weights_sha256 == weights_hash(folders[model]) and saved.model.kind
    assert main(["export", "--session", str(session), *extra, "--out", str(second)]) == 0
    a, b = _arrays(first), _arrays(second)
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name].dtype == b[name].dtype and a[name].tobytes() == b[name].tobytes(), name
    assert len(a["generated_ids"]) == len(saved.generated)


def test_export_session_refuses_run_flags(folders, tmp_path, capsys):
    session = tmp_path / "run.attnlab"
    assert (
        main(
            [
                "export",
                "--model",
                str(folders["gpt"]),
                "--text",
                "the cat",
                "--out",
                str(tmp_path / "a.npz"),
                "--save-session",
                str(session),
            ]
        )
        == 0
    )
    assert main(["export", "--session", str(session), "--text", "a dog", "--out", str(tmp_path / "b.npz")]) == 2
    assert "drop --text" in capsys.readouterr().err
    assert main(["export", "--out", str(tmp_path / "c.npz")]) == 2
    assert "--model (or --session)" in capsys.readouterr().err
    bad = tmp_path / "bad.attnlab"
    bad.write_text("[]")
    assert main(["export", "--session", str(bad), "--out", str(tmp_path / "d.npz")]) == 2
    assert "not an attnlab session" in capsys.readouterr().err


def test_export_session_warns_when_weights_changed(folders, tmp_path, capsys):
    copy = shutil.copytree(folders["gpt"], tmp_path / "gpt")
    session = tmp_path / "run.attnlab"
    assert (
        main(
            [
                "export",
                "--model",
                str(copy),
                "--text",
                "the cat",
                "--generate",
                "2",
                "--out",
                str(tmp_path / "a.npz"),
                "--save-session",
                str(session),
            ]
        )
        == 0
    )
    from tiny_models import save, tiny_gpt2

    save(*tiny_gpt2(seed=5), copy)  # re-trained in place
    assert main(["export", "--session", str(session), "--out", str(tmp_path / "b.npz")]) == 0
    assert "changed since the session was saved" in capsys.readouterr().err
