"""The logit lens: every layer's residual stream read through the model's own final norm and output head.

Unlike the other analyses this one needs the model (torch): the session runs the current input once
more (masks and ablations included) with a hook on every block of the stack that makes the
predictions, and this module turns what the blocks saw into top-k tokens. It is not imported by
`engine.analyses` (which stays numpy-only); it takes any `AnalysisSession` (attnlab.engine.session.analysis_session).

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

Projection = Callable[[torch.Tensor], torch.Tensor]  # [..., hidden] -> [..., vocab] logits


def block_of(model: torch.nn.Module, attention: torch.nn.Module) -> torch.nn.Module:
    """The transformer block (an item of a ModuleList) that holds an attention module."""
    names = {id(m): n for n, m in model.named_modules()}
    match = re.match(r"^(.*?\.\d+)(?:\.|$)", names[id(attention)])
    if match is None:
        raise UnsupportedError("lens_no_layer", module=names[id(attention)])
    return model.get_submodule(match.group(1))


def blocks(model: torch.nn.Module, sites: dict[tuple[int, int], tuple[str, int]], stack: str) -> list[torch.nn.Module]:
    """The blocks of one stack in layer order (a block shared by several layers appears once per layer)."""
    modules = {id(m): m for m in model.modules()}
    layers = sorted((layer, key[0]) for key, (s, layer) in sites.items() if s == stack)
    return [block_of(model, modules[mid]) for _, mid in layers]


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


def lens_topk(
    hidden: list[torch.Tensor],
    logits: torch.Tensor,
    project: Projection,
    k: int,
    block: int = 256,
    cancel: threading.Event | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k ids and probabilities, [layer + 1, position, k]: entries 0..L-1 projected from `hidden`
    (each [position, hidden]), the last entry from the model's own `logits` [position, vocab]. Done
    `block` positions at a time, so no [layer, position, vocab] array is ever held. `cancel`: checked
    before each layer's projection (a large vocabulary makes them seconds in all; raises Cancelled)."""
    k = min(k, logits.shape[-1])
    ids, probs = [], []
    last = len(hidden) - 1
    for entry in range(len(hidden)):
        if cancel is not None and cancel.is_set():
            raise Cancelled("was_cancelled", what="the logit lens")
        for start in range(0, logits.shape[0], block):
            part = slice(start, start + block)
            rows = logits[part] if entry == last else project(hidden[entry][part])
            top = torch.topk(torch.softmax(rows.float(), dim=-1), k, dim=-1)
            ids.append(top.indices)
            probs.append(top.values)
    shape = (len(hidden), logits.shape[0], k)
    return torch.cat(ids).view(shape), torch.cat(probs).view(shape)


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
    with torch.inference_mode(), stop_when(cancel, stack_blocks):
        in_blocks = reruns_in_blocks(session)
        if in_blocks is not None:  # a long text: the input in blocks of queries
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
