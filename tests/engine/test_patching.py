"""Activation patching against runs the test patches itself with forward hooks on a plain GPT-2."""

import threading

import numpy as np
import pytest
import torch
from tiny_models import tiny_bert, tiny_gemma2, tiny_gpt2, tiny_llama

from attnlab.engine.api.config import Corruption
from attnlab.engine.api.errors import Cancelled, EngineError
from attnlab.engine.api.results import Masks
from attnlab.engine.interpret.patching import patch, patched_run
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import make_session

TEXT = "the cat sat on the mat"
OTHER = "a dog ran on the rug"  # as many tokens


def _gpt(masks=Masks()):
    model, tokenizer = tiny_gpt2()
    session = make_session(wrap_model(model, tokenizer, name="gpt2"))
    session.prefill(TEXT, masks)
    return session


def test_patching_the_clean_run_into_itself_recovers_one_everywhere():
    session = _gpt()
    result = patch(session, Corruption(text=TEXT))
    assert result.clean_metric == result.corrupt_metric
    for values in (result.residual, result.attention, result.mlp, result.heads):
        np.testing.assert_array_equal(values, 1.0)  # NaN would mean a patched run differed from the clean one
    assert (
        result.residual.shape == (2, 7) and result.heads.shape == (2, 4) and result.done == result.total == 3 * 14 + 8
    )


def test_the_last_layer_at_the_last_position_restores_the_clean_logits():
    session = _gpt()
    noise = Corruption(positions=(1, 2), noise=3.0)
    result = patch(session, noise, sites=("residual",))
    assert result.residual[-1, -1] == pytest.approx(1.0, abs=1e-5)
    assert abs(result.clean_metric - result.corrupt_metric) > 1e-3  # the noise did change the prediction
    run = patched_run(session, noise, "residual", 1, 6, k=10)
    clean = session.state().next_candidates
    assert [c.token_id for c in run.candidates] == [c.token_id for c in clean]
    np.testing.assert_allclose([c.prob for c in run.candidates], [c.prob for c in clean], atol=1e-6)
    assert np.isnan(result.attention).all()  # not asked for


class _Reference:
    """The test's own patching on the plain model: hooks on GPT-2's modules, nothing from attnlab."""

    def __init__(self, model, clean_ids, corrupt_ids):
        self.model, self.clean_ids, self.corrupt_ids = model, clean_ids, corrupt_ids
        self.blocks = model.transformer.h
        self.seen = {}
        hooks = []
        for layer, block in enumerate(self.blocks):
            hooks.append(block.register_forward_hook(self._keep(("residual", layer))))
            hooks.append(block.attn.register_forward_hook(self._keep(("attention", layer))))
            hooks.append(block.mlp.register_forward_hook(self._keep(("mlp", layer))))
            hooks.append(block.attn.c_proj.register_forward_pre_hook(self._keep_input(("heads", layer))))
        try:
            self.clean = self._logits(clean_ids)
        finally:
            for hook in hooks:
                hook.remove()
        self.target = int(torch.argmax(self.clean))
        self.corrupt = self._logits(corrupt_ids)

    def _keep(self, key):
        def hook(module, args, output):
            self.seen[key] = (output[0] if isinstance(output, tuple) else output).detach().clone()

        return hook

    def _keep_input(self, key):
        def hook(module, args):
            self.seen[key] = args[0].detach().clone()

        return hook

    def _logits(self, ids):
        with torch.no_grad():
            return self.model(input_ids=torch.tensor([ids])).logits[0, -1]

    def metric(self, logits):
        return float(torch.log_softmax(logits, -1)[self.target])

    def share(self, site, layer, index):
        clean = self.seen[(site, layer)]
        last = len(self.clean_ids) - 1
        block = self.blocks[layer]

        def replace(module, args, output):
            hidden = (output[0] if isinstance(output, tuple) else output).clone()
            hidden[0, index] = clean[0, index]
            return (hidden, *output[1:]) if isinstance(output, tuple) else hidden

        def replace_head(module, args):
            merged = args[0].clone()  # [batch, token, head · dim]
            width = merged.shape[-1] // 4
            merged[0, last, index * width : (index + 1) * width] = clean[0, last, index * width : (index + 1) * width]
            return (merged,)

        if site == "heads":
            handle = block.attn.c_proj.register_forward_pre_hook(replace_head)
        else:
            module = {"residual": block, "attention": block.attn, "mlp": block.mlp}[site]
            handle = module.register_forward_hook(replace)
        try:
            patched = self._logits(self.corrupt_ids)
        finally:
            handle.remove()
        m_clean, m_corrupt = self.metric(self.clean), self.metric(self.corrupt)
        return (self.metric(patched) - m_corrupt) / (m_clean - m_corrupt)


def test_cells_equal_runs_patched_by_hand():
    session = _gpt()
    result = patch(session, Corruption(text=OTHER))
    corrupt_ids = session.tokenizer(OTHER)["input_ids"]
    reference = _Reference(session.model, session.token_ids, corrupt_ids)
    assert result.target_id == reference.target
    assert result.clean_metric == pytest.approx(reference.metric(reference.clean), abs=1e-5)
    assert result.corrupt_metric == pytest.approx(reference.metric(reference.corrupt), abs=1e-5)
    for site, layer, index in [
        ("residual", 0, 1),
        ("residual", 0, 6),
        ("residual", 1, 3),
        ("attention", 0, 2),
        ("attention", 1, 6),
        ("mlp", 0, 6),
        ("mlp", 1, 4),
        ("heads", 0, 1),
        ("heads", 1, 3),
    ]:
        expected = reference.share(site, layer, index)
        assert getattr(result, site)[layer, index] == pytest.approx(expected, abs=1e-4), (site, layer, index)


def test_batched_equals_one_at_a_time():
    session = _gpt()
    for corruption in (Corruption(text=OTHER), Corruption(positions=(2,), noise=3.0, seed=1)):
        batched = patch(session, corruption)
        single = patch(session, corruption, rows=1)
        gap = abs(batched.clean_metric - batched.corrupt_metric)  # float32 rounding of the metric, over the gap
        for site in ("residual", "attention", "mlp", "heads"):
            np.testing.assert_allclose(getattr(batched, site), getattr(single, site), atol=1e-6 / gap + 1e-6)


@pytest.mark.parametrize("build", [tiny_gpt2, tiny_llama, tiny_gemma2])
def test_feeding_only_the_later_positions_changes_nothing(build, monkeypatch):
    """Causal decoders feed a patched run from its first patched position on (the earlier keys from the
    corrupted run); the maps equal patched runs of every position (Gemma-2: local layers, softcaps)."""
    from attnlab.engine.interpret import patching

    model, tokenizer = build()
    session = make_session(wrap_model(model, tokenizer, name="m"))
    session.prefill(TEXT, Masks(knockouts=frozenset({("decoder", 3)}), ablated_heads=frozenset({("decoder", 1, 0)})))
    corruption = Corruption(text=OTHER)
    fast = patch(session, corruption)
    monkeypatch.setattr(patching._Experiment, "_suffix_reproduces", lambda self: False)
    slow = patch(session, corruption)
    gap = abs(fast.clean_metric - fast.corrupt_metric)
    for site in ("residual", "attention", "mlp", "heads"):
        np.testing.assert_allclose(getattr(fast, site), getattr(slow, site), atol=1e-6 / gap + 1e-6)


def test_an_alternative_makes_the_metric_a_logit_difference():
    session = _gpt()
    result = patch(session, Corruption(text=OTHER), sites=("residual",), alternative=9)
    corrupt_ids = session.tokenizer(OTHER)["input_ids"]
    reference = _Reference(session.model, session.token_ids, corrupt_ids)
    expected = float(reference.clean[reference.target] - reference.clean[9])
    assert result.alternative_id == 9 and result.clean_metric == pytest.approx(expected, abs=1e-5)
    assert result.residual[-1, -1] == pytest.approx(1.0, abs=1e-5)


def test_partial_results_progress_and_cancel():
    session = _gpt()
    seen, stages = [], []
    patch(
        session,
        Corruption(text=OTHER),
        sites=("residual", "heads"),
        partial=seen.append,
        progress=lambda m, f: stages.append(f),
    )
    done = [r.done for r in seen]
    assert done == sorted(done) and done[-1] == seen[-1].total == 2 * 7 + 2 * 4 and stages[-1] == 1.0
    first = seen[0].residual
    assert np.isnan(first[1]).all() and not np.isnan(first[0, : done[0]]).any()  # filled as rows arrive
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        patch(session, Corruption(text=OTHER), cancel=cancel)


def test_bad_corruptions_are_refused_with_what_to_do():
    session = _gpt()
    with pytest.raises(EngineError, match="same length"):
        patch(session, Corruption(text="the cat"))
    with pytest.raises(EngineError, match="out of range"):
        patch(session, Corruption(positions=(9,)))
    with pytest.raises(ValueError, match="not both"):
        Corruption(text=OTHER, positions=(1,))


def test_masked_lm_patching_at_the_mask_slot():
    model, tokenizer = tiny_bert()
    session = make_session(wrap_model(model, tokenizer, name="bert"))
    session.analyse(TEXT, Masks(mask_positions=frozenset({3})))
    result = patch(session, Corruption(positions=(1, 2)))
    assert result.residual.shape == (2, 8)
    assert result.residual[-1, 3] == pytest.approx(1.0, abs=1e-5)  # the slot's last hidden state is its prediction
    assert result.corrupt_tokens[3] == "[MASK]"
