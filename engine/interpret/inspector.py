"""The formula inspector: the numbers behind one attention weight, read during one extra forward.

A `CellRecorder` is the session's own recorder (same knock-outs, same ablation, no store) that
also watches one attention module: its inputs (`on_inputs`), scores before and after knock-outs,
probabilities and per-head output, for one head and one query row. Once that module has run the
rest of the forward is not needed, so it stops the forward there (`LayerSeen`). Nothing stays
installed: the session's `replay` runs it inside `capture.recording`, which always removes it.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from attnlab.engine.api.bounds import check_head, check_positions
from attnlab.engine.api.errors import UnsupportedError
from attnlab.engine.api.results import CellExplanation, StackName
from attnlab.engine.capture.attention import Recorder, site_key
from attnlab.engine.interpret.residual_parts import head_maps, output_projection
from attnlab.engine.session.analysis_session import AnalysisSession


class LayerSeen(Exception):
    """The inspected module has run: the forward may stop here."""


def explain_cell(session: AnalysisSession, stack: str, layer: int, head: int, query: int, key: int) -> CellExplanation:
    """The numbers behind one attention weight of the session's current input (masks, ablations and
    generated tokens included), from one extra forward that stops after that layer. Changes nothing."""
    info = session.info
    reason = info.why_unsupported("inspector")
    if reason:
        raise UnsupportedError("cannot_explain_cell", model=info.name, reason=reason)
    name = check_head(info, stack, layer, head)
    queries, keys = session.cell_axes(name)
    check_positions(name, query, key, len(queries), len(keys))
    sites = session.loaded.sites
    target = next(call for call, site in sites.items() if site == (stack, layer))
    recorder = CellRecorder(
        sites, knockout=session.knockouts, ablate=session.ablations, target=target, head=head, query=query
    )
    recorder.projection = projection_of(session.model, target)
    with torch.inference_mode(), contextlib.suppress(LayerSeen):  # the forward stops once the layer ran
        session.replay(recorder, name)
    return recorder.explain(name, layer, key, session.token_text(queries[query]), session.token_text(keys[key]))


def _row(t: torch.Tensor, head: int, query: int, keys: int) -> np.ndarray:
    """One [key] row, float64, of a [batch, head, query, key] tensor that may broadcast batch, head or query."""
    row = t[0, head if t.shape[1] > 1 else 0, query if t.shape[2] > 1 else 0, :keys]
    return row.double().cpu().numpy()


def _vector(t: torch.Tensor) -> np.ndarray:
    return t.double().cpu().numpy()


@dataclass
class CellRecorder(Recorder):
    """The session's recorder plus one watched (module, head, query): what that module used for it."""

    target: tuple[int, int] = (0, 0)  # site_key() of the inspected attention call
    head: int = 0
    query: int = 0
    seen: dict[str, Any] = field(default_factory=dict)  # what the watched module showed, as numpy
    projection: torch.nn.Module | None = None  # the output projection of the watched module (None: not found)

    def on_inputs(
        self,
        module: torch.nn.Module,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        scaling: float,
        softcap: float | None,
        position_bias: torch.Tensor | None,
        attention_mask: torch.Tensor | None,
    ) -> None:
        if site_key(module) != self.target:
            return
        kv_head = self.head // (query.shape[1] // key.shape[1])
        keys = key.shape[-2]
        self.seen.update(
            heads=query.shape[1],
            kv_head=kv_head,
            q=_vector(query[0, self.head, self.query]),  # [dim]
            k=_vector(key[0, kv_head]),  # [key, dim]
            v=_vector(value[0, kv_head]),  # [key, dim]
            scaling=float(scaling),
            softcap=None if softcap is None else float(softcap),
            position_bias=np.zeros(keys) if position_bias is None else _row(position_bias, self.head, self.query, keys),
            mask=np.zeros(keys) if attention_mask is None else _row(attention_mask, self.head, self.query, keys),
        )

    def on_scores(self, module: torch.nn.Module, scores: torch.Tensor) -> torch.Tensor:
        knocked = super().on_scores(module, scores)
        if site_key(module) == self.target:
            keys = scores.shape[-1]
            self.seen.update(
                lowest=float(torch.finfo(scores.dtype).min),
                before=_row(scores, self.head, self.query, keys),
                logits=_row(knocked, self.head, self.query, keys),
            )
        return knocked

    def on_probs(self, module: torch.nn.Module, probs: torch.Tensor) -> None:
        super().on_probs(module, probs)
        if site_key(module) == self.target:
            self.seen["probs"] = _row(probs, self.head, self.query, probs.shape[-1])

    def on_output(self, module: torch.nn.Module, output: torch.Tensor) -> torch.Tensor:
        if site_key(module) == self.target:
            self.seen["output"] = _vector(output[0, self.head, self.query])  # a copy, before any ablation
        output = super().on_output(module, output)
        if site_key(module) == self.target:
            raise LayerSeen
        return output

    def explain(self, stack: StackName, layer: int, key: int, query_token: str, key_token: str) -> CellExplanation:
        """The cell's numbers, from what the watched module showed during the forward."""
        if "output" not in self.seen:
            raise RuntimeError(f"the {stack} layer {layer} attention did not run during the replayed forward")
        s = self.seen
        q, k, v = s["q"], s["k"][key], s["v"][key]
        scaling, softcap = s["scaling"], s["softcap"]
        dot = float(np.dot(q, k))
        capped = dot * scaling if softcap is None else math.tanh(dot * scaling / softcap) * softcap
        logits = s["logits"]
        position_bias, mask = float(s["position_bias"][key]), float(s["mask"][key])
        knockout = float(logits[key] - s["before"][key])
        top = float(logits.max())
        row_logsumexp = top + math.log(float(np.exp(logits - top).sum()))
        probs = s["probs"]
        prob = float(probs[key])
        hidden = float(logits[key]) <= s["lowest"] / 2
        knocked = self.knockout.get(stack)
        contribution = prob * v
        output = s["output"]
        projected = math.nan
        if self.projection is not None:
            w_o = head_maps(self.projection, int(s["heads"])).weight[self.head].double().cpu().numpy()  # [dim, hidden]
            projected = float(np.linalg.norm(v @ w_o))
        output_norm2 = float(np.dot(output, output))
        return CellExplanation(
            stack=stack,
            layer=layer,
            head=self.head,
            query=self.query,
            key=key,
            query_token=query_token,
            key_token=key_token,
            kv_head=int(s["kv_head"]),
            q=q,
            k=k,
            dot=dot,
            scaling=scaling,
            softcap=softcap,
            capped=capped,
            position_bias=position_bias,
            mask=mask,
            knockout=knockout,
            bias=position_bias + mask + knockout,
            logit=float(logits[key]),
            row_logsumexp=row_logsumexp,
            prob=prob,
            masked=hidden,
            knocked_out=hidden and knocked is not None and bool(knocked[key]),
            ablated=self.head in self.ablate.get((stack, layer), []),
            value_norm=float(np.linalg.norm(contribution)),
            output_share=float(np.dot(contribution, output)) / output_norm2 if output_norm2 > 0 else 0.0,
            row_logits=logits,
            row_probs=probs,
            v_norm=float(np.linalg.norm(v)),
            projected_norm=projected,
            contribution=prob * projected,
        )


def projection_of(model: torch.nn.Module, target: tuple[int, int]) -> torch.nn.Module | None:
    """The output projection of the attention module `target` (a site key) names."""
    module = next((m for m in model.modules() if id(m) == target[0]), None)
    return None if module is None else output_projection(model, module)
