"""The flow graph's edge weights by hand on a tiny GPT-2, and its backward pruning on a graph written here."""

import copy

import numpy as np
import pytest
import torch
from tiny_models import tiny_bert, tiny_gpt2, tiny_llama

from attnlab.engine.analyses.flow_graph import prune_flow
from attnlab.engine.api.errors import UnsupportedError
from attnlab.engine.api.results import Masks
from attnlab.engine.interpret.flow import flow_graph
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import make_session

TEXT = "the cat sat on the mat"


def _first(output):
    return output[0] if isinstance(output, tuple) else output


def test_root_edges_are_proximity_shares_computed_by_hand():
    model, tokenizer = tiny_gpt2()
    eager = copy.deepcopy(model)
    session = make_session(wrap_model(model, tokenizer, name="gpt2"))
    session.prefill(TEXT)
    graph = flow_graph(session, threshold=0.0, floor=0.0)
    n = len(session.token_ids)
    assert graph.position == n - 1 and graph.layers == 2
    seen: dict[str, torch.Tensor] = {}
    blocks = eager.transformer.h
    handles = []
    for i, b in enumerate(blocks):
        handles.append(b.register_forward_hook(lambda m, a, o, i=i: seen.__setitem__(f"y{i}", _first(o)[0].detach())))
        handles.append(b.attn.c_attn.register_forward_hook(lambda m, a, o, i=i: seen.__setitem__(f"qkv{i}", o[0])))
        handles.append(b.attn.c_proj.register_forward_hook(lambda m, a, o, i=i: seen.__setitem__(f"a{i}", o[0])))
    with torch.no_grad():
        out = eager(input_ids=torch.tensor([session.token_ids]), output_attentions=True)
    for h in handles:
        h.remove()
    layer, i = 1, n - 1  # the root: block 2's output at the last position
    y = seen[f"y{layer}"][i].double()
    v = seen[f"qkv{layer}"][:, 64:].reshape(n, 4, 8).double()  # [key, head, dim]
    w = blocks[layer].attn.c_proj.weight.detach().double()  # Conv1D [in, out]
    alpha = out.attentions[layer][0, :, i].double()  # [head, key]
    p = {}
    for h in range(4):
        for j in range(n):
            f = alpha[h, j] * v[j, h] @ w[h * 8 : (h + 1) * 8]
            p[h, j] = max(0.0, float(y.norm() - (y - f).norm()))
    r = y - seen[f"a{layer}"][i].double()  # residual + MLP
    p["rest"] = max(0.0, float(y.norm() - (y - r).norm()))
    total = sum(p.values())
    into_root = graph.edges[(graph.edges[:, 2] == 2) & (graph.edges[:, 3] == i)]
    got = {(int(e[4]), int(e[1])): float(e[5]) for e in into_root}
    for key, value in p.items():
        if key != "rest":
            assert got.get(key, 0.0) == pytest.approx(value / total, abs=1e-5)
    assert got[(-1, i)] == pytest.approx(p["rest"] / total, abs=1e-5)
    assert sum(got.values()) == pytest.approx(1, abs=1e-5)


def test_pruning_walks_back_from_the_root():
    edges = np.array(
        [
            # from layer, from pos, to layer, to pos, head, weight
            [1, 0, 2, 2, 0, 0.5],  # into the root: kept
            [1, 2, 2, 2, -1, 0.4],  # residual path into the root: kept
            [1, 1, 2, 2, 1, 0.1],  # too weak
            [0, 0, 1, 0, -1, 0.9],  # into (1, 0), reached: kept
            [0, 1, 1, 1, 0, 0.9],  # into (1, 1), never reached: dropped
            [0, 2, 1, 2, 3, 0.3],  # into (1, 2), reached: kept
        ],
        np.float32,
    )
    kept = prune_flow(edges, layer=2, position=2, threshold=0.2)
    np.testing.assert_array_equal(kept, edges[[0, 1, 3, 5]])
    assert len(prune_flow(edges, 2, 2, 0.95)) == 0


def test_a_higher_threshold_keeps_a_subset_and_grouped_query_models_work():
    model, tokenizer = tiny_llama()
    session = make_session(wrap_model(model, tokenizer, name="llama"))
    session.prefill(TEXT, Masks(knockouts=frozenset({("decoder", 2)})))
    low = flow_graph(session, threshold=0.01)
    high = flow_graph(session, threshold=0.1)
    assert 0 < len(high.edges) <= len(low.edges)
    np.testing.assert_array_equal(prune_flow(low.edges, 2, low.position, 0.1), high.edges)
    knocked = low.edges[(low.edges[:, 1] == 2) & (low.edges[:, 4] >= 0) & (low.edges[:, 3] != 2)]
    assert len(knocked) == 0  # a knocked-out token moves nothing to the others


def test_post_norm_models_are_refused_with_the_reason():
    model, tokenizer = tiny_bert()
    session = make_session(wrap_model(model, tokenizer, name="bert"))
    session.analyse(TEXT, Masks(mask_positions=frozenset({2})))
    with pytest.raises(UnsupportedError, match="post-norm"):
        flow_graph(session)
