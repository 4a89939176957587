"""`attnlab compare`: attention differences of two exports and each head's Jensen–Shannon divergence."""

import math

import numpy as np
import pytest

from attnlab.app.cli import main
from attnlab.engine.analyses import js_divergence


@pytest.fixture(autouse=True)
def _private_dirs(private_dirs):
    """The CLI writes to the user's folders: keep them temporary."""


def _export(folders, tmp_path, name, *args):
    out = tmp_path / f"{name}.npz"
    assert (
        main(
            ["export", "--model", str(folders["bart"]), "--source", "the cat sat on the mat", *args, "--out", str(out)]
        )
        == 0
    )
    return out


def _js_by_hand(p, q) -> float:
    """JS of two distributions written out, natural logs turned into bits."""
    m = [(x + y) / 2 for x, y in zip(p, q, strict=True)]
    kl = lambda a: sum(x * math.log(x / y) for x, y in zip(a, m, strict=True) if x > 0)  # noqa: E731 - a formula, read as one
    return (kl(p) + kl(q)) / 2 / math.log(2)


def test_compare_two_exports(folders, tmp_path, capsys):
    a = _export(folders, tmp_path, "a", "--text", "dog", "--generate", "2", "--knockout-positions", "1")
    b = _export(folders, tmp_path, "b", "--text", "dog", "--generate", "2")
    out = tmp_path / "diff.npz"
    assert main(["compare", str(a), str(b), "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    diff, first, second = np.load(out), np.load(a), np.load(b)
    for stack in ("encoder", "decoder", "cross"):
        name = f"{stack}_attentions"
        np.testing.assert_array_equal(diff[name], first[name] - second[name])
        js = diff[f"{stack}_js_divergence"]
        assert js.dtype == np.float32 and js.shape == first[name].shape[:2]
    js = diff["encoder_js_divergence"]
    assert (js > 0.05).all()  # a knocked-out token moves every encoder row
    rows = first["encoder_attentions"][1, 2], second["encoder_attentions"][1, 2]
    expected = np.mean([_js_by_hand(p.tolist(), q.tolist()) for p, q in zip(*rows, strict=True)])
    assert js[1, 2] == pytest.approx(expected, rel=1e-4)


def test_different_lengths_are_skipped_and_said(folders, tmp_path, capsys):
    a = _export(folders, tmp_path, "a", "--text", "dog", "--generate", "1")
    b = _export(folders, tmp_path, "b", "--text", "dog", "--generate", "2")
    out = tmp_path / "diff.npz"
    assert main(["compare", str(a), str(b), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "skipped cross_attentions" in printed and "decoder_attentions" in printed
    assert sorted(np.load(out).files) == ["encoder_attentions", "encoder_js_divergence"]


def test_bad_files_are_one_line_errors(folders, tmp_path, capsys):
    a = _export(folders, tmp_path, "a", "--text", "dog")
    text = tmp_path / "notes.npz"
    text.write_text("not a zip")
    for args, message in [
        ([str(a), str(tmp_path / "missing.npz")], "does not exist"),
        ([str(a), str(text)], "is not an .npz file"),
        ([str(a), str(a), "--out", str(tmp_path / "x.txt")], "must name an .npz"),
    ]:
        out = [] if "--out" in args else ["--out", str(tmp_path / "d.npz")]
        assert main(["compare", *args, *out]) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1


def test_js_divergence_bounds():
    p = np.array([[[[1.0, 0.0], [0.5, 0.5]]]], np.float32)  # [1, 1, 2, 2]
    q = np.array([[[[0.0, 1.0], [0.5, 0.5]]]], np.float32)
    assert js_divergence(p, q)[0, 0] == pytest.approx(0.5)  # disjoint row: 1 bit, same row: 0
    assert js_divergence(p, p)[0, 0] == 0
