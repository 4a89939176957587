"""Direct logit attribution against a plain eager forward whose hooks the test writes.

Pre-norm models (GPT-2's LayerNorm, Llama's RMSNorm): every head, MLP and the embeddings are recomputed
here from the output projection's input, the MLP's output, the final norm's input and the unembedding.
Post-norm models (BERT's MLM head, a BART decoder): the sum rule against the eager model's own logit.
"""

import copy

import numpy as np
import pytest
import torch
from tiny_models import MASK, tiny_bart, tiny_bert, tiny_gpt2, tiny_llama

from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.results import Masks
from attnlab.engine.interpret.logit_attribution import logit_attribution
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import make_session

TEXT = "the cat sat on the mat"


def _keep(seen, name, pre=False):
    if pre:
        return lambda m, a: seen.__setitem__(name, a[0][0, -1].detach().double())
    return lambda m, a, o: seen.__setitem__(name, (o[0] if isinstance(o, tuple) else o)[0, -1].detach().double())


def _total(dla):
    cross = 0.0 if dla.cross_heads is None else float(dla.cross_heads.sum())
    return float(dla.heads.sum()) + cross + float(dla.mlp.sum()) + dla.embed + dla.bias


def _eager_components(eager, ids, blocks, attn_proj, mlp_of, final_norm, heads, centre):
    """{name: vector at the last position} of the eager forward, and the final norm's frozen map."""
    seen: dict[str, torch.Tensor] = {}
    handles = [blocks[0].register_forward_pre_hook(_keep(seen, "embed", pre=True))]
    for i, block in enumerate(blocks):
        handles.append(attn_proj(block).register_forward_pre_hook(_keep(seen, f"z{i}", pre=True)))
        handles.append(mlp_of(block).register_forward_hook(_keep(seen, f"mlp{i}")))
    handles.append(final_norm.register_forward_pre_hook(_keep(seen, "final", pre=True)))
    with torch.no_grad():
        logits = eager(input_ids=ids).logits[0, -1].double()
    for h in handles:
        h.remove()
    x = seen["final"]
    eps = getattr(final_norm, "eps", None) or final_norm.variance_epsilon
    scale = torch.sqrt(x.var(unbiased=False) + eps) if centre else torch.sqrt((x**2).mean() + eps)
    gamma = final_norm.weight.detach().double()

    def frozen(c):
        return gamma * ((c - c.mean()) if centre else c) / scale

    return seen, frozen, logits


def _check_pre_norm(session, eager, blocks, attn_proj, mlp_of, final_norm, centre, w_o):
    dla = logit_attribution(session)
    ids = torch.tensor([session.token_ids])
    seen, frozen, logits = _eager_components(eager, ids, blocks, attn_proj, mlp_of, final_norm, 4, centre)
    t = int(torch.argmax(logits))
    assert dla.target_id == t
    w_u = eager.get_output_embeddings().weight[t].detach().double()
    for layer in range(len(blocks)):
        z = seen[f"z{layer}"].view(4, -1)
        for head in range(4):
            expected = float(w_u @ frozen(z[head] @ w_o(blocks[layer], head)))
            assert dla.heads[layer, head] == pytest.approx(expected, abs=1e-4)
        assert dla.mlp[layer] == pytest.approx(float(w_u @ frozen(seen[f"mlp{layer}"])), abs=1e-4)
    assert dla.embed == pytest.approx(float(w_u @ frozen(seen["embed"])), abs=1e-4)
    assert dla.logit == pytest.approx(float(logits[t]), abs=1e-4)
    assert _total(dla) == pytest.approx(float(logits[t]), abs=1e-3)  # the sum rule
    return dla, logits


def test_gpt2_every_component_matches_and_the_sum_rule_holds():
    model, tokenizer = tiny_gpt2()
    eager = copy.deepcopy(model)
    session = make_session(wrap_model(model, tokenizer, name="gpt2"))
    session.prefill(TEXT)
    session.run(1)

    def w_o(block, head):
        return block.attn.c_proj.weight.detach().double()[head * 8 : (head + 1) * 8]  # Conv1D: [in, out]

    h = eager.transformer.h
    _check_pre_norm(session, eager, h, lambda b: b.attn.c_proj, lambda b: b.mlp, eager.transformer.ln_f, True, w_o)


def test_llama_rmsnorm_grouped_query_components_match():
    model, tokenizer = tiny_llama()
    eager = copy.deepcopy(model)
    session = make_session(wrap_model(model, tokenizer, name="llama"))
    session.prefill(TEXT)

    def w_o(block, head):
        return block.self_attn.o_proj.weight.detach().double()[:, head * 8 : (head + 1) * 8].T

    layers = eager.model.layers
    _, logits = _check_pre_norm(
        session, eager, layers, lambda b: b.self_attn.o_proj, lambda b: b.mlp, eager.model.norm, False, w_o
    )
    # The logit difference against an alternative: each component is the target's minus the alternative's.
    alternative = int(torch.argsort(logits)[-2])
    target = logit_attribution(session)
    alone = logit_attribution(session, target=alternative)
    diff = logit_attribution(session, alternative=alternative)
    assert diff.alternative_id == alternative
    np.testing.assert_allclose(diff.heads, target.heads - alone.heads, atol=1e-5)
    assert diff.logit == pytest.approx(float(logits[target.target_id] - logits[alternative]), abs=1e-4)
    assert _total(diff) == pytest.approx(diff.logit, abs=1e-3)


def test_an_ablated_head_writes_nothing():
    model, tokenizer = tiny_gpt2()
    session = make_session(wrap_model(model, tokenizer, name="gpt2"))
    session.prefill(TEXT, Masks(ablated_heads=frozenset({("decoder", 1, 3)})))
    dla = logit_attribution(session)
    assert dla.heads[1, 3] == 0
    assert abs(dla.error) < 1e-3


def test_bert_mlm_head_sum_rule():
    model, tokenizer = tiny_bert()
    eager = copy.deepcopy(model)
    session = make_session(wrap_model(model, tokenizer, name="bert"))
    session.analyse(TEXT, Masks(mask_positions=frozenset({3})))
    dla = logit_attribution(session)
    ids = torch.tensor([tokenizer(TEXT)["input_ids"]])
    ids[0, 3] = MASK
    with torch.no_grad():
        logits = eager(input_ids=ids).prediction_logits[0, 3].double()
    assert dla.position == 3 and dla.target_id == int(torch.argmax(logits))
    assert _total(dla) == pytest.approx(float(logits[dla.target_id]), abs=1e-3)
    assert np.abs(dla.heads).max() > 1e-4  # the heads do write something


def test_bert_without_a_mask_says_what_to_do():
    model, tokenizer = tiny_bert()
    session = make_session(wrap_model(model, tokenizer, name="bert"))
    session.analyse(TEXT)
    with pytest.raises(EngineError, match="mask a token first"):
        logit_attribution(session)


def test_bart_decoder_sum_rule_with_cross_attention_heads():
    model, tokenizer = tiny_bart()
    eager = copy.deepcopy(model)
    session = make_session(wrap_model(model, tokenizer, name="bart"))
    session.prefill("dog", source=TEXT)
    session.run(2)
    dla = logit_attribution(session)
    src = torch.from_numpy(session.state().token_ids)[None]
    with torch.no_grad():
        logits = eager(input_ids=src, decoder_input_ids=torch.tensor([session.token_ids])).logits[0, -1].double()
    assert dla.target_id == int(torch.argmax(logits))
    assert dla.cross_heads is not None and np.abs(dla.cross_heads).max() > 1e-4
    assert _total(dla) == pytest.approx(float(logits[dla.target_id]), abs=1e-3)
