"""Analyses in long-document mode equal the exact mode's: head fingerprints and rollout from rows recomputed
a block at a time, lens / importance / probe (which never read the store); through the engine and the CLI."""

import copy

import numpy as np
import pytest
import torch
from tiny_models import save, tiny_gpt2, tiny_llama

from attnlab.app.cli import main
from attnlab.engine.analyses import head_fingerprints, rollout
from attnlab.engine.analyses.fingerprints import causal_fingerprints, packed_rows
from attnlab.engine.analyses.head_scores import head_scores, stack_rollout
from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.api.memory_budget import AttentionMemoryError
from attnlab.engine.api.results import Masks
from attnlab.engine.interpret.importance import head_importance
from attnlab.engine.interpret.lens import logit_lens
from attnlab.engine.interpret.probe_run import run_induction_probe
from attnlab.engine.long.rows import long_head_scores, long_rollout, rollout_unavailable
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import GenerationSession

WORDS = "the cat sat on the mat and the dog ran to the big red rug in Paris . she was in France".split()
TEXT = " ".join(WORDS[i % len(WORDS)] if i % 7 else WORDS[(i * 5) % len(WORDS)] for i in range(290))
MASKS = Masks(knockouts=frozenset({("decoder", 3), ("decoder", 150)}), ablated_heads=frozenset({("decoder", 1, 2)}))
NAMES = ("entropy", "sink", "prev_token", "self", "distance", "induction")


def _build(name: str):
    if name == "gpt2":
        return tiny_gpt2(positions=512)
    model, tokenizer = tiny_llama()  # rotary positions and grouped-query heads
    model.config.max_position_embeddings = 512
    return model, tokenizer


def _twins(name: str, generate: int = 3):
    """The same run (prompt of 291 tokens in prefill blocks of 64, then steps) in exact and long mode,
    and an eager copy of the model."""
    model, tokenizer = _build(name)
    eager = copy.deepcopy(model)
    sessions = []
    for mode in ("exact", "long"):
        session = GenerationSession(wrap_model(copy.deepcopy(model), tokenizer, name=name))
        session.prefill_block, session.store_mode = 64, mode
        session.set_sampling(SamplingConfig(max_new_tokens=generate))
        session.prefill(TEXT, MASKS)
        for token in range(9, 9 + generate):
            session.step(choose=token)
        sessions.append(session)
    exact, long = sessions
    assert long.long_attention is not None and exact.long_attention is None
    assert len(long.token_ids) == len(exact.token_ids) == 291 + generate
    return eager, exact, long


@pytest.fixture(scope="module", params=["gpt2", "llama"])
def twins(request):
    return _twins(request.param)


def test_head_scores_from_recomputed_rows_equal_the_exact_store(twins):
    _eager, exact, long = twins
    snapshot = exact.state().attention
    want = head_scores(snapshot, "decoder", exact.token_ids).prints.arrays()
    progress = []
    scores = long_head_scores(long, long.state().attention, block=32, progress=lambda m, f: progress.append(f))
    got = scores.prints.arrays()
    assert scores.tokens == len(long.token_ids) and scores.stack == "decoder"
    for name in NAMES:
        assert got[name].shape == want[name].shape == (2, 4) and got[name].dtype == np.float32
        np.testing.assert_allclose(got[name], want[name], rtol=1e-4, atol=1e-4, err_msg=name)  # float16 rows
    assert np.isfinite(got["induction"]).all()  # the text repeats
    assert len(progress) == 2 * 10 and progress[9] == 0.5 and progress[-1] == 1.0  # per block of 32 rows


def test_scores_after_a_step_or_an_undo_recompute_only_the_rows_that_changed():
    """Rows never change once computed: the next request reuses their terms (same state, same tokens up to
    them) and recomputes the rest; still equal to the exact store after each change."""
    _eager, exact, long = _twins("llama")
    for session in (exact, long):
        session.set_sampling(SamplingConfig(max_new_tokens=10))
    blocks: list[float] = []

    def check(expected_blocks: int) -> None:
        blocks.clear()
        got = long_head_scores(long, block=32, progress=lambda m, f: blocks.append(f)).prints.arrays()
        want = head_scores(exact.state().attention, "decoder", exact.token_ids).prints.arrays()
        for name in NAMES:
            np.testing.assert_allclose(got[name], want[name], rtol=1e-4, atol=1e-4, err_msg=name)
        assert len(blocks) == 2 * expected_blocks  # 2 layers

    check(10)  # 294 rows: every block of 32
    for session in (exact, long):
        session.step(choose=20)
    check(1)  # row 294 only
    for session in (exact, long):
        session.undo()
        session.undo()
        session.step(choose=30)  # row 293 changed: its block (288..) again
    check(1)
    long.prefill(TEXT, MASKS)  # a new prefill: nothing kept
    exact.prefill(TEXT, MASKS)
    check(10)


def test_head_scores_and_rollout_in_long_mode_equal_those_of_the_eager_model(twins):
    """Independent of the exact store: the eager model's own `output_attentions` on the same tokens (no
    knock-outs or ablation there, so this long-mode session has none)."""
    eager, _exact, long = twins
    session = GenerationSession(long.loaded)
    session.prefill_block, session.store_mode = 64, "long"
    session.prefill(TEXT)
    ids = session.token_ids
    assert session.long_attention is not None and "decoder" not in session.state().attention.stacks
    with torch.no_grad():
        attentions = eager(input_ids=torch.tensor([ids]), output_attentions=True).attentions
    eager_rows = torch.stack(attentions)[:, 0].numpy()  # [layer, head, q, k]
    want = head_fingerprints(eager_rows, True, np.array(ids)).arrays()
    got = long_head_scores(session, block=50).prints.arrays()
    for name in NAMES:
        np.testing.assert_allclose(got[name], want[name], atol=2e-3, rtol=2e-3, err_msg=name)  # float16 rows
    np.testing.assert_allclose(long_rollout(session, block=50).matrices, rollout(eager_rows), atol=2e-3)


def test_rollout_from_recomputed_rows_equals_the_exact_store(twins):
    _eager, exact, long = twins
    want = stack_rollout(exact.state().attention, "decoder").matrices
    got = long_rollout(long, block=40)
    assert got.matrices.shape == want.shape and got.snapshot is None
    np.testing.assert_allclose(got.matrices, want, atol=1e-4)


def test_lens_importance_and_probe_do_not_read_the_store(twins):
    """They run the model again (the lens in long mode: in blocks of 64 queries through a fresh cache)."""
    _eager, exact, long = twins
    lens_exact, lens_long = logit_lens(exact, 5), logit_lens(long, 5)
    np.testing.assert_array_equal(lens_long.topk_ids, lens_exact.topk_ids)
    np.testing.assert_allclose(lens_long.topk_probs, lens_exact.topk_probs, atol=1e-5)
    last = logit_lens(long, 5, positions=70)  # starts inside a block
    np.testing.assert_array_equal(last.topk_ids, lens_exact.topk_ids[:, -70:])
    assert last.start == 294 - 70 and len(last.tokens) == 70
    importance_exact, importance_long = head_importance(exact), head_importance(long)
    assert importance_long.target_id == importance_exact.target_id
    np.testing.assert_allclose(importance_long.values, importance_exact.values, atol=1e-4)
    probe_exact, probe_long = run_induction_probe(exact.loaded, half=12), run_induction_probe(long.loaded, half=12)
    np.testing.assert_allclose(probe_long.prints.induction, probe_exact.prints.induction, atol=1e-6)


def test_blocks_of_packed_rows_give_the_fingerprints_of_the_whole_triangle():
    """Pure numpy: rows cut into blocks of any size and joined equal the triangle read at once."""
    rng = np.random.default_rng(0)
    rows, ids = 37, rng.integers(0, 5, 37)
    weights = np.tril(rng.random((3, rows, rows))).astype(np.float32)
    weights /= weights.sum(-1, keepdims=True)  # [head, q, k], causal rows summing to 1
    want = head_fingerprints(weights, True, ids).arrays()
    for size in (1, 5, 16, 37):
        parts = []
        for first in range(0, rows, size):
            end = min(first + size, rows)
            block = weights[:, first:end, :end]
            parts.append(packed_rows(block[:, np.tri(end - first, end, first, dtype=bool)], first, end, ids))
        got = causal_fingerprints(parts).arrays()
        for name in NAMES:
            np.testing.assert_allclose(got[name], want[name], rtol=1e-5, atol=1e-6, err_msg=f"{name}, blocks of {size}")


def test_analyses_that_would_not_fit_are_refused_with_their_size(twins, monkeypatch):
    """800 kB free: a rollout (2 MB) and a whole-input forward (4 MB of scores) are refused; long mode's
    lens feeds the input a block of queries at a time and runs."""
    _eager, exact, long = twins
    monkeypatch.setattr("attnlab.engine.api.memory_budget.available_memory", lambda: 1_000_000)
    with pytest.raises(AttentionMemoryError, match="attention rollout of 294 tokens through 2 layers needs"):
        long_rollout(long)
    for analysis, session, what in ((logit_lens, exact, "the logit lens"), (head_importance, long, "head importance")):
        with pytest.raises(AttentionMemoryError, match=f"{what} over 294 tokens .the whole input in one forward"):
            analysis(session)
    assert logit_lens(long, 3).topk_ids.shape == (3, 294, 3)
    assert "not shown in long-document mode" in str(rollout_unavailable(8192))
    assert "8,192 × 8,192" in str(rollout_unavailable(8192))


# -- the command line ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _private(private_dirs):
    """The CLI writes to the user's folders: keep them temporary."""


@pytest.fixture(scope="module")
def long_folder(tmp_path_factory):
    return save(*tiny_gpt2(positions=512), tmp_path_factory.mktemp("models") / "gpt512")


def _export(tmp_path, name: str, *args) -> dict:
    out = tmp_path / f"{name}.npz"
    assert main(["export", *args, "--out", str(out)]) == 0
    return dict(np.load(out, allow_pickle=False))


def test_every_analysis_of_a_long_export_equals_the_exact_export(long_folder, tmp_path, monkeypatch):
    monkeypatch.setattr("attnlab.engine.long.rows.BLOCK_VALUES", 4 * 300 * 24)  # rows recomputed 24 queries at a time
    args = [
        "--model",
        str(long_folder),
        "--text",
        TEXT,
        "--generate",
        "2",
        "--knockout-positions",
        "5",
        "--ablate-heads",
        "0:1",
        "--analyses",
        "heads,rollout,lens,importance,probe",
    ]
    exact = _export(tmp_path, "exact", *args, "--store", "exact")
    long = _export(tmp_path, "long", *args, "--store", "long", "--layers", "1", "--heads", "0")
    assert long["generated_ids"].tolist() == exact["generated_ids"].tolist()
    assert set(long) == set(exact)
    for name in NAMES:
        np.testing.assert_allclose(
            long[f"decoder_head_{name}"], exact[f"decoder_head_{name}"], atol=1e-4, rtol=1e-4, err_msg=name
        )  # exact: float32 matrices; long: float16 rows
    np.testing.assert_allclose(long["decoder_rollout"], exact["decoder_rollout"], atol=1e-4)
    for name in ("lens_topk_ids", "probe_token_ids", "importance_target_id"):
        np.testing.assert_array_equal(long[name], exact[name], err_msg=name)
    for name in ("lens_topk_probs", "head_importance", *(f"probe_head_{n}" for n in NAMES)):
        np.testing.assert_allclose(long[name], exact[name], atol=1e-4, err_msg=name)
    np.testing.assert_allclose(long["decoder_attentions"], exact["decoder_attentions"][[1]][:, [0]], atol=1e-3)


def test_a_long_export_whose_rollout_would_not_fit_is_refused_with_its_size(long_folder, tmp_path, capsys, monkeypatch):
    # 800 kB: rollout needs 677 kB more
    monkeypatch.setattr("attnlab.engine.cli.export.available_memory", lambda: 1_000_000)
    out = tmp_path / "x.npz"
    args = ["--model", str(long_folder), "--text", TEXT, "--store", "long", "--layers", "0", "--heads", "0"]
    assert main(["export", *args, "--analyses", "rollout", "--out", str(out)]) == 2
    assert "the export would take" in capsys.readouterr().err and not out.exists()
    assert main(["export", *args, "--analyses", "heads", "--out", str(out)]) == 0  # rows a block at a time
