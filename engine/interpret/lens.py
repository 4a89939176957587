"""The logit lens: every layer's residual stream read through the model's own final norm and output head.

Unlike the other analyses this one needs the model (torch): the session runs the current input once
more (masks and ablations included) with a hook on every block of the stack that makes the
predictions, and this module turns what the blocks saw into top-k tokens. It is not imported by
`engine.analyses` (which stays numpy-only); it takes any `AnalysisSession` (attnlab.engine.session.analysis_session).

Stepping with the lens open: `LensRows`, installed on a generation session, keeps what each step's own
forward saw at its new position (every block's output and the logits), so the lens of the positions a
step added is read from them with no forward at all; a causal decoder's earlier positions do not change.

Definition: for entry 0 the input of the first block, for entry l the output of block l, h ↦
softmax(head(norm(h))), where norm is the stack's final norm (none for BERT-style encoders) and head
the output head as the model's forward applies it (T5's rescaling, Gemma-2's final softcap, a masked
LM's transform + decoder). The last entry is the model's own output, not recomputed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import torch
from transformers import PreTrainedModel

from attnlab.engine.api.errors import Cancelled, EngineError, UnsupportedError
from attnlab.engine.api.memory_budget import check_fits
from attnlab.engine.api.messages import message
from attnlab.engine.api.results import LensResult
from attnlab.engine.api.tokens import readable_tokens
from attnlab.engine.session.analysis_session import AnalysisSession, BlockRerunSession, reruns_in_blocks

# The stack's final norm, as an attribute of the stack module (GPT-2 ln_f, Llama norm, T5 final_layer_norm...)
_NORMS = ("norm", "ln_f", "final_layer_norm", "final_layernorm", "layer_norm", "norm_f")
# A masked LM's head: module paths applied in order (BERT, RoBERTa, ALBERT, ELECTRA, DistilBERT).
_MLM_HEADS = (
    ("cls.predictions",),
    ("cls",),
    ("lm_head",),
    ("predictions",),
    ("generator_predictions", "generator_lm_head"),
    ("vocab_transform", "activation", "vocab_layer_norm", "vocab_projector"),
)

ROWS_KEPT = 256  # positions a lens of the whole text keeps of the steps after it (a lens of the last n: n)
Projection = Callable[[torch.Tensor], torch.Tensor]  # [..., hidden] -> [..., vocab] logits


def _block_named(model: torch.nn.Module, name: str) -> torch.nn.Module:
    """The transformer block (an item of a ModuleList) that holds the module called `name`."""
    match = re.match(r"^(.*?\.\d+)(?:\.|$)", name)
    if match is None:
        raise UnsupportedError("lens_no_layer", module=name)
    return model.get_submodule(match.group(1))


def blocks(model: torch.nn.Module, sites: dict[tuple[int, int], tuple[str, int]], stack: str) -> list[torch.nn.Module]:
    """The blocks of one stack in layer order (a block shared by several layers appears once per layer)."""
    names = {id(m): n for n, m in model.named_modules()}
    layers = sorted((layer, key[0]) for key, (s, layer) in sites.items() if s == stack)
    return [_block_named(model, names[mid]) for _, mid in layers]


def projection(model: PreTrainedModel, kind: str) -> Projection:
    """h ↦ logits as the model's forward maps its last hidden state, for the stack that predicts."""
    if kind == "encoder":
        for path in _MLM_HEADS:
            try:
                modules = [model.get_submodule(p) for p in path]
            except AttributeError:
                continue
            return lambda h: _chain(modules, h)
        raise UnsupportedError("lens_no_mlm_head", architecture=type(model).__name__)
    stack = model.get_decoder() if kind == "encoder-decoder" else model.base_model
    norm = next((m for m in (getattr(stack, n, None) for n in _NORMS) if isinstance(m, torch.nn.Module)), None)
    head = model.get_output_embeddings()
    if head is None:
        raise UnsupportedError("lens_no_output_head", architecture=type(model).__name__)
    config = model.config
    scale = getattr(model, "model_dim", 1) ** -0.5 if getattr(config, "scale_decoder_outputs", False) else 1.0
    softcap = getattr(config, "final_logit_softcapping", None)

    def project(h: torch.Tensor) -> torch.Tensor:
        logits = head((norm(h) if norm is not None else h) * scale)
        return torch.tanh(logits / softcap) * softcap if softcap else logits

    return project


def _chain(modules: list[torch.nn.Module], h: torch.Tensor) -> torch.Tensor:
    for module in modules:
        h = module(h)
    return h


@contextmanager
def residuals(stack_blocks: list[torch.nn.Module]) -> Iterator[list[torch.Tensor]]:
    """Collect, during one forward, the first block's input and every block's output ([batch, position,
    hidden] each, layer + 1 in all); the hooks are always removed."""
    seen: list[torch.Tensor] = []

    def before(module, args, kwargs):
        seen.append(args[0] if args else kwargs["hidden_states"])

    def after(module, args, output):
        seen.append(output[0] if isinstance(output, tuple) else output)

    handles = [stack_blocks[0].register_forward_pre_hook(before, with_kwargs=True)]
    handles += [block.register_forward_hook(after) for block in stack_blocks]
    try:
        yield seen
    finally:
        for handle in handles:
            handle.remove()


@contextmanager
def stop_when(cancel: threading.Event | None, stack_blocks: list[torch.nn.Module]) -> Iterator[None]:
    """Raise `Cancelled` before the next block runs once `cancel` is set: a lens nobody waits for any more
    (the user stepped on) gives way within one layer instead of finishing a forward of the whole text."""
    if cancel is None:
        yield
        return

    def check(module, args):
        if cancel.is_set():
            raise Cancelled("was_cancelled", what="the logit lens")

    handles = [block.register_forward_pre_hook(check) for block in stack_blocks]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


class LensRows:
    """The residual stream and the output at each position a generation session's steps feed, kept for
    the lens of those positions (a `StepWatcher`, attnlab.engine.session.analysis_session). At most the
    last `limit` positions are kept: [layer + 1, hidden] and [vocab] each."""

    def __init__(self, stack_blocks: list[torch.nn.Module], limit: int):
        self._blocks = stack_blocks
        self._limit = max(1, limit)
        # position -> (layer + 1 of [hidden], [vocab])
        self._rows: dict[int, tuple[list[torch.Tensor], torch.Tensor]] = {}

    @classmethod
    def of(cls, session: AnalysisSession, limit: int) -> LensRows:
        """For the blocks of the stack whose prediction the session's lens reads."""
        return cls(blocks(session.model, session.loaded.sites, session.prediction().stack), limit)

    @contextmanager
    def watch(self, position: int) -> Iterator[Callable[[torch.Tensor], None]]:
        with residuals(self._blocks) as seen:

            def keep(logits: torch.Tensor) -> None:
                self._rows[position] = ([h[0, -1] for h in seen], logits)
                for old in [p for p in self._rows if p <= position - self._limit]:
                    del self._rows[old]

            yield keep

    def forget(self, first: int) -> None:
        for position in [p for p in self._rows if p >= first]:
            del self._rows[position]

    def between(self, start: int, end: int) -> tuple[list[torch.Tensor], torch.Tensor] | None:
        """(layer + 1 of [position, hidden], [position, vocab]) of positions start..end-1, or None unless
        every one of them is kept."""
        if end <= start or any(p not in self._rows for p in range(start, end)):
            return None
        kept = [self._rows[p] for p in range(start, end)]
        hidden = [torch.stack([row[0][entry] for row in kept]) for entry in range(len(kept[0][0]))]
        return hidden, torch.stack([row[1] for row in kept])


def lens_topk(
    hidden: list[torch.Tensor],
    logits: torch.Tensor,
    project: Projection,
    k: int,
    block: int = 256,
    cancel: threading.Event | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k ids and probabilities, [layer + 1, position, k]: entries 0..L-1 projected from `hidden`
    (each [position, hidden]), the last entry from the model's own `logits` [position, vocab]. At most
    `block` rows are projected at a time, so no [layer, position, vocab] array is ever held; when the
    positions are fewer, several layers go through the head together (a step's one position: every
    layer in one product, the head's weights read once instead of once per layer). `cancel`: checked
    before each projection (a large vocabulary makes them seconds in all; raises Cancelled)."""
    k = min(k, logits.shape[-1])
    positions, last = logits.shape[0], len(hidden) - 1
    together = max(1, block // max(positions, 1))  # layers per projection
    ids = torch.empty((last + 1, positions, k), dtype=torch.long, device=logits.device)
    probs = torch.empty((last + 1, positions, k), dtype=torch.float32, device=logits.device)
    for first in range(0, last + 1, together):
        entries = range(first, min(first + together, last + 1))
        for start in range(0, positions, block):
            if cancel is not None and cancel.is_set():
                raise Cancelled("was_cancelled", what="the logit lens")
            part = slice(start, start + block)
            projected = [hidden[e][part].to(logits.device) for e in entries if e != last]  # device_map
            rows = [project(torch.cat(projected))] if projected else []  # [entries × part, vocab]
            if last in entries:
                rows.append(logits[part])
            top = torch.topk(torch.softmax(torch.cat(rows).float(), dim=-1), k, dim=-1)
            span = len(entries)
            ids[first : first + span, part] = top.indices.view(span, -1, k).to(ids.device)
            probs[first : first + span, part] = top.values.view(span, -1, k).to(probs.device)
    return ids, probs


def check_projection(last_hidden: torch.Tensor, logits: torch.Tensor, project: Projection, model_name: str) -> None:
    """Refuse a lens whose head does not reproduce the model's output from its last layer: the
    architecture maps hidden states to logits in a way the lens does not know."""
    expected = torch.log_softmax(logits.float(), dim=-1)
    got = torch.log_softmax(project(last_hidden).float(), dim=-1)
    tolerance = 1e-3 if logits.dtype == torch.float32 else 3e-2  # bf16/fp16 round the two paths apart
    if not torch.allclose(torch.exp(got), torch.exp(expected), atol=tolerance):
        raise UnsupportedError("lens_head_unknown", model=model_name)


def check_rerun_fits(session: AnalysisSession, what: str, batch: int = 1, layers: int = 1) -> None:
    """Refuse a forward of the whole input (`batch` copies side by side) whose attention would not fit in
    memory: each layer holds [batch, head, N, N] float32 scores and probabilities (a knock-out copies
    them once more); `layers` of them when a backward pass keeps them all."""
    prediction = session.prediction()
    heads, n = session.stack_shape(prediction.stack)[1], len(prediction.ids)
    check_fits(3 * 4 * batch * heads * n * n * layers, message("memory_lens", what=what, tokens=n))


def logit_lens(
    session: AnalysisSession, k: int = 10, positions: int | None = None, cancel: threading.Event | None = None
) -> LensResult:
    """The lens of the session's current input: one more forward with the session's masks and ablations.
    `positions`: read only the last that many positions (None: all of them). `cancel`: set it to stop
    the forward between two layers (raises `Cancelled`; nothing changed)."""
    if k < 1:
        raise EngineError("lens_k_too_small", k=k)
    prediction = session.prediction()
    stack, ids = prediction.stack, prediction.ids
    start = 0 if positions is None else max(0, len(ids) - max(1, positions))
    project = projection(session.model, session.info.kind)
    stack_blocks = blocks(session.model, session.loaded.sites, stack)
    watcher = getattr(session, "step_watcher", None)
    kept = watcher.between(start, len(ids)) if isinstance(watcher, LensRows) else None
    with torch.inference_mode(), stop_when(cancel, stack_blocks):
        in_blocks = reruns_in_blocks(session)
        if kept is not None:  # positions the steps fed: what their own forwards saw, no forward again
            hidden, logits = kept
            check_projection(hidden[-1][-8:], logits[-8:], project, session.info.name)
            top_ids, top_probs = lens_topk(hidden, logits, project, k, cancel=cancel)
        elif in_blocks is not None:  # a long text: the input in blocks of queries
            top_ids, top_probs = _lens_in_blocks(in_blocks, stack, start, project, k)
        else:
            check_rerun_fits(session, "the logit lens")
            with residuals(stack_blocks) as seen:
                logits = session.rerun(session.interventions())[0, start:]  # [position, vocab]
            hidden = [h[0, start:] for h in seen]  # layer + 1 of [position, hidden]
            check_projection(hidden[-1][-8:], logits[-8:], project, session.info.name)
            top_ids, top_probs = lens_topk(hidden, logits, project, k, cancel=cancel)
    ids_array = top_ids.cpu().numpy().astype(np.int64)
    texts = tuple(
        tuple(tuple(session.token_text(int(t)) for t in cell) for cell in entry) for entry in ids_array.tolist()
    )
    return LensResult(
        stack=stack,
        tokens=tuple(readable_tokens(session.tokenizer, ids[start:])),
        topk_ids=ids_array,
        topk_probs=top_probs.cpu().numpy().astype(np.float32),
        topk_texts=texts,
        start=start,
    )


def _lens_in_blocks(
    session: BlockRerunSession, stack: str, start: int, project: Projection, k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """The lens of positions start.. (see `lens_topk`) from the input fed again a block of queries at a time
    through a fresh cache (`rerun_blocks`): no layer holds [head, N, N] scores."""
    ids, probs = [], []
    with residuals(blocks(session.model, session.loaded.sites, stack)) as seen:
        for _first, logits in session.rerun_blocks(session.interventions(), start):
            hidden = [h[0, h.shape[1] - logits.shape[1] :] for h in seen]  # layer + 1 of [position ≥ start, hidden]
            seen.clear()
            if logits.shape[1]:
                block_ids, block_probs = lens_topk(hidden, logits[0], project, k)
                ids.append(block_ids)
                probs.append(block_probs)
    check_projection(hidden[-1][-8:], logits[0, -8:], project, session.info.name)
    return torch.cat(ids, dim=1), torch.cat(probs, dim=1)  # [layer + 1, position, k]
