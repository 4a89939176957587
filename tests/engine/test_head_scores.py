"""What the window's head table, metric colours, rollout view and induction probe are computed from,
checked against the model's own eager attention run by the test."""

import numpy as np
import pytest
import torch

from attnlab.engine.analyses import head_fingerprints, rollout
from attnlab.engine.analyses.head_scores import head_scores, stack_rollout
from attnlab.engine.api.errors import EngineError
from attnlab.engine.interpret.probe_run import probe_low, run_induction_probe
from attnlab.engine.session.sessions import make_session

TEXT = "the cat sat on the mat . the cat sat on"
NAMES = ("entropy", "sink", "prev_token", "self", "distance", "induction")


def _eager_attention(eager, ids: list[int]) -> np.ndarray:
    with torch.no_grad():
        out = eager(input_ids=torch.tensor([ids]), output_attentions=True)
    return torch.stack(out.attentions)[:, 0].numpy()  # [layer, head, q, k]


@pytest.mark.parametrize("name", ["gpt2", "llama"])
def test_scores_of_a_session_equal_fingerprints_of_the_eager_attention(tiny, name):
    eager, loaded = tiny(name)
    session = make_session(loaded)
    session.prefill(TEXT)
    session.step(choose=9)
    ids = session.token_ids
    snapshot = session.store.snapshot()
    scores = head_scores(snapshot, "decoder", ids)
    expected = head_fingerprints(_eager_attention(eager, ids), True, np.array(ids)).arrays()
    assert scores.tokens == len(ids) and scores.snapshot is snapshot
    for metric in NAMES:
        got = scores.prints.arrays()[metric]
        assert got.shape == (2, 4) and got.dtype == np.float32
        np.testing.assert_allclose(got, expected[metric], atol=2e-3, rtol=2e-3)  # the store keeps float16
    assert np.isfinite(scores.prints.induction).all()  # "the cat sat on" repeats


def test_rollout_of_a_session_equals_rollout_of_the_eager_attention(tiny):
    eager, loaded = tiny("gpt2")
    session = make_session(loaded)
    session.prefill(TEXT)
    result = stack_rollout(session.store.snapshot(), "decoder")
    expected = rollout(_eager_attention(eager, session.token_ids))
    assert result.matrices.shape == expected.shape
    np.testing.assert_allclose(result.matrices, expected, atol=2e-3)


def test_encoder_scores_have_no_induction_and_cross_attention_is_refused(tiny):
    _eager, loaded = tiny("bart")
    session = make_session(loaded)
    session.prefill("", source="the cat sat on the mat")
    snapshot = session.store.snapshot()
    assert np.isnan(head_scores(snapshot, "encoder", [1, 2, 3]).prints.induction).all()
    with pytest.raises(EngineError, match="self-attention"):
        head_scores(snapshot, "cross", None)
    with pytest.raises(EngineError, match="self-attention"):
        stack_rollout(snapshot, "cross")


def test_induction_probe_scores_equal_the_eager_model_on_the_probe_and_change_nothing(tiny):
    eager, loaded = tiny("llama")
    session = make_session(loaded)
    session.prefill(TEXT)
    before = session.store.snapshot().full("decoder")
    scores = run_induction_probe(loaded, half=12, seed=3)
    ids = scores.probe_ids
    assert ids is not None and len(ids) == 24 and (ids[:12] == ids[12:]).all()
    assert len(set(ids[:12].tolist())) == 12 and ids.min() >= probe_low(loaded) > 0  # past the special tokens
    expected = head_fingerprints(_eager_attention(eager, ids.tolist()), True, ids).induction
    np.testing.assert_allclose(scores.prints.induction, expected, atol=2e-3)
    assert scores.snapshot is None and scores.stack == "decoder"
    np.testing.assert_array_equal(session.store.snapshot().full("decoder"), before)
    np.testing.assert_array_equal(run_induction_probe(loaded, half=12, seed=3).probe_ids, ids)  # seeded


def test_induction_probe_needs_a_decoder(tiny):
    _eager, loaded = tiny("bert")
    with pytest.raises(EngineError, match="decoder-only"):
        run_induction_probe(loaded)


def test_export_probe_writes_the_probe_and_its_head_scores(folders, tmp_path, private_dirs):
    from transformers import AutoModelForCausalLM

    from attnlab.engine.cli.export import main

    out = tmp_path / "probe.npz"
    assert main(["--model", str(folders["gpt"]), "--text", "the cat", "--analyses", "probe", "--out", str(out)]) == 0
    data = dict(np.load(out, allow_pickle=False))
    ids = data["probe_token_ids"]
    half = len(ids) // 2
    assert half == 32 and (ids[:half] == ids[half:]).all()  # the tiny GPT takes 64 positions: 32 per half
    eager = AutoModelForCausalLM.from_pretrained(folders["gpt"], attn_implementation="eager")
    expected = head_fingerprints(_eager_attention(eager, ids.tolist()), True, ids).arrays()
    for name in NAMES:
        assert data[f"probe_head_{name}"].dtype == np.float32
        np.testing.assert_allclose(data[f"probe_head_{name}"], expected[name], atol=2e-3)


@pytest.mark.parametrize("rows", [1, 2, 7, 70])
def test_fingerprints_of_the_packed_triangle_equal_those_of_the_matrices(rows):
    from attnlab.engine.analyses import packed_fingerprints
    from benchmarks.synthetic import STACK, synthetic_store

    snapshot = synthetic_store(2, 3, rows, seed=rows).snapshot()
    ids = np.random.default_rng(rows).integers(0, 4, rows)  # a small vocabulary: many repeats
    for layer in range(2):
        matrices = snapshot.layer(STACK, layer)  # [head, q, k]
        packed = snapshot.packed(STACK, layer)
        assert packed.shape == (3, rows * (rows + 1) // 2) and not packed.flags.writeable
        for token_ids in (ids, None):
            got = packed_fingerprints(packed, rows, token_ids).arrays()
            want = head_fingerprints(matrices, True, token_ids).arrays()
            for name in NAMES:
                np.testing.assert_allclose(got[name], want[name], rtol=1e-5, atol=1e-6, err_msg=name)
        np.testing.assert_allclose(snapshot.mean(STACK, layer), matrices.mean(axis=0), rtol=1e-6, atol=1e-7)
