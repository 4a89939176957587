"""Capture for models that compute attention in their own code instead of through AttentionInterface.

GPT-Neo, BLOOM, MPNet, DeBERTa-v2 and others run their own eager attention and return its
probabilities when asked (`output_attentions`). Hooks on their modules call the same
`capture.Hooks` points the registered attention function calls, so recorders, sessions and the
store work unchanged:

- a forward pre-hook on the attention module counts the call (`capture.count_call`) and hands the
  additive mask it was given to `on_scores`: the softmax sees scores + mask, so knocking a key out
  of the mask knocks it out of the scores;
- a forward hook on it hands the probabilities it returns to `on_probs`;
- a forward pre-hook on its output projection hands the per-head outputs about to be merged to
  `on_output` (head ablation).

What a model does not offer (an additive 4D mask, a projection that sees every head's output) is
noticed by the load probe, and the model's `ModelInfo.unsupported` says why.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from attnlab.engine.api.messages import EngineMessage, message
from attnlab.engine.capture import attention as capture

KNOCKOUT, ABLATION, INSPECTOR = "knockout", "ablation", "inspector"  # features a model may lack
_PROJECTIONS = ("out_proj", "o_proj", "dense", "o", "c_proj", "out_lin", "wo")  # output projection names
_MASK_NAMES = ("attention_mask", "mask")


@dataclass
class Site:
    """One attention module of the model's own code: where its probabilities and mask are."""

    module: torch.nn.Module
    probs_at: int  # index of the probabilities in the module's output tuple
    heads: int
    projection: torch.nn.Linear | None  # merges the heads' outputs; None: not found
    square: bool  # as many keys as queries (no pooling, as in Funnel): a missing encoder mask is all zeros


@dataclass
class Probe(capture.Discovery):
    """`Discovery` that also notes which modules took a usable mask and ran their projection through us."""

    masked: set[int] = field(default_factory=set)  # id(module)
    projected: set[int] = field(default_factory=set)

    def on_scores(self, module: torch.nn.Module, scores: torch.Tensor) -> torch.Tensor:
        self.masked.add(id(module))
        return scores

    def on_output(self, module: torch.nn.Module, output: torch.Tensor) -> torch.Tensor:
        self.projected.add(id(module))
        return output


def find_sites(model: torch.nn.Module, run: Callable[[torch.nn.Module], object]) -> list[Site]:
    """Run the probe forward `run(model)` (returning the model's output) with `output_attentions`,
    and find the innermost module whose output tuple holds each returned attention tensor."""
    calls: list[tuple[torch.nn.Module, object]] = []  # (module, output), innermost first
    handles = [m.register_forward_hook(lambda m, a, o: calls.append((m, o))) for m in model.modules()]
    try:
        out = run(model)
    finally:
        for handle in handles:
            handle.remove()
    returned = [
        t
        for name in ("attentions", "encoder_attentions", "decoder_attentions", "cross_attentions")
        for t in (getattr(out, name, None) or ())
        if isinstance(t, torch.Tensor)
    ]
    sites: dict[int, Site] = {}
    for probs in returned:
        for module, output in calls:
            if isinstance(output, tuple) and any(x is probs for x in output):
                at = next(i for i, x in enumerate(output) if x is probs)
                square = probs.shape[-2] == probs.shape[-1]
                sites.setdefault(id(module), Site(module, at, probs.shape[1], _projection(model, module), square))
                break
    return list(sites.values())


def _projection(model: torch.nn.Module, module: torch.nn.Module) -> torch.nn.Linear | None:
    """The linear layer that merges the heads' outputs: inside the attention module, or (BERT-style
    `self` / `output` pairs) the parent's `output.dense`."""
    for name in _PROJECTIONS:
        child = getattr(module, name, None)
        if isinstance(child, torch.nn.Linear):
            return child
    names = {id(m): n for n, m in model.named_modules()}
    parent_name = names[id(module)].rpartition(".")[0]
    output = getattr(model.get_submodule(parent_name), "output", None) if parent_name else None
    dense = getattr(output, "dense", None)
    return dense if isinstance(dense, torch.nn.Linear) else None


def install(model: torch.nn.Module, sites: list[Site], bidirectional: bool) -> None:
    """Hook every site for good (the model keeps the hooks) and make the model return probabilities.

    bidirectional: every query may see every key (an encoder), so a missing mask (no padding) is all zeros.
    """
    model.config.output_attentions = True  # type: ignore[union-attr]  # a transformers model: a PretrainedConfig
    for site in sites:
        signature = inspect.signature(site.module.forward)
        mask_name = next((n for n in _MASK_NAMES if n in signature.parameters), None)
        zeros = bidirectional and site.square
        site.module.register_forward_pre_hook(_before_attention(signature, mask_name, zeros), with_kwargs=True)
        site.module.register_forward_hook(_after_attention(site.probs_at))
        if site.projection is not None:
            site.projection.register_forward_pre_hook(_before_projection(site.module, site.heads))


def unsupported(sites: list[Site], probe: Probe) -> dict[str, EngineMessage]:
    """Feature -> why this model cannot do it, from what the probe forward showed."""
    reasons = {INSPECTOR: message("inspector_needs_interface")}
    if any(id(s.module) not in probe.masked for s in sites):
        reasons[KNOCKOUT] = message("knockout_needs_mask")
    if any(id(s.module) not in probe.projected for s in sites):
        reasons[ABLATION] = message("ablation_needs_projection")
    return reasons


def _before_attention(signature: inspect.Signature, mask_name: str | None, zeros: bool):
    """zeros: a missing mask means every query sees every key of its own sequence."""

    def hook(module: torch.nn.Module, args: tuple, kwargs: dict):
        capture.count_call(module)
        hooks = capture.active_hooks()
        if hooks is capture.IDLE:
            return None
        bound = signature.bind_partial(*args, **kwargs)
        asked = "output_attentions" not in signature.parameters or bound.arguments.get("output_attentions")
        if not asked:  # a part called on its own (`get_encoder()(...)`) is not asked by the model's config
            bound.arguments["output_attentions"] = True
        if mask_name is None or (isinstance(hooks, capture.Recorder) and not hooks.knockout):
            return None if asked else (bound.args, bound.kwargs)  # nothing will change the mask
        mask = bound.arguments.get(mask_name)
        hidden = args[0] if args else None  # [batch, query, width]
        if mask is None and zeros and isinstance(hidden, torch.Tensor) and hidden.ndim == 3:
            queries = hidden.shape[1]
            mask = hidden.new_zeros(hidden.shape[0], 1, queries, queries)  # [batch, 1, query, key]
        if not isinstance(mask, torch.Tensor) or mask.ndim != 4:
            return None if asked else (bound.args, bound.kwargs)
        if mask.shape[-2] == 1 and isinstance(hidden, torch.Tensor) and hidden.ndim == 3:  # one row for all queries
            mask = mask.expand(*mask.shape[:2], hidden.shape[1], mask.shape[-1])
        bound.arguments[mask_name] = _knock_out_of(mask, lambda additive: hooks.on_scores(module, additive))
        return bound.args, bound.kwargs

    return hook


def _knock_out_of(mask: torch.Tensor, knock: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """Apply `knock` (additive mask -> additive mask) to an additive mask (0 or very negative), or to a
    0/1 mask of the keys to keep (DeBERTa), returning the mask in the form the module takes."""
    if mask.is_floating_point() and not bool((mask > 0).any()):
        return knock(mask)
    lowest = torch.finfo(torch.float32).min
    additive = (1 - mask.float()) * lowest  # [batch, 1, query, key]: 0 kept, lowest hidden
    return (knock(additive) > lowest / 2).to(mask.dtype)


def _after_attention(probs_at: int):
    def hook(module: torch.nn.Module, args: tuple, output: object) -> None:
        hooks = capture.active_hooks()
        probs = output[probs_at] if isinstance(output, tuple) and len(output) > probs_at else None
        if isinstance(probs, torch.Tensor) and probs.ndim == 4:
            hooks.on_probs(module, probs)

    return hook


def _before_projection(attention: torch.nn.Module, heads: int):
    def hook(projection: torch.nn.Module, args: tuple):
        hooks = capture.active_hooks()
        if hooks is capture.IDLE or not args or args[0].ndim != 3:
            return None
        merged = args[0]  # [batch, query, head·dim]
        batch, queries, width = merged.shape
        per_head = merged.reshape(batch, queries, heads, width // heads).transpose(1, 2)  # [batch, head, query, dim]
        per_head = hooks.on_output(attention, per_head)
        return (per_head.transpose(1, 2).reshape(batch, queries, width), *args[1:])

    return hook
