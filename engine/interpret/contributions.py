"""Attention as contributions: what key j moves into query i's output, not only how much it is looked at.

For head h of a layer, key j adds f_ij = α_ij · v_j · W_Oʰ to query i's attention output (W_Oʰ the
head's slice of the output projection; grouped-query heads read their key/value head's v). As α_ij is
a scalar, ‖f_ij‖ = α_ij · ‖v_j W_Oʰ‖: one norm per (head, key) turns any attention row into its
contributions (Kobayashi et al. 2020, "Attention is not only a weight"). So the engine measures
`ValueNorms` (‖v_j‖ and ‖v_j W_Oʰ‖ per layer, head and key) in one forward of the current input,
masks and ablations in force, and the window multiplies the weights it already shows
(`engine.analyses.contributions`); the export asks for the weights of that same forward too.

Models whose attention is their own code (the legacy path) never hand over v: they get contributions
when their attention module has a separate value projection (`v_proj`, `value`) whose output is v,
and an `UnsupportedError` saying why otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch

from attnlab.engine.api.errors import EngineError, UnsupportedError
from attnlab.engine.api.results import StackName, ValueNorms
from attnlab.engine.capture.attention import Recorder, site_key
from attnlab.engine.interpret import residual_parts as parts
from attnlab.engine.interpret.lens import check_rerun_fits

if TYPE_CHECKING:
    from attnlab.engine.session.analysis_session import AnalysisSession as Session

_VALUE_NAMES = ("v_proj", "value", "v")  # legacy path: a value projection whose output is v


@dataclass
class ValueRecorder(Recorder):
    """The session's recorder (knock-outs, ablations, nothing stored) that also keeps, per layer of one
    stack, the values, the per-head outputs the projection will merge and (if asked) the probabilities."""

    stack: str = "decoder"
    keep_probs: bool = False
    values: dict[int, torch.Tensor] = field(default_factory=dict)  # layer -> [kv_head, key, dim]
    outputs: dict[int, torch.Tensor] = field(default_factory=dict)  # layer -> [head, query, dim], after ablation
    probs: dict[int, torch.Tensor] = field(default_factory=dict)  # layer -> [head, query, key]

    def _layer(self, module: torch.nn.Module) -> int | None:
        site = self.sites.get(site_key(module))
        return site[1] if site is not None and site[0] == self.stack else None

    def on_inputs(self, module, query, key, value, scaling, softcap, position_bias, attention_mask) -> None:
        layer = self._layer(module)
        if layer is not None:
            self.values[layer] = value[0].detach()

    def on_probs(self, module: torch.nn.Module, probs: torch.Tensor) -> None:
        super().on_probs(module, probs)
        layer = self._layer(module)
        if layer is not None and self.keep_probs:
            self.probs[layer] = probs[0].detach().float()

    def on_output(self, module: torch.nn.Module, output: torch.Tensor) -> torch.Tensor:
        output = super().on_output(module, output)
        layer = self._layer(module)
        if layer is not None:
            self.outputs[layer] = output[0].detach().clone()
        return output


def check_stack(session: Session, stack: str) -> tuple[int, int]:
    """(layers, heads) of a stack the model has; refused with the stacks it has otherwise."""
    stacks = [s.name for s in session.info.stacks]
    if stack not in stacks:
        raise EngineError("no_such_stack", model=session.info.name, stack=stack, stacks=", ".join(stacks))
    return session.stack_shape(stack)


def measure(session: Session, stack: StackName, keep_probs: bool = False) -> tuple[ValueNorms, np.ndarray | None]:
    """‖v_j‖ and ‖v_j W_Oʰ‖ of every layer, head and key of `stack` for the current input, from one
    forward; with keep_probs also that forward's attention, [layer, head, query, key] float32."""
    layers, heads = check_stack(session, stack)
    if getattr(session, "long_mode", False) and stack == "decoder":
        raise UnsupportedError("contributions_long_decoder")
    check_rerun_fits(session, "contributions")
    sites = parts.stack_sites(session.model, session.loaded.sites, stack)
    parts.require_projections(sites, session.info.name, "contributions")
    legacy = _legacy_values(session, sites)
    recorder = ValueRecorder(
        session.loaded.sites, None, {}, session.knockouts, session.ablations, stack=stack, keep_probs=keep_probs
    )
    projections = [s.projection for s in sites if s.projection is not None]
    with torch.inference_mode(), legacy.watch() as legacy_values, parts.watching(projections) as watch:
        session.replay(recorder, stack)
    value_norm = np.zeros((layers, heads, 0), np.float32)
    projected = value_norm
    for site in sites:
        assert site.projection is not None
        values = recorder.values.get(site.layer)
        if values is None:
            values = legacy.values(legacy_values, site, heads)
        out = recorder.outputs[site.layer]  # [head, query, dim]
        merged, _ = watch.seen(site.projection, site.call)
        parts.check_merged(out, merged[0], f"contributions of {session.info.name}")
        per_head = values.float().repeat_interleave(heads // values.shape[0], dim=0)  # [head, key, dim]
        maps = parts.head_maps(site.projection, heads)
        moved = torch.einsum("hkd,hdo->hko", per_head, maps.weight)  # [head, key, hidden]: v_j W_Oʰ
        if site.layer == 0:
            keys = per_head.shape[1]
            value_norm = np.zeros((layers, heads, keys), np.float32)
            projected = np.zeros((layers, heads, keys), np.float32)
        value_norm[site.layer] = per_head.norm(dim=-1).cpu().numpy()
        projected[site.layer] = moved.norm(dim=-1).cpu().numpy()
    probs = None
    if keep_probs:
        probs = np.stack([recorder.probs[layer].cpu().numpy() for layer in range(layers)])  # [layer, head, q, k]
    return ValueNorms(stack=stack, values=value_norm, projected=projected), probs


class _Legacy:
    """Values of attention computed in the model's own code, read off its value projection."""

    def __init__(self, session: Session, sites: list[parts.Site]):
        self.active = bool(session.info.why_unsupported("inspector"))  # the legacy path: no on_inputs
        self.projections: dict[int, torch.nn.Module] = {}
        if not self.active:
            return
        for site in sites:
            found = next(
                (getattr(site.module, n) for n in _VALUE_NAMES if _linear(getattr(site.module, n, None))), None
            )
            if found is None:
                raise UnsupportedError("contributions_no_values", model=session.info.name)
            self.projections[site.layer] = found

    def watch(self):
        return parts.watching(list(self.projections.values()))

    def values(self, watch: parts.ProjectionWatch, site: parts.Site, heads: int) -> torch.Tensor:
        """[head, key, dim] from the value projection's output [batch, key, head·dim]."""
        _, out = watch.seen(self.projections[site.layer], site.call)
        keys, width = out.shape[1], out.shape[2]
        return out[0].reshape(keys, heads, width // heads).transpose(0, 1)


def _linear(module: object) -> bool:
    return isinstance(module, torch.nn.Linear)


def _legacy_values(session: Session, sites: list[parts.Site]) -> _Legacy:
    return _Legacy(session, sites)
