"""Head fingerprints and rollout against independent plain-Python computations, hand-made heads
whose answer is known, and `attnlab export --analyses` on tiny models."""

import math

import numpy as np
import pytest

from attnlab.engine.analyses import (
    distance,
    entropy,
    head_fingerprints,
    induction,
    induction_probe,
    prev_token,
    rollout,
    self_weight,
    sink,
)
from attnlab.engine.cli.export import main

# -- independent references: one head at a time, plain loops over nested lists -----------------


def ref_fingerprints(p: list[list[float]], causal: bool, ids: list[int] | None) -> dict[str, float]:
    n = len(p)
    rows = range(1, n) if causal else range(n)

    def mean(values):
        values = list(values)
        return sum(values) / len(values) if values else math.nan

    induction_scores = []
    for q in range(n):
        if ids is None:
            break
        keys = {m + 1 for m in range(n) if m < q - 1 and ids[m] == ids[q]}
        if keys:
            induction_scores.append(sum(p[q][k] for k in keys))
    return {
        "entropy": mean(-sum(x * math.log(x) for x in p[q] if x > 0) for q in rows),
        "sink": mean(p[q][0] for q in rows),
        "prev_token": mean(p[q][q - 1] for q in range(1, n)),
        "self": mean(p[q][q] for q in range(n)),
        "distance": mean(sum(p[q][k] * abs(q - k) for k in range(n)) for q in range(n)),
        "induction": mean(induction_scores),
    }


def ref_rollout(heads_per_layer: list[list[list[list[float]]]]) -> list[list[list[float]]]:
    """[layer][head][q][k] -> [layer][q][k] with explicit triple loops."""
    out, previous = [], None
    for heads in heads_per_layer:
        n = len(heads[0])
        mixed = []
        for q in range(n):
            row = [0.5 * sum(h[q][k] for h in heads) / len(heads) + (0.5 if q == k else 0.0) for k in range(n)]
            total = sum(row)
            mixed.append([x / total for x in row])
        if previous is None:
            current = mixed
        else:
            current = [[sum(mixed[q][m] * previous[m][k] for m in range(n)) for k in range(n)] for q in range(n)]
        out.append(current)
        previous = current
    return out


def random_attention(layers: int, heads: int, n: int, causal: bool, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = rng.random((layers, heads, n, n)) ** 4
    if causal:
        p = np.tril(p)
    p[..., 2, :] = 0  # a row with exact zeros (0 log 0) and a peaked one
    p[..., 2, 1] = 1
    return (p / p.sum(-1, keepdims=True)).astype(np.float32)


# -- fingerprints ---------------------------------------------------------------------------------


@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("n", [7, 70])  # 70: more rows than one block of the causal fast path
@pytest.mark.parametrize("vocab", [2, 400])
def test_fingerprints_equal_plain_loops(causal, n, vocab):
    p = random_attention(2, 3, n, causal)  # [layer, head, q, k]
    ids = np.random.default_rng(1).integers(0, vocab, n)  # 2: many repeats, 400: few (two code paths)
    prints = head_fingerprints(p, causal, ids).arrays()
    for layer in range(2):
        for head in range(3):
            ref = ref_fingerprints(p[layer, head].astype(float).tolist(), causal, ids.tolist())
            for name, value in ref.items():
                got = prints[name][layer, head]
                assert got.dtype == np.float32
                assert got == pytest.approx(value, rel=1e-5, abs=1e-6, nan_ok=True), (name, layer, head)


def test_each_function_works_on_one_layer_and_agrees_with_the_whole_stack():
    p = random_attention(3, 2, 9, True)
    ids = np.arange(9) % 3
    whole = head_fingerprints(p, True, ids)
    np.testing.assert_array_equal(entropy(p[1], True), whole.entropy[1])
    np.testing.assert_array_equal(sink(p[1], True), whole.sink[1])
    np.testing.assert_array_equal(prev_token(p[1]), whole.prev_token[1])
    np.testing.assert_array_equal(self_weight(p[1]), whole.self_weight[1])
    np.testing.assert_array_equal(distance(p[1], True), whole.distance[1])
    np.testing.assert_array_equal(induction(p[1], ids), whole.induction[1])


def test_hand_made_heads_score_what_they_are():
    n = 6
    previous = np.eye(n, k=-1, dtype=np.float32)
    previous[0, 0] = 1  # row 0 has only itself
    sink_head = np.zeros((n, n), np.float32)
    sink_head[:, 0] = 1
    identity = np.eye(n, dtype=np.float32)
    uniform = np.tril(np.ones((n, n), np.float32))
    uniform /= uniform.sum(-1, keepdims=True)
    heads = np.stack([previous, sink_head, identity, uniform])  # [head, q, k]
    prints = head_fingerprints(heads, causal=True)
    assert prints.prev_token[0] == 1 and prints.sink[1] == 1
    assert prints.self_weight[2] == 1 and prints.distance[2] == 0 and prints.entropy[2] == 0
    assert prints.distance[0] == pytest.approx((n - 1) / n)  # every row but the first looks 1 back
    assert prints.entropy[3] == pytest.approx(np.mean([math.log(q + 1) for q in range(1, n)]), rel=1e-6)
    assert np.isnan(prints.induction).all()  # no token ids: not decoder self-attention


def test_induction_head_on_a_repeated_random_sequence_scores_one():
    half = 10
    ids = induction_probe(half, vocab_size=100, seed=3, low=5)
    assert ids.shape == (2 * half,) and (ids[:half] == ids[half:]).all()
    assert len(set(ids[:half].tolist())) == half and ids.min() >= 5
    assert (induction_probe(half, 100, seed=3, low=5) == ids).all()
    n = 2 * half
    p = np.zeros((n, n), np.float32)
    p[:half, 0] = 1  # first half: no earlier copy to follow
    for q in range(half, n):
        p[q, q - half + 1] = 1  # attend to the token after the earlier copy of this one
    assert induction(p[None], ids)[0] == pytest.approx(1.0)
    uniform = np.tril(np.ones((n, n), np.float32)) / np.arange(1, n + 1)[:, None]
    assert induction(uniform, ids) < 0.1  # [q, k] alone gives a scalar
    assert np.isnan(induction(p[None], np.arange(n))[0])  # no repeats: no query has a target


def test_bad_shapes_say_what_is_wrong():
    with pytest.raises(ValueError, match="as many keys as queries"):
        entropy(np.ones((2, 3, 4)) / 4, causal=False)
    with pytest.raises(ValueError, match="attention has 4 positions but 3 token ids"):
        induction(np.eye(4)[None], np.arange(3))
    with pytest.raises(ValueError, match="distinct ids"):
        induction_probe(20, vocab_size=10)


def test_one_token_causal_stack_gives_nan_not_warnings():
    prints = head_fingerprints(np.ones((2, 1, 1), np.float32), causal=True, token_ids=np.array([4]))
    assert np.isnan(prints.entropy).all() and np.isnan(prints.prev_token).all()
    assert (prints.self_weight == 1).all() and np.isnan(prints.induction).all()


# -- rollout --------------------------------------------------------------------------------------


@pytest.mark.parametrize("causal", [True, False])
def test_rollout_equals_plain_loops(causal):
    p = random_attention(3, 2, 6, causal, seed=4)
    got = rollout(p)
    ref = np.array(ref_rollout(p.astype(float).tolist()))
    assert got.dtype == np.float32 and got.shape == (3, 6, 6)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got.sum(-1), 1, atol=1e-5)


@pytest.mark.parametrize("causal", [True, False])
def test_rollout_over_several_blocks_equals_the_plain_matrix_chain(causal):
    p = random_attention(4, 3, 150, causal, seed=5).astype(np.float64)
    got = rollout(p)
    chain, expected = None, []
    for layer in p:
        mixed = 0.5 * layer.mean(0) + 0.5 * np.eye(150)
        mixed = mixed / mixed.sum(-1, keepdims=True)
        chain = mixed if chain is None else mixed @ chain
        expected.append(chain)
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got.sum(-1), 1, atol=1e-5)
    if causal:
        assert not np.triu(got, 1).any()


# -- attnlab export --analyses ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _private_dirs(private_dirs):
    """The CLI here writes to the user's folders: keep them temporary."""


def _export(tmp_path, *args):
    out = tmp_path / "out.npz"
    assert main([*args, "--out", str(out)]) == 0
    return dict(np.load(out, allow_pickle=False))


NAMES = ("entropy", "sink", "prev_token", "self", "distance", "induction")


def test_export_writes_fingerprints_and_rollout_of_the_exported_attention(folders, tmp_path):
    plain = _export(
        tmp_path,
        "--model",
        str(folders["gpt"]),
        "--text",
        "the cat sat the cat",
        "--generate",
        "3",
        "--knockout-positions",
        "2",
    )
    data = _export(
        tmp_path,
        "--model",
        str(folders["gpt"]),
        "--text",
        "the cat sat the cat",
        "--generate",
        "3",
        "--knockout-positions",
        "2",
        "--analyses",
        "heads,rollout",
    )
    for name, array in plain.items():  # the existing arrays are unchanged
        np.testing.assert_array_equal(data[name], array)
    attn = data["decoder_attentions"]  # [layer, head, q, k]: <s> + 5 words + 3 generated
    ids = np.concatenate([data["token_ids"], data["generated_ids"]])
    expected = head_fingerprints(attn, True, ids).arrays()
    for name in NAMES:
        array = data[f"decoder_head_{name}"]
        assert array.dtype == np.float32 and array.shape == attn.shape[:2]
        np.testing.assert_array_equal(array, expected[name])
    ref = ref_fingerprints(attn[1, 2].astype(float).tolist(), True, ids.tolist())
    assert data["decoder_head_induction"][1, 2] == pytest.approx(ref["induction"], rel=1e-5)  # "the cat" repeats
    assert data["decoder_rollout"].dtype == np.float32 and data["decoder_rollout"].shape == (2, 9, 9)
    np.testing.assert_array_equal(data["decoder_rollout"], rollout(attn))
    np.testing.assert_allclose(data["decoder_rollout"].sum(-1), 1, atol=1e-5)
    assert not data["decoder_rollout"][:, 3:, 2].any()  # the knocked-out token reaches no later query
    assert set(data) - set(plain) == {f"decoder_head_{n}" for n in NAMES} | {"decoder_rollout"}


def test_encoder_decoder_gets_both_self_attention_stacks(folders, tmp_path):
    data = _export(
        tmp_path,
        "--model",
        str(folders["bart"]),
        "--source",
        "the cat sat",
        "--generate",
        "2",
        "--analyses",
        "rollout,heads",
    )
    for stack in ("encoder", "decoder"):
        attn = data[f"{stack}_attentions"]
        np.testing.assert_array_equal(data[f"{stack}_rollout"], rollout(attn))
        ids = data["decoder_token_ids"] if stack == "decoder" else None
        expected = head_fingerprints(attn, stack == "decoder", ids).arrays()
        for name in NAMES:
            np.testing.assert_array_equal(data[f"{stack}_head_{name}"], expected[name])
    assert np.isnan(data["encoder_head_induction"]).all()
    assert not any(name.startswith("cross_head") or name == "cross_rollout" for name in data)


@pytest.mark.parametrize("value", ["heads,bogus", "lens2"])
def test_unknown_analysis_exits_2_with_one_line(folders, tmp_path, capsys, value):
    out = tmp_path / "x.npz"
    args = ["--model", str(folders["gpt"]), "--text", "the cat", "--analyses", value, "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown analysis" in err and "heads, rollout" in err
    assert not out.exists()
