"""Long-document store mode: a pooled overview per head written during the forward, exact regions on demand.

The exact store keeps every float16 row: N(N+1)/2 values per head, 18 GB for SmolLM2 at 8,192 tokens.
In long mode a forward writes instead, per (layer, head), the max over blocks of `factor` × `factor`
cells (`LongAttention.pooled`), and keeps what recomputes any exact region later: the queries after
position encoding (copied here) and the keys (the KV cache's own tensors, referenced, not copied),
with the scaling and softcap the module used. A region is recomputed through the same
`capture.attention_forward` as the forward, with the session's knock-outs, and rounded to float16:
it equals what the exact store would hold.

Supported: decoder-only models whose attention is scores·scaling (+ softcap) + causal mask, over
every earlier key. Sliding windows (their cache drops old keys), relative position biases and
encoders are refused with a message.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from attnlab.engine.api.errors import UnsupportedError
from attnlab.engine.api.long_summary import LongAttention, overview_factor
from attnlab.engine.api.memory_budget import check_fits
from attnlab.engine.api.messages import message
from attnlab.engine.capture import attention as capture

STACK = "decoder"
# Architectures whose attention module hands us exactly queries, keys, scaling, softcap and the causal mask.
SUPPORTED = frozenset({"gpt2", "llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "phi3", "olmo2", "granite"})


def check_supported(loaded) -> None:
    """Refuse a model whose attention the long mode could not recompute exactly, saying why."""
    config, name = loaded.model.config, loaded.info.name
    if loaded.kind != "decoder":
        raise UnsupportedError("long_needs_decoder", model=name, kind=loaded.kind)
    if config.model_type not in SUPPORTED:
        raise UnsupportedError(
            "long_model_type_unsupported", model_type=str(config.model_type), supported=", ".join(sorted(SUPPORTED))
        )
    windowed = "sliding_attention" in (getattr(config, "layer_types", None) or ())
    windowed |= bool(getattr(config, "sliding_window", None)) and getattr(config, "use_sliding_window", True)
    if windowed:
        raise UnsupportedError("long_sliding_window", model=name)


def plan(loaded, capacity: int, block: int) -> LongState:
    """A long-mode state for up to `capacity` tokens fed `block` queries at a time; refuses what would not fit."""
    check_supported(loaded)
    [stack] = [s for s in loaded.info.stacks if s.name == STACK]
    config = loaded.model.config
    hidden = getattr(config, "hidden_size", None) or config.n_embd
    dim = getattr(config, "head_dim", None) or hidden // stack.heads
    element = torch.empty((), dtype=loaded.model.dtype).element_size()
    state = LongState(stack.layers, stack.heads, capacity)
    queries = stack.layers * stack.heads * capacity * dim * element
    scores = 3 * stack.heads * min(block, capacity) * capacity * 4  # one block's float32 scores and probabilities
    check_fits(queries + state.pooled.nbytes + scores, message("memory_long_attention", tokens=capacity))
    return state


class LongState:
    """One causal stack in long mode: the overview, and per layer what recomputes its exact rows."""

    def __init__(self, layers: int, heads: int, capacity: int):
        self.layers, self.heads = layers, heads
        self.factor = overview_factor(capacity)
        self.rows = 0
        self.pooled = self._cells(capacity)  # [layer, head, cell, cell]
        self.queries: list[torch.Tensor | None] = [None] * layers  # [head, capacity, dim], after position encoding
        self.keys: list[torch.Tensor | None] = [None] * layers  # [kv_head, key, dim]: the cache's tensor
        self.modules: list[torch.nn.Module | None] = [None] * layers
        self.scaling = [1.0] * layers
        self.softcap: list[float | None] = [None] * layers

    def _cells(self, capacity: int) -> np.ndarray:
        cells = -(-capacity // self.factor)
        return np.zeros((self.layers, self.heads, cells, cells), np.float16)

    def snapshot(self) -> LongAttention:
        return LongAttention(STACK, self.pooled, self.factor, self.rows)

    def keep(self, layer: int, module, query, key, scaling: float, softcap: float | None, start: int) -> None:
        """What a layer's forward over queries start.. handed in: query [head, q, dim], key [kv_head, key, dim]."""
        end = start + query.shape[1]
        buffer = self.queries[layer]
        if buffer is None or buffer.shape[1] < end:  # first forward, or a generation longer than planned
            grown = query.new_zeros((query.shape[0], max(end, self.pooled.shape[-1] * self.factor), query.shape[2]))
            if buffer is not None:
                grown[:, : buffer.shape[1]] = buffer
            self.queries[layer] = buffer = grown
        buffer[:, start:end] = query
        self.keys[layer], self.modules[layer] = key, module
        self.scaling[layer], self.softcap[layer] = scaling, softcap

    def summarise(self, layer: int, start: int, probs: torch.Tensor) -> None:
        """Max the rows start.. of one layer's probabilities [head, q, key] into the overview."""
        f = self.factor
        end = start + probs.shape[1]
        if -(-end // f) > self.pooled.shape[2]:
            grown = self._cells(end)
            grown[:, :, : self.pooled.shape[2], : self.pooled.shape[3]] = self.pooled
            self.pooled = grown
        bands = _row_bands(probs, start, f)  # [head, cell, key]
        cells = torch.nn.functional.max_pool1d(bands, f, f, ceil_mode=True).float()  # [head, cell, cell]
        first = start // f
        target = self.pooled[layer, :, first : first + cells.shape[1], : cells.shape[2]]
        np.maximum(target, cells.to(torch.float16).cpu().numpy(), out=target)

    def probabilities(self, layer: int, first: int, end: int, heads, knockout: dict) -> torch.Tensor:
        """Exact probabilities of queries first..end-1 over keys 0..end-1: [head, q, key] for `heads` (a
        slice or an index list), through the forward's own attention function and knock-outs."""
        query, key, module = self.queries[layer], self.keys[layer], self.modules[layer]
        assert query is not None and key is not None and module is not None, "no forward has run"
        chosen = query[heads, first:end][None]  # [1, head, q, dim]
        keys = key[:, :end][None]  # [1, kv_head, key, dim]
        if chosen.shape[1] != self.heads:  # fewer query heads than the model: each with its own key head
            group = self.heads // key.shape[0]
            picked = torch.arange(self.heads, device=key.device)[heads] // group
            keys = key[picked, :end][None]
        positions = torch.arange(end, device=key.device)
        hidden = positions[None, :] > positions[first:end, None]  # [q, key]: later keys
        mask = torch.zeros(hidden.shape, dtype=chosen.dtype, device=key.device)
        mask.masked_fill_(hidden, torch.finfo(chosen.dtype).min)
        recorder = capture.Recorder({(id(module), 0): (STACK, layer)}, None, {STACK: first}, knockout)
        with capture.recording(recorder):
            _, probs = capture.attention_forward(
                module, chosen, keys, keys, mask[None, None], scaling=self.scaling[layer], softcap=self.softcap[layer]
            )
        return probs[0]

    def truncate(self, rows: int, knockout: dict) -> None:
        """Forget rows from `rows` on (undo): the overview's last cell row is rebuilt from exact rows."""
        self.rows = rows
        f = self.factor
        first = rows // f * f
        self.pooled[:, :, first // f :] = 0
        if first < rows:
            for layer in range(self.layers):
                self.summarise(layer, first, self.probabilities(layer, first, rows, slice(None), knockout))

    def region(self, layer: int, head: int, queries: range, keys: range, knockout: dict) -> np.ndarray:
        """[q, k] float32, rounded to float16 as the exact store holds it; zeros right of the diagonal."""
        out = np.zeros((len(queries), len(keys)), np.float32)
        if not len(queries) or not len(keys):
            return out
        probs = self.probabilities(layer, queries.start, queries.stop, [head], knockout)[0]  # [q, key ≤ q.stop]
        seen = probs[:, keys.start : keys.stop].to(torch.float16).float().cpu().numpy()
        out[:, : seen.shape[1]] = seen
        return out


def _row_bands(probs: torch.Tensor, start: int, f: int) -> torch.Tensor:
    """[head, q, key] rows start.. -> [head, cells, key], the max over each cell's rows (cells start at
    multiples of f). Whole cells are reduced through a view: several times faster than max_pool2d."""
    q = probs.shape[1]
    head = min(q, -start % f)  # rows before the first whole cell
    whole = (q - head) // f
    parts = [probs[:, :head].amax(1, keepdim=True)] if head else []
    if whole:
        parts.append(probs[:, head : head + whole * f].unflatten(1, (whole, f)).amax(2))
    if head + whole * f < q:
        parts.append(probs[:, head + whole * f :].amax(1, keepdim=True))
    return torch.cat(parts, 1) if len(parts) > 1 else parts[0]


@dataclass
class LongWriter(capture.Hooks):
    """What a session's forward in long mode writes instead of rows into the store: queries, keys and the
    overview into `long`. Composed after the session's `Recorder` (knock-outs, ablation, no store), so
    it sees the probabilities with the knock-outs applied: `capture.compose(recorder, writer)`."""

    sites: dict[tuple[int, int], tuple[str, int]]  # capture.site_key(attention module) -> (stack, layer)
    start: dict[str, int]  # stack -> first query row this forward writes
    knockout: dict[str, torch.Tensor]  # stack -> [key] bool: what an undo's truncation recomputes with
    long: LongState | None = None
    end: int = 0  # rows this forward reaches
    reuse_scores = True  # the overview is written at once; a session's forward returns no attentions
    _previous: int = 0

    def on_inputs(self, module, query, key, value, scaling, softcap, position_bias, attention_mask) -> None:
        site = self.sites.get(capture.site_key(module))
        if site is None or self.long is None:
            return
        start = self.start.get(STACK, 0)
        if position_bias is not None or key.shape[2] != start + query.shape[2]:
            raise UnsupportedError("long_needs_full_attention")
        self.long.keep(site[1], module, query[0], key[0], scaling, softcap, start)
        self.end, self._previous = start + query.shape[2], self.long.rows

    def on_probs(self, module, probs) -> None:
        site = self.sites.get(capture.site_key(module))
        if site is not None and self.long is not None:
            self.long.summarise(site[1], self.start.get(STACK, 0), probs[0])

    def flush(self) -> None:
        if self.long is None:
            return
        if self.end < self._previous:  # an undo fed the last token again: forget the rows after it
            self.long.truncate(self.end, self.knockout)
        self.long.rows = self.end
