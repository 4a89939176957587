"""One attention function for every architecture: the model's eager attention, with hooks for recorders.

transformers routes every modern model's attention through `AttentionInterface`. We register
`attnlab` there (and the matching entry in `AttentionMaskInterface`, reusing the eager mask, or
causal masks go missing) and switch models to it. Models that keep their own attention code
(GPT-Neo, BLOOM...) call the same hooks from hooks on their modules: `engine.legacy_capture`.

`attention_forward` is numerically the model's own eager path: scores = QKᵀ·scaling, optional
softcap (tanh), T5's position bias and the additive mask, softmax in float32, dropout, probs·V.
It knows nothing about sites, stores or masks. At four fixed points it hands the tensors to the
`Hooks` active on this thread (`recording()`), each hook one concern:

- `on_inputs(module, query, key, value, scaling, softcap, position_bias, attention_mask)`: what the
  module handed in (queries and keys after rotary or other position encoding), to read; the formula
  inspector.
- `on_scores(module, scores) -> scores`: pre-softmax scores, mask and bias added; knock-outs.
- `on_probs(module, probs)`: the probabilities, to look at, never change; recording, discovery.
- `on_output(module, output) -> output`: per-head output before heads are merged; head ablation.

A recorder subclasses `Hooks` and overrides only the hooks it needs (the others leave attention
alone); it resolves `module` to its (stack, layer) site itself through `site_key` (a module called
several times in one forward is several layers). `Recorder` is what sessions use
(store rows, knock-outs, ablation); `Discovery` finds the attention modules during the load probe.
Concerns compose: `compose(recorder, gates)` runs several hooks in one forward, in order (scores
and output pass through each), so a new concern is a small `Hooks` of its own beside the session's
`Recorder` (head gates in `interpret.importance`, the long mode's writer in `long.store`), not a
subclass of it. A new point in the forward is a method on `Hooks` that does nothing, one call at
its point in `attention_forward`, and the hooks that override it.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import torch
from transformers import AttentionInterface
from transformers.masking_utils import AttentionMaskInterface, eager_mask, prepare_padding_mask

from attnlab.engine.api.attention_store import AttentionStore

IMPLEMENTATION = "attnlab"
_CROSS_PARTS = {"encoderattn", "crossattention", "crossattn", "encdecattention"}  # module path parts, "_" removed
_CALLS = "_attnlab_calls"  # attribute map_sites sets on each attention module: its calls per forward
_local = threading.local()


class Hooks:
    """What `attention_forward` calls at its four points; every hook here leaves attention as it is."""

    # True: each call's scores and probabilities may live in one buffer that the next call of this
    # recording overwrites (no fresh [head, query, key] tensor to fault in per layer). Only for hooks that
    # copy what they need at once, in forwards whose caller does not keep the attentions.
    reuse_scores = False

    def on_inputs(
        self,
        module: torch.nn.Module,
        query: torch.Tensor,  # [batch, head, query, dim]
        key: torch.Tensor,  # [batch, kv_head, key, dim]
        value: torch.Tensor,  # [batch, kv_head, key, dim]
        scaling: float,
        softcap: float | None,
        position_bias: torch.Tensor | None,  # [1 or batch, head, query, key]
        attention_mask: torch.Tensor | None,  # additive, [batch, 1, query, ≥ key]
    ) -> None:
        """What the module passed in, scaling resolved; read them, never write into them."""

    def on_scores(self, module: torch.nn.Module, scores: torch.Tensor) -> torch.Tensor:
        """Pre-softmax scores, [batch, head, query, key], mask and bias added; return the scores to use."""
        return scores

    def on_probs(self, module: torch.nn.Module, probs: torch.Tensor) -> None:
        """The probabilities, [batch, head, query, key]; read them, never write into them."""

    def on_output(self, module: torch.nn.Module, output: torch.Tensor) -> torch.Tensor:
        """Per-head output, [batch, head, query, dim], before heads are merged; return the output to use."""
        return output

    def flush(self) -> None:
        """Called once when a forward ends inside `recording()` without an error."""


IDLE = Hooks()  # active when no recorder is: attention as the model computes it


class Composed(Hooks):
    """Several hooks in one forward, in order: each reads what the one before it returned (scores,
    output). Buffers are reused only when every part allows it."""

    def __init__(self, *parts: Hooks):
        self.parts = parts
        self.reuse_scores = all(part.reuse_scores for part in parts)

    def on_inputs(self, module, query, key, value, scaling, softcap, position_bias, attention_mask) -> None:
        for part in self.parts:
            part.on_inputs(module, query, key, value, scaling, softcap, position_bias, attention_mask)

    def on_scores(self, module: torch.nn.Module, scores: torch.Tensor) -> torch.Tensor:
        for part in self.parts:
            scores = part.on_scores(module, scores)
        return scores

    def on_probs(self, module: torch.nn.Module, probs: torch.Tensor) -> None:
        for part in self.parts:
            part.on_probs(module, probs)

    def on_output(self, module: torch.nn.Module, output: torch.Tensor) -> torch.Tensor:
        for part in self.parts:
            output = part.on_output(module, output)
        return output

    def flush(self) -> None:
        for part in self.parts:
            part.flush()


def compose(*parts: Hooks) -> Hooks:
    """One `Hooks` that runs `parts` in order (see `Composed`); a single part is returned as it is."""
    return parts[0] if len(parts) == 1 else Composed(*parts)


_H = TypeVar("_H", bound=Hooks)


@contextmanager
def recording(recorder: _H) -> Iterator[_H]:
    """Make `recorder` active on this thread for the duration (flushed at the end); always removed afterwards."""
    previous, previous_calls = getattr(_local, "hooks", IDLE), getattr(_local, "calls", {})
    previous_scratch = getattr(_local, "scratch", None)
    _local.hooks, _local.calls, _local.scratch = recorder, {}, None
    try:
        yield recorder
        recorder.flush()
    finally:
        _local.hooks, _local.calls, _local.scratch = previous, previous_calls, previous_scratch


def active_hooks() -> Hooks:
    """The hooks `recording()` made active on this thread (IDLE outside it)."""
    return getattr(_local, "hooks", IDLE)


def count_call(module: torch.nn.Module) -> None:
    """Note that `module` starts attending (once per call, before any hook sees it)."""
    calls = _local.__dict__.setdefault("calls", {})
    calls[id(module)] = calls.get(id(module), 0) + 1


def site_key(module: torch.nn.Module) -> tuple[int, int]:
    """(id(module), which of its calls in this forward is running): the key of `sites`.

    A module called several times in one forward is several layers (ALBERT shares one attention
    module across its layers). Counting restarts with each `recording()` and wraps around after
    the calls of one forward, which `map_sites` wrote on the module.
    """
    count = call_number(module)
    period = getattr(module, _CALLS, 0)
    return id(module), count % period if period else count


def call_number(module: torch.nn.Module) -> int:
    """How many calls of `module` came before the running one since `recording()` began."""
    return _local.__dict__.get("calls", {}).get(id(module), 1) - 1


@dataclass
class Recorder(Hooks):
    """What one forward pass of a session does with attention: knock-outs, ablation, rows into the store."""

    sites: dict[tuple[int, int], tuple[str, int]]  # site_key(attention module) -> (stack, layer)
    store: AttentionStore | None = None  # None: record nothing
    start: dict[str, int] = field(default_factory=dict)  # stack -> first query row this forward writes
    knockout: dict[str, torch.Tensor] = field(default_factory=dict)  # stack -> [key] bool, True = knocked out
    ablate: dict[tuple[str, int], list[int]] = field(default_factory=dict)  # (stack, layer) -> heads to zero
    held: list[tuple[str, int, torch.Tensor]] = field(default_factory=list)  # (stack, layer, [head, key]) of a step
    # (stack, layer) -> (batch rows, heads): batch row r[i] loses head h[i]; an ablation sweep's rows differ
    row_ablate: dict[tuple[str, int], tuple[torch.Tensor, torch.Tensor]] = field(default_factory=dict)
    # Hooks.reuse_scores: only without a store (a step's rows are held as views until flush)
    reuse_scores: bool = False

    def _first_key(self, stack: str, queries: int, keys: int) -> int:
        """Position of a forward's first key. Self-attention keys end at the last query; a layer with a
        sliding window sees only the last `keys` of them (its cache dropped the older ones)."""
        if stack == "cross":
            return 0
        return max(0, self.start.get(stack, 0) + queries - keys)

    def on_scores(self, module: torch.nn.Module, scores: torch.Tensor) -> torch.Tensor:
        site = self.sites.get(site_key(module))
        if site is None or site[0] not in self.knockout:
            return scores
        stack = site[0]
        first = self._first_key(stack, *scores.shape[-2:])
        # in place into the recording's reused buffer (nobody else holds it), else a new tensor (an inspector
        # subclass reads the scores before the knock-outs)
        in_place = self.reuse_scores and not scores.requires_grad
        return _knock_out(scores, self.knockout[stack][first:], self_attention=stack != "cross", in_place=in_place)

    def on_probs(self, module: torch.nn.Module, probs: torch.Tensor) -> None:
        site = self.sites.get(site_key(module))
        if site is None or self.store is None:
            return
        stack, layer = site
        first = self._first_key(stack, *probs.shape[-2:])
        if first:  # store rows at their true key positions: the keys a window dropped get no weight
            probs = torch.nn.functional.pad(probs, (first, 0))
        if probs.shape[-2] == 1:  # a step: written with the other layers' rows by flush()
            self.held.append((stack, layer, probs[0, :, 0]))
        else:
            rows = probs[0].to(torch.float16).cpu().numpy()  # [head, query, key]
            self.store.write(stack, layer, self.start.get(stack, 0), rows)

    def on_output(self, module: torch.nn.Module, output: torch.Tensor) -> torch.Tensor:
        site = self.sites.get(site_key(module))
        heads = self.ablate.get(site) if site is not None else None
        if heads:
            output[:, heads] = 0  # this forward's own tensor, nobody else holds it yet
        rows = self.row_ablate.get(site) if site is not None else None
        if rows is not None:
            output[tuple(r.to(output.device) for r in rows)] = 0
        return output

    def flush(self) -> None:
        """Write the rows a one-query forward held back: per stack, every layer in one copy to the host
        (on a GPU, one sync per step instead of one per layer)."""
        if not self.held:
            return
        assert self.store is not None  # rows are held only when there is a store
        stacks: dict[str, tuple[list[int], list[torch.Tensor]]] = {}
        for stack, layer, row in self.held:
            layers, rows = stacks.setdefault(stack, ([], []))
            layers.append(layer)
            rows.append(row)
        self.held.clear()
        for stack, (layers, rows) in stacks.items():
            first = rows[0].device  # device_map: each layer's rows are on its own device
            values = torch.stack([r.to(first) for r in rows]).to(torch.float16).cpu().numpy()  # [layer, head, key]
            self.store.write_row(stack, layers, self.start.get(stack, 0), values)


@dataclass
class Discovery(Hooks):
    """Which modules called us during a probe forward, in call order, and their shapes: the input to `map_sites`."""

    seen: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # (id, call number) -> (heads, keys)

    def on_probs(self, module: torch.nn.Module, probs: torch.Tensor) -> None:
        self.seen[id(module), call_number(module)] = (probs.shape[1], probs.shape[-1])


def _knock_out(
    scores: torch.Tensor, knocked: torch.Tensor, self_attention: bool, in_place: bool = False
) -> torch.Tensor:
    """Give knocked-out keys no weight; a self-attention query left with no key keeps its own.

    Only a query whose own key is knocked out can be left with none: in the blocks of a long text without
    one, no pass over the scores looks for them (a knock-out's forward cost half as much again before)."""
    q, k = scores.shape[-2:]
    lowest = torch.finfo(scores.dtype).min
    knocked = knocked[:k].to(scores.device)  # device_map: layers on several devices
    rows = torch.arange(q, device=scores.device)
    own = rows + (k - q)  # each query's own key
    restore = self_attention and bool(knocked[k - q :].any())
    before = scores[..., rows, own] if restore else None  # [batch, head, query], copied before the masking
    masked = scores.masked_fill_(knocked, lowest) if in_place else scores.masked_fill(knocked, lowest)
    if before is None:
        return masked
    stranded = masked.amax(dim=-1) <= lowest / 2  # [batch, head, query]
    if bool(stranded.any()):
        masked[..., rows, own] = torch.where(stranded, before, masked[..., rows, own])
    return masked


def _add(scores: torch.Tensor, other: torch.Tensor) -> torch.Tensor:
    """scores + other, into `scores` when that gives the same tensor (same dtype, no broadcast growth)."""
    if other.dtype == scores.dtype and torch.broadcast_shapes(scores.shape, other.shape) == scores.shape:
        return scores.add_(other)
    return scores + other


def _scratch(shape: tuple[int, ...], like: torch.Tensor) -> torch.Tensor:
    """An uninitialised tensor of `shape` in this recording's one reused buffer (see `Hooks.reuse_scores`)."""
    size = math.prod(shape)
    buffer = getattr(_local, "scratch", None)
    if buffer is None or buffer.numel() < size or buffer.dtype != like.dtype or buffer.device != like.device:
        _local.scratch = None  # the old buffer goes before the new one is allocated
        _local.scratch = buffer = torch.empty(size, dtype=like.dtype, device=like.device)
    return buffer[:size].view(shape)


def _add_mask(scores: torch.Tensor, attention_mask: torch.Tensor, keys: int) -> torch.Tensor:
    """scores + the mask's first `keys` columns, adding only from the first column the mask changes: a block of
    queries fed through the cache sees every earlier key, so most of its causal mask is zeros (adding 0.0
    changes no score)."""
    mask = attention_mask[:, :, :, :keys]
    if mask.dtype != scores.dtype or torch.broadcast_shapes(scores.shape, mask.shape) != scores.shape:
        return scores + mask
    first = min(_first_masked_column(attention_mask), keys)
    scores[..., first:].add_(mask[..., first:])
    return scores


def _first_masked_column(mask: torch.Tensor) -> int:
    """The first key column where `mask` is not all 0 (its width if none); every layer of a forward gets the
    same mask, so the answer is kept for the mask it was found for."""
    seen = getattr(_local, "masked_column", None)  # (weak reference to the mask, its width, the column)
    if seen is not None and seen[0]() is mask and seen[1] == mask.shape[-1]:
        return seen[2]
    changed = mask.ne(0).flatten(0, -2).any(0)  # [key]: True where some query's mask is not 0
    first = int(changed.int().argmax()) if bool(changed.any()) else mask.shape[-1]
    _local.masked_column = (weakref.ref(mask), mask.shape[-1], first)
    return first


def attention_forward(
    module: torch.nn.Module,
    query: torch.Tensor,  # [batch, head, query, dim]
    key: torch.Tensor,  # [batch, kv_head, key, dim]
    value: torch.Tensor,  # [batch, kv_head, key, dim]
    attention_mask: torch.Tensor | None,  # additive, [batch, 1, query, key]
    scaling: float | None = None,
    dropout: float = 0.0,
    position_bias: torch.Tensor | None = None,  # T5's relative bias, [1, head, query, key]
    softcap: float | None = None,
    **kwargs: object,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Eager attention: (output [batch, query, head, dim], probabilities [batch, head, query, key])."""
    hooks = active_hooks()
    count_call(module)
    batch, heads, q, dim = query.shape
    kv_heads = key.shape[1]
    if scaling is None:
        scaling = dim**-0.5
    hooks.on_inputs(module, query, key, value, scaling, softcap, position_bias, attention_mask)
    # Grouped-query attention: key/value head g serves query heads g*groups .. (g+1)*groups-1. Fold
    # each group's queries into one matrix instead of copying keys and values `groups` times.
    grouped = query.reshape(batch, kv_heads, heads // kv_heads * q, dim)  # [batch, kv_head, group·query, dim]
    # Scaling by a power of two (1/8 for 64-wide heads) is exact: scale the queries, not the larger scores.
    scaled_queries = math.frexp(scaling)[0] == 0.5
    if scaled_queries:
        grouped = grouped * scaling
    # In place where the result is the same (the product is this call's own tensor, or the recording's reused
    # buffer): a long text's scores are large.
    reuse = hooks.reuse_scores and not (grouped.requires_grad or key.requires_grad)  # out= has no autograd
    out = _scratch((batch, kv_heads, grouped.shape[2], key.shape[2]), query) if reuse else None
    scores = torch.matmul(grouped, key.transpose(2, 3), out=out).view(batch, heads, q, -1)  # [batch, head, query, key]
    if not scaled_queries:
        scores.mul_(scaling)
    if softcap is not None:
        scores = torch.tanh(scores / softcap) * softcap
    if position_bias is not None:
        scores = _add(scores, position_bias)
    if attention_mask is not None:
        scores = _add_mask(scores, attention_mask, key.shape[-2])
    scores = hooks.on_scores(module, scores)

    if scores.dtype == torch.float32 and scores.device.type == "cpu" and not scores.requires_grad:
        # The scores are this call's own tensor (hooks return their own or ours): the softmax writes into
        # them, bit for bit the same, without a second [head, query, key] tensor to allocate and fault in.
        probs = torch.ops.aten._softmax.out(scores, -1, False, out=scores).to(query.dtype)
    else:
        probs = torch.nn.functional.softmax(scores, dim=-1, dtype=torch.float32).to(query.dtype)
    if dropout and module.training:
        probs = torch.nn.functional.dropout(probs, p=dropout, training=True)
    hooks.on_probs(module, probs)

    grouped_probs = probs.reshape(batch, kv_heads, heads // kv_heads * q, -1)  # [batch, kv_head, group·query, key]
    output = torch.matmul(grouped_probs, value).view(batch, heads, q, -1)  # [batch, head, query, dim]
    output = hooks.on_output(module, output)
    return output.transpose(1, 2).contiguous(), probs


def attention_mask(
    q_length: int,
    kv_length: int,
    q_offset: int = 0,
    kv_offset: int = 0,
    attention_mask: torch.Tensor | None = None,
    local_size: int | None = None,
    allow_is_causal_skip: bool = False,
    **kwargs,
) -> torch.Tensor | None:
    """transformers' eager mask, except none for a single query that may see every key (a decode step).

    Building an all-zero mask and adding it in every layer costs more than a small model's attention
    itself. The skip is SDPA's own rule for one query: transformers allows it (no custom or packed
    mask), there is no padding, and no sliding window cuts off old keys.
    """
    if allow_is_causal_skip and q_length == 1 and (local_size is None or kv_length < local_size):
        padding = prepare_padding_mask(attention_mask, kv_length, kv_offset)
        if padding is None or bool(padding.all()):
            return None
    return eager_mask(
        q_length=q_length,
        kv_length=kv_length,
        q_offset=q_offset,
        kv_offset=kv_offset,
        attention_mask=attention_mask,
        local_size=local_size,
        **kwargs,
    )


def register() -> None:
    """Make `attnlab` a valid attention implementation (idempotent)."""
    AttentionInterface.register(IMPLEMENTATION, attention_forward)
    AttentionMaskInterface.register(IMPLEMENTATION, attention_mask)


register()


def classify(name: str, kind: str) -> str:
    """The stack of an attention module, from its path in the model."""
    parts = name.lower().split(".")
    if any(part.replace("_", "") in _CROSS_PARTS for part in parts):
        return "cross"
    if kind in ("encoder", "decoder"):
        return kind
    return "encoder" if "encoder" in parts else "decoder"


def map_sites(
    model: torch.nn.Module, seen: dict[tuple[int, int], tuple[int, int]], kind: str
) -> tuple[dict[tuple[int, int], tuple[str, int]], dict[str, tuple[int, int]]]:
    """Name every attention call of a probe forward (`seen`, in call order): (stack, layer), each
    stack's layers numbered 0..n-1 in the order they ran. Writes on each module how many calls of
    it one forward makes (`site_key` needs it).

    Returns the site map and, per stack, (layers, heads).
    """
    modules = {id(m): (n, m) for n, m in model.named_modules()}
    sites: dict[tuple[int, int], tuple[str, int]] = {}
    shapes: dict[str, tuple[int, int]] = {}
    for key, (heads, _) in seen.items():
        name, module = modules[key[0]]
        stack = classify(name, kind)
        layers, first_heads = shapes.get(stack, (0, heads))
        sites[key] = (stack, layers)
        shapes[stack] = (layers + 1, first_heads)
        setattr(module, _CALLS, key[1] + 1)
    return sites, shapes
