"""Contributions ‖f_ij‖ = ‖α_ij v_j W_Oʰ‖ against a plain eager forward whose hooks the test writes.

The reference reads v off each model's own value projection, W_O off its output projection's weights,
α from `output_attentions`, and builds every f_ij as a vector; it checks itself (Σ_j f_ij equals the
output projection's input slice times W_Oʰ, read by another hook) before the engine is compared with it.
"""

import copy

import numpy as np
import pytest
import torch
from tiny_models import tiny_bart, tiny_bert, tiny_gpt2, tiny_gpt_neo, tiny_llama

from attnlab.engine.analyses.contributions import contribution_norms, row_share
from attnlab.engine.api.errors import UnsupportedError
from attnlab.engine.api.results import Masks
from attnlab.engine.interpret.contributions import measure
from attnlab.engine.interpret.inspector import explain_cell
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import make_session

TEXT = "the cat sat on the mat"


def _hooked(modules: dict[str, torch.nn.Module], pre: bool = False):
    """Forward hooks that keep each named module's output (pre=True: its input)."""
    seen: dict[str, torch.Tensor] = {}
    handles = []
    for name, module in modules.items():
        if pre:
            handles.append(module.register_forward_pre_hook(lambda m, a, n=name: seen.__setitem__(n, a[0].detach())))
        else:
            handles.append(module.register_forward_hook(lambda m, a, o, n=name: seen.__setitem__(n, o.detach())))
    return seen, handles


def _reference(probs, values, w_o, merged):
    """‖f_ij‖ [head, q, k] from α [head, q, k], v [head, key, dim], W_O [head, dim, hidden]; checks Σ_j f_ij."""
    f = torch.einsum("hqk,hkd,hdo->hqko", probs.double(), values.double(), w_o.double())  # [head, q, k, hidden]
    heads, queries, _ = probs.shape
    z = merged.double().reshape(queries, heads, -1).transpose(0, 1)  # [head, q, dim]: the projection's input
    assert torch.allclose(f.sum(2), torch.einsum("hqd,hdo->hqo", z, w_o.double()), atol=1e-5)
    return f.norm(dim=-1).numpy()


def _per_head_w(weight: torch.Tensor, heads: int, transposed: bool) -> torch.Tensor:
    """[head, dim, hidden] from a Linear's [out, in] weight (transposed=False) or a Conv1D's [in, out]."""
    w = weight if transposed else weight.T  # [in, out]
    return w.reshape(heads, -1, w.shape[-1])


def test_gpt2_contributions_match_an_eager_forward():
    model, tokenizer = tiny_gpt2()
    eager = copy.deepcopy(model)
    session = make_session(wrap_model(model, tokenizer, name="gpt2"))
    session.prefill(TEXT, Masks(ablated_heads=frozenset({("decoder", 1, 2)})))
    norms, probs = measure(session, "decoder", keep_probs=True)
    ids = torch.tensor([session.token_ids])
    blocks = eager.transformer.h
    qkv, h1 = _hooked({str(i): b.attn.c_attn for i, b in enumerate(blocks)})
    merged, h2 = _hooked({str(i): b.attn.c_proj for i, b in enumerate(blocks)}, pre=True)
    with torch.no_grad():
        out = eager(input_ids=ids, output_attentions=True)
    for h in h1 + h2:
        h.remove()
    heads, hidden = 4, 32
    for layer in range(2):
        v = qkv[str(layer)][0, :, 2 * hidden :].reshape(-1, heads, hidden // heads).transpose(0, 1)
        w_o = _per_head_w(blocks[layer].attn.c_proj.weight.detach(), heads, transposed=True)
        expected = _reference(out.attentions[layer][0], v, w_o, merged[str(layer)][0])
        got = contribution_norms(probs[layer], norms.projected[layer])
        np.testing.assert_allclose(got, expected, atol=1e-5)
        np.testing.assert_allclose(norms.values[layer], v.norm(dim=-1).numpy(), atol=1e-5)
    # The ablated head's weights are still what they are: the contribution view shows what it would move.
    shares = row_share(contribution_norms(probs, norms.projected))
    np.testing.assert_allclose(shares.sum(-1), 1, atol=1e-5)


def test_llama_grouped_query_heads_use_their_kv_heads_value():
    model, tokenizer = tiny_llama()
    eager = copy.deepcopy(model)
    session = make_session(wrap_model(model, tokenizer, name="llama"))
    session.prefill(TEXT)
    session.run(2)
    norms, probs = measure(session, "decoder", keep_probs=True)
    layers = eager.model.layers
    vs, h1 = _hooked({str(i): b.self_attn.v_proj for i, b in enumerate(layers)})
    merged, h2 = _hooked({str(i): b.self_attn.o_proj for i, b in enumerate(layers)}, pre=True)
    with torch.no_grad():
        out = eager(input_ids=torch.tensor([session.token_ids]), output_attentions=True)
    for h in h1 + h2:
        h.remove()
    heads, kv_heads, dim = 4, 2, 8
    for layer in range(2):
        v = vs[str(layer)][0].reshape(-1, kv_heads, dim).transpose(0, 1)  # [kv_head, key, dim]
        v = v[[h // (heads // kv_heads) for h in range(heads)]]  # head h reads kv head h // 2
        w_o = _per_head_w(layers[layer].self_attn.o_proj.weight.detach(), heads, transposed=False)
        expected = _reference(out.attentions[layer][0], v, w_o, merged[str(layer)][0])
        np.testing.assert_allclose(contribution_norms(probs[layer], norms.projected[layer]), expected, atol=1e-5)


def test_bert_contributions_match_an_eager_forward():
    model, tokenizer = tiny_bert()
    eager = copy.deepcopy(model)
    session = make_session(wrap_model(model, tokenizer, name="bert"))
    session.analyse(TEXT)
    norms, probs = measure(session, "encoder", keep_probs=True)
    layers = eager.bert.encoder.layer
    vs, h1 = _hooked({str(i): b.attention.self.value for i, b in enumerate(layers)})
    merged, h2 = _hooked({str(i): b.attention.output.dense for i, b in enumerate(layers)}, pre=True)
    with torch.no_grad():
        out = eager(input_ids=torch.tensor([tokenizer(TEXT)["input_ids"]]), output_attentions=True)
    for h in h1 + h2:
        h.remove()
    for layer in range(2):
        v = vs[str(layer)][0].reshape(-1, 4, 8).transpose(0, 1)
        w_o = _per_head_w(layers[layer].attention.output.dense.weight.detach(), 4, transposed=False)
        expected = _reference(out.attentions[layer][0], v, w_o, merged[str(layer)][0])
        np.testing.assert_allclose(contribution_norms(probs[layer], norms.projected[layer]), expected, atol=1e-5)


def test_bart_cross_attention_contributions_read_the_sources_values():
    model, tokenizer = tiny_bart()
    eager = copy.deepcopy(model)
    session = make_session(wrap_model(model, tokenizer, name="bart"))
    session.prefill("dog", source=TEXT)
    session.run(2)
    norms, probs = measure(session, "cross", keep_probs=True)
    layers = eager.model.decoder.layers
    vs, h1 = _hooked({str(i): b.encoder_attn.v_proj for i, b in enumerate(layers)})
    merged, h2 = _hooked({str(i): b.encoder_attn.out_proj for i, b in enumerate(layers)}, pre=True)
    src = torch.from_numpy(session.state().token_ids)[None]
    with torch.no_grad():
        out = eager(input_ids=src, decoder_input_ids=torch.tensor([session.token_ids]), output_attentions=True)
    for h in h1 + h2:
        h.remove()
    assert norms.projected.shape == (2, 4, src.shape[1])  # one norm per source token
    for layer in range(2):
        v = vs[str(layer)][0].reshape(-1, 4, 8).transpose(0, 1)
        w_o = _per_head_w(layers[layer].encoder_attn.out_proj.weight.detach(), 4, transposed=False)
        expected = _reference(out.cross_attentions[layer][0], v, w_o, merged[str(layer)][0])
        np.testing.assert_allclose(contribution_norms(probs[layer], norms.projected[layer]), expected, atol=1e-5)


def test_legacy_model_with_a_value_projection_gets_contributions():
    model, tokenizer = tiny_gpt_neo()
    eager = copy.deepcopy(model)
    session = make_session(wrap_model(model, tokenizer, name="neo"))
    session.prefill(TEXT)
    norms, probs = measure(session, "decoder", keep_probs=True)
    layers = eager.transformer.h
    vs, h1 = _hooked({str(i): b.attn.attention.v_proj for i, b in enumerate(layers)})
    merged, h2 = _hooked({str(i): b.attn.attention.out_proj for i, b in enumerate(layers)}, pre=True)
    with torch.no_grad():
        out = eager(input_ids=torch.tensor([session.token_ids]), output_attentions=True)
    for h in h1 + h2:
        h.remove()
    for layer in range(2):
        v = vs[str(layer)][0].reshape(-1, 4, 8).transpose(0, 1)
        w_o = _per_head_w(layers[layer].attn.attention.out_proj.weight.detach(), 4, transposed=False)
        expected = _reference(out.attentions[layer][0], v, w_o, merged[str(layer)][0])
        np.testing.assert_allclose(contribution_norms(probs[layer], norms.projected[layer]), expected, atol=1e-5)


def test_legacy_model_without_a_value_projection_says_why():
    from tiny_models import tiny_bloom

    model, tokenizer = tiny_bloom()
    session = make_session(wrap_model(model, tokenizer, name="bloom"))
    session.prefill(TEXT)
    with pytest.raises(UnsupportedError, match="unavailable for bloom"):
        measure(session, "decoder")


def test_formula_inspector_reports_the_cells_value_and_contribution_norms():
    model, tokenizer = tiny_llama()
    eager = copy.deepcopy(model)
    session = make_session(wrap_model(model, tokenizer, name="llama"))
    session.prefill(TEXT)
    cell = explain_cell(session, "decoder", 1, 3, 5, 2)
    vs, handles = _hooked({"v": eager.model.layers[1].self_attn.v_proj})
    with torch.no_grad():
        out = eager(input_ids=torch.tensor([session.token_ids]), output_attentions=True)
    handles[0].remove()
    v = vs["v"][0, 2].reshape(2, 8)[3 // 2].double()  # key 2, kv head 1 serves query head 3
    w_o = eager.model.layers[1].self_attn.o_proj.weight.detach().double()[:, 24:32].T  # head 3's [dim, hidden]
    assert cell.v_norm == pytest.approx(float(v.norm()), abs=1e-5)
    assert cell.projected_norm == pytest.approx(float((v @ w_o).norm()), abs=1e-5)
    alpha = float(out.attentions[1][0, 3, 5, 2])
    assert cell.contribution == pytest.approx(alpha * float((v @ w_o).norm()), abs=1e-5)
