"""Head importance: exact Δ log p per head (batched ablations) against ablated runs; the gradient estimate's sign."""

import threading

import numpy as np
import pytest
import torch
from tiny_models import BUILDERS, MASK, VOCAB, tiny_gemma2, tiny_gpt2

from attnlab.app.cli import main
from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.api.errors import Cancelled, EngineError
from attnlab.engine.api.results import Masks
from attnlab.engine.interpret.importance import head_importance
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import make_session

TEXT = "the cat sat on the mat"


@pytest.fixture
def _private(private_dirs):
    """The CLI writes to the user's folders: keep them temporary."""


def _export(tmp_path, name, *args) -> dict:
    out = tmp_path / f"{name}.npz"
    assert main(["export", *args, "--out", str(out)]) == 0
    return dict(np.load(out))


def _logprob(data: dict, target: int) -> float:
    """log p(target) of the first generated step, from a full-vocabulary candidate list."""
    ids, probs = data["step_topk_ids"][0], data["step_topk_probs"][0]
    return float(np.log(probs[list(ids).index(target)]))


def test_cli_importance_is_the_difference_of_two_ablated_exports(folders, tmp_path, _private):
    model = ["--model", str(folders["gpt"]), "--text", "the cat sat"]
    data = _export(tmp_path, "importance", *model, "--analyses", "importance")
    importance, target = data["head_importance"], int(data["importance_target_id"])
    assert importance.dtype == np.float32 and importance.shape == (2, 4)
    assert data["importance_target_id"].dtype == np.int64
    every = ["--generate", "1", "--top-k-candidates", str(VOCAB)]
    plain = _export(tmp_path, "plain", *model, *every)
    assert target == plain["generated_ids"][0]  # the top-1 next token (greedy)
    for layer, head in [(0, 1), (1, 3)]:
        ablated = _export(tmp_path, f"ablated{layer}{head}", *model, *every, "--ablate-heads", f"{layer}:{head}")
        expected = _logprob(plain, target) - _logprob(ablated, target)
        assert importance[layer, head] == pytest.approx(expected, abs=1e-4)


def test_masked_lm_importance_explains_the_first_mask(folders, tmp_path, _private):
    args = ["--model", str(folders["bert"]), "--text", TEXT, "--mask-positions", "4,2"]
    data = _export(tmp_path, "bert", *args, "--analyses", "importance")
    target = int(data["importance_target_id"])
    full = ["--top-k-candidates", str(VOCAB)]
    plain = _export(tmp_path, "plain", *args, *full)
    assert data["mask_positions"].tolist() == [2, 4] and plain["mask_topk_ids"][0, 0] == target
    ablated = _export(tmp_path, "ablated", *args, *full, "--ablate-heads", "1:2")

    def logprob(d):
        return np.log(d["mask_topk_probs"][0][list(d["mask_topk_ids"][0]).index(target)])

    assert data["head_importance"][1, 2] == pytest.approx(logprob(plain) - logprob(ablated), abs=1e-4)


def _session(name="gpt2", masks=Masks()):
    model, tokenizer = tiny_gpt2()
    session = make_session(wrap_model(model, tokenizer, name=name))
    session.prefill(TEXT, masks)
    return session


def test_batch_rows_carry_different_ablations():
    """One head per forward or all heads in one forward: the same numbers."""
    from attnlab.engine.interpret.importance import exact_importance

    session = _session()
    one = exact_importance(session, rows=1).values
    np.testing.assert_allclose(exact_importance(session, rows=8).values, one, atol=1e-5)
    np.testing.assert_allclose(exact_importance(session, rows=3).values, one, atol=1e-5)
    assert np.abs(one).max() > 1e-4


def test_an_already_ablated_head_does_not_matter_and_a_chosen_target_is_kept():
    session = _session(masks=Masks(ablated_heads=frozenset({("decoder", 1, 0)})))
    result = head_importance(session, target=MASK)
    assert result.target_id == MASK and result.values[1, 0] == 0
    assert result.exact and result.stack == "decoder" and result.position == len(session.token_ids) - 1


def test_progress_and_cancel():
    from attnlab.engine.interpret.importance import exact_importance

    session = _session()
    seen: list[float] = []
    exact_importance(session, progress=lambda message, fraction: seen.append(fraction), rows=3)
    assert len(seen) > 1 and seen == sorted(seen) and seen[-1] == 1.0
    cancel = threading.Event()

    def stop(message, fraction):
        cancel.set()

    with pytest.raises(Cancelled):
        exact_importance(session, progress=stop, cancel=cancel, rows=3)


def test_bad_requests_are_refused():
    model, tokenizer = tiny_gpt2()
    session = make_session(wrap_model(model, tokenizer))
    with pytest.raises(EngineError, match="give a prompt first"):
        head_importance(session)
    session.prefill(TEXT, Masks())
    with pytest.raises(EngineError, match="not in the vocabulary"):
        head_importance(session, target=VOCAB + 5)


def _one_head_answers(answer: int):
    """A 2-layer GPT-2 where only layer 1's head 0 writes into the residual stream (every other head's
    output projection and every MLP are zero): its value is a constant that points at `answer`."""
    model, tokenizer = tiny_gpt2(seed=1)
    with torch.no_grad():
        for block in model.transformer.h:
            block.attn.c_proj.weight.zero_()
            block.attn.c_proj.bias.zero_()
            block.mlp.c_proj.weight.zero_()
            block.mlp.c_proj.bias.zero_()
        width = model.config.n_embd
        attn = model.transformer.h[1].attn
        attn.c_attn.weight[:, 2 * width : 2 * width + 8] = 0  # head 0's values: no input ...
        attn.c_attn.bias[2 * width : 2 * width + 8] = 0
        attn.c_attn.bias[2 * width] = 1.0  # ... but a constant
        direction = model.transformer.wte.weight[answer]  # tied with the output head
        attn.c_proj.weight[0] = 3 * direction / direction.norm() * model.transformer.wte.weight.norm(dim=1).mean()
    return model, tokenizer


def test_gradient_estimate_points_at_the_head_that_carries_the_answer():
    answer = 20
    model, tokenizer = _one_head_answers(answer)
    session = make_session(wrap_model(model, tokenizer))
    session.prefill(TEXT, Masks())
    exact = head_importance(session)
    estimate = head_importance(session, exact=False)
    assert exact.target_id == estimate.target_id == answer  # the built head makes it the top-1
    assert not estimate.exact and estimate.logprob == pytest.approx(exact.logprob, abs=1e-5)
    assert exact.values[1, 0] > 0.1 and estimate.values[1, 0] > 0.1
    others = np.ones((2, 4), bool)
    others[1, 0] = False
    assert np.abs(exact.values[others]).max() < 1e-6 and np.abs(estimate.values[others]).max() < 1e-6


def _prediction_logprob(name: str, masks: Masks, target: int | None = None):
    """(log p of the prediction the importance explains, that token) from a plain session run with `masks`."""
    model, tokenizer = {**BUILDERS, "gemma2": tiny_gemma2}[name]()
    session = make_session(wrap_model(model, tokenizer, name=name))
    if session.info.kind == "encoder":
        masks = Masks(frozenset({2}), masks.knockouts, masks.ablated_heads)
        candidates = session.analyse(TEXT, masks, top_k=VOCAB).mask_predictions[0].candidates
    else:
        session.set_sampling(SamplingConfig(candidates=VOCAB))
        if session.info.kind == "decoder":
            session.prefill(TEXT, masks)
        else:
            session.prefill("dog", masks, source=TEXT)
        candidates = session.state().next_candidates
    chosen = candidates[0].token_id if target is None else target
    return float(np.log(next(c.prob for c in candidates if c.token_id == chosen))), chosen, session


@pytest.mark.parametrize("name", ["bart", "bert", "gemma2", "llama", "t5"])
def test_every_architecture_matches_ablated_runs(name):
    """Resuming at the ablated layer (or running the whole model) gives what an ablated run predicts."""
    from attnlab.engine.interpret.importance import _block_calls, _Resume
    from attnlab.engine.interpret.lens import blocks

    main = "encoder" if name == "bert" else "decoder"
    knock = Masks(knockouts=frozenset({(main if name != "t5" else "encoder", 1)}))
    base, target, session = _prediction_logprob(name, knock)
    result = head_importance(session)
    assert result.target_id == target and result.logprob == pytest.approx(base, abs=1e-5)
    for layer, head in [(0, 2), (1, 1)]:
        ablated = Masks(knockouts=knock.knockouts, ablated_heads=frozenset({(main, layer, head)}))
        logprob, _, _ = _prediction_logprob(name, ablated, target)
        assert result.values[layer, head] == pytest.approx(base - logprob, abs=1e-4)
    # every tiny architecture takes the resumed path
    position = session.prediction().position
    assert position is not None
    stack_blocks = blocks(session.model, session.loaded.sites, main)
    with torch.inference_mode():
        with _block_calls(stack_blocks) as calls:
            clean = session.rerun(session.interventions(), 1, position)[0].float()
        assert _Resume(session, stack_blocks, calls, position).reproduces(clean)
