"""The information-flow graph of one prediction (Ferrando & Voita 2024, "Information flow routes").

Nodes are residual states (layer, position): layer 0 the first block's input (the embeddings), layer
l the output y = x_l^i of block l (pre-norm: y = x_{l−1}^i + attention output + MLP output). What
writes into y:
- per head h and key j, f_ij^h = α_ij^h v_j W_Oʰ: an edge (l−1, j) → (l, i) labelled h;
- the residual and MLP path r = y − attention output: an edge (l−1, i) → (l, i) labelled −1.
Each edge's weight is its proximity share: p(z) = max(0, ‖y‖ − ‖y − z‖), divided by the sum of p over
everything that writes into y. The ‖y − f_ij^h‖ need no [head, query, key, hidden] tensor:
‖y − f‖² = ‖y‖² − 2 α (v_j W_Oʰ)·y + α² ‖v_j W_Oʰ‖².

The graph is built backwards from the prediction (the last layer's node at the predicting position):
only nodes reached by an edge of weight ≥ `floor` get their incoming edges, and
`engine.analyses.flow_graph.prune_flow` keeps those ≥ the user's threshold.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import numpy as np
import torch

from attnlab.engine.analyses.flow_graph import prune_flow
from attnlab.engine.api.errors import EngineError, UnsupportedError
from attnlab.engine.api.memory_budget import check_fits
from attnlab.engine.api.results import FlowGraph
from attnlab.engine.api.tokens import readable_tokens
from attnlab.engine.interpret import residual_parts as parts
from attnlab.engine.interpret.contributions import ValueRecorder
from attnlab.engine.interpret.logit_attribution import is_norm

if TYPE_CHECKING:
    from attnlab.engine.session.analysis_session import AnalysisSession as Session

FLOOR = 0.005  # edges below this share are never sent: the window's slider starts here
MAX_TOKENS = 2048  # the graph's forward keeps every layer's [head, N, N] weights


def flow_graph(session: Session, threshold: float = 0.04, floor: float = FLOOR) -> FlowGraph:
    """The flow graph of the prediction the analyses explain, edges ≥ threshold (computed down to `floor`)."""
    started = time.perf_counter()
    if not 0 <= threshold <= 1:
        raise EngineError("flow_threshold_range", threshold=threshold)
    if session.info.kind == "encoder-decoder":
        raise UnsupportedError("flow_no_cross_attention")
    prediction = session.prediction()
    stack, ids, position = prediction.stack, prediction.ids, prediction.position
    if position is None:
        raise EngineError("flow_mask_a_token_first")
    layers, heads = session.stack_shape(stack)
    n = len(ids)
    if n > MAX_TOKENS:
        raise EngineError("flow_too_many_tokens", limit=MAX_TOKENS, count=n)
    check_fits(2 * 4 * layers * heads * n * n, f"the flow graph over {n} tokens (every layer's weights)")
    sites = parts.stack_sites(session.model, session.loaded.sites, stack)
    parts.require_projections(sites, session.info.name, "the flow graph")
    stack_blocks = _blocks(session.model, sites)
    if session.info.why_unsupported("inspector"):
        raise UnsupportedError("flow_no_values", model=session.info.name)
    recorder = ValueRecorder(
        session.loaded.sites, None, {}, session.knockouts, session.ablations, stack=stack, keep_probs=True
    )
    projections = [s.projection for s in sites if s.projection is not None]
    with torch.inference_mode(), parts.watching(projections) as watch, _States(stack_blocks) as states:
        session.rerun(recorder, 1, position)
    if len(states) != layers + 1:
        raise UnsupportedError("flow_layers_unfollowed", model=session.info.name)
    edges = _edges(recorder, watch, sites, states, heads, position, floor, session.info.name)
    kept = prune_flow(edges, layers, position, threshold)
    return FlowGraph(
        stack=stack,
        position=position,
        layers=layers,
        tokens=tuple(readable_tokens(session.tokenizer, ids)),
        edges=kept,
        threshold=float(threshold),
        seconds=time.perf_counter() - started,
    )


def _blocks(model: torch.nn.Module, sites: list[parts.Site]) -> list[torch.nn.Module]:
    """The block holding each layer's attention (lens.blocks, with one walk over the module names)."""
    names = {id(m): n for n, m in model.named_modules()}
    found = []
    for site in sorted(sites, key=lambda s: s.layer):
        match = re.match(r"^(.*?\.\d+)(?:\.|$)", names[id(site.module)])
        if match is None:
            raise UnsupportedError("lens_no_layer", module=names[id(site.module)])
        found.append(model.get_submodule(match.group(1)))
    return found


class _States:
    """Context manager: the first block's input and each block's output, [position, hidden] float32; also
    refuses post-norm blocks (their output is a norm's, not a sum the graph can split)."""

    def __init__(self, stack_blocks: list[torch.nn.Module]):
        self.blocks = stack_blocks
        self.seen: list[torch.Tensor] = []
        self.last_norm: dict[int, torch.Tensor] = {}

    def __enter__(self) -> list[torch.Tensor]:
        def before(module, args, kwargs):
            if not self.seen:
                self.seen.append((args[0] if args else kwargs["hidden_states"])[0].float())

        def after(module, args, output):
            out = (output[0] if isinstance(output, tuple) else output)[0].float()
            norm = self.last_norm.pop(id(module), None)
            if norm is not None and norm.shape == out.shape and torch.allclose(norm, out):
                raise UnsupportedError("flow_post_norm")
            self.seen.append(out)

        def norm_hook(block_id: int):
            def hook(module, args, output):
                if isinstance(output, torch.Tensor) and output.ndim == 3:
                    self.last_norm[block_id] = output[0].float()

            return hook

        self.handles = [self.blocks[0].register_forward_pre_hook(before, with_kwargs=True)]
        for block in {id(b): b for b in self.blocks}.values():
            self.handles.append(block.register_forward_hook(after))
            for m in block.modules():
                if is_norm(m) and not list(m.children()):
                    self.handles.append(m.register_forward_hook(norm_hook(id(block))))
        return self.seen

    def __exit__(self, *exc) -> None:
        for handle in self.handles:
            handle.remove()


def _edges(recorder, watch, sites, states, heads: int, position: int, floor: float, name: str) -> np.ndarray:
    """Every edge of weight ≥ floor into a node reached from the root by such edges, [edge, 6] float32."""
    rows: list[np.ndarray] = []
    reached = [position]
    for site in sorted(sites, key=lambda s: s.layer)[::-1]:
        layer = site.layer
        assert site.projection is not None
        _, attn_out = watch.seen(site.projection, site.call)
        queries = torch.tensor(reached)
        y = states[layer + 1][queries].float()  # [q, hidden]
        attn = attn_out[0, queries].float()  # [q, hidden]
        values = recorder.values[layer].float()  # [kv_head, key, dim]
        per_head = values.repeat_interleave(heads // values.shape[0], dim=0)  # [head, key, dim]
        maps = parts.head_maps(site.projection, heads)
        moved = torch.bmm(per_head, maps.weight.float())  # [head, key, hidden]: v_j W_Oʰ
        alpha = recorder.probs[layer][:, queries].float()  # [head, q, key]
        y_norm = y.norm(dim=-1)  # [q]
        dots = alpha * torch.matmul(y, moved.transpose(1, 2))  # [head, q, key]: α (v_j W_Oʰ)·y
        f2 = alpha**2 * (moved**2).sum(-1)[:, None, :]  # ‖f‖²
        distance = torch.sqrt(torch.clamp(y_norm[None, :, None] ** 2 - 2 * dots + f2, min=0))
        p_heads = torch.clamp(y_norm[None, :, None] - distance, min=0)  # [head, q, key]
        p_rest = torch.clamp(y_norm - attn.norm(dim=-1), min=0)  # [q]: ‖y − r‖ = ‖attention output‖
        total = p_heads.sum((0, 2)) + p_rest
        total = torch.where(total > 0, total, torch.ones_like(total))
        w_heads = (p_heads / total[None, :, None]).float().cpu().numpy()  # [head, q, key]
        w_rest = (p_rest / total).float().cpu().numpy()  # [q]
        next_reached: set[int] = set()
        for qi, query in enumerate(reached):
            h_idx, k_idx = np.nonzero(w_heads[:, qi] >= floor)
            block = np.empty((len(h_idx) + 1, 6), np.float32)
            block[:, 0], block[:, 2], block[:, 3] = layer, layer + 1, query
            block[:-1, 1], block[:-1, 4], block[:-1, 5] = k_idx, h_idx, w_heads[h_idx, qi, k_idx]
            block[-1, 1], block[-1, 4], block[-1, 5] = query, -1, w_rest[qi]
            if w_rest[qi] < floor:
                block = block[:-1]
            rows.append(block)
            next_reached.update(block[:, 1].astype(int).tolist())
        reached = sorted(next_reached)
        if not reached:
            break
    return np.concatenate(rows) if rows else np.zeros((0, 6), np.float32)
