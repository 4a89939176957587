"""Which heads one prediction depends on: Δ log p(target) when a head is ablated.

Like the lens this needs the model (torch), so `engine.analyses` does not import it; it takes any
`AnalysisSession` (attnlab.engine.session.analysis_session).

- Exact: Δ_lh = log p(target) − log p(target | head h of layer l ablated), the ablation being the
  same as `--ablate-heads l:h` (the head's output zeroed at every position), on top of the session's
  own masks and ablations. One forward per head, but many heads per forward: the batch dimension
  carries the current input once per ablated head (`Recorder.row_ablate`).
- Estimate (Michel et al. 2019): every head's output multiplied by a gate g_lh; ∂ log p / ∂g_lh at
  g = 1, from one backward pass. It is the first-order Taylor estimate of Δ_lh (f(1) − f(0) ≈ f′(1)).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from attnlab.engine.api.config import Progress
from attnlab.engine.api.errors import Cancelled, EngineError
from attnlab.engine.api.messages import message
from attnlab.engine.api.results import HeadImportance, SequenceName
from attnlab.engine.capture import attention as capture
from attnlab.engine.capture.attention import Recorder
from attnlab.engine.interpret import lens
from attnlab.engine.session.analysis_session import AnalysisSession

TOKENS_PER_FORWARD = 4096  # batch rows × tokens per ablation forward: large batches, bounded memory


def head_importance(
    session: AnalysisSession,
    target: int | None = None,
    exact: bool = True,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> HeadImportance:
    """How much the prediction (the top-1 token, or `target`) depends on each head of the main stack:
    exact (one ablated forward per head, batched) or the one-backward gradient estimate."""
    if exact:
        return exact_importance(session, target, progress, cancel)
    return gradient_importance(session, target)


def _where(session: AnalysisSession) -> tuple[SequenceName, int, int, int, int]:
    """(stack, position, tokens, layers, heads) of the prediction to explain."""
    prediction = session.prediction()
    if prediction.position is None:
        raise EngineError("mask_a_token_first")
    layers, heads = session.stack_shape(prediction.stack)
    return prediction.stack, prediction.position, len(prediction.ids), layers, heads


def _check_target(session: AnalysisSession, target: int | None, logits: torch.Tensor) -> int:
    chosen = int(torch.argmax(logits)) if target is None else int(target)
    if not 0 <= chosen < logits.shape[-1]:
        raise EngineError("token_not_in_vocabulary", id=chosen, range=f"0..{logits.shape[-1] - 1}")
    return chosen


def exact_importance(
    session: AnalysisSession,
    target: int | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    rows: int | None = None,
) -> HeadImportance:
    """Δ log p(target) per head of the main stack, at most `rows` ablated heads per forward (default:
    as many as keep rows × tokens near TOKENS_PER_FORWARD). `cancel` is checked between forwards.

    Ablating a head of layer l leaves layers < l as they were: each forward starts at the first
    ablated layer from the inputs the blocks got in the clean forward (`_Resume`), where the model
    allows it; otherwise every forward runs the whole model."""
    stack, position, tokens, layers, heads = _where(session)
    rows = rows or max(1, min(layers * heads, TOKENS_PER_FORWARD // tokens))
    lens.check_rerun_fits(session, "head importance", rows)
    values = np.zeros((layers, heads), np.float32)
    with torch.inference_mode():
        stack_blocks = lens.blocks(session.model, session.loaded.sites, stack)
        with _block_calls(stack_blocks) as calls:
            clean = session.rerun(session.interventions(), 1, position)[0].float()  # [vocab]
        chosen = _check_target(session, target, clean)
        base = float(torch.log_softmax(clean, dim=-1)[chosen])
        resume = _Resume(session, stack_blocks, calls, position)
        if resume.reproduces(clean):
            chunks = [
                [(layer, h) for h in range(start, min(start + rows, heads))]
                for layer in range(layers)
                for start in range(0, heads, rows)
            ]
        else:
            every = [(layer, head) for layer in range(layers) for head in range(heads)]
            chunks = [every[start : start + rows] for start in range(0, len(every), rows)]
        done = 0
        for chunk in chunks:
            if cancel is not None and cancel.is_set():
                raise Cancelled("cancelled", what="head importance")
            recorder = session.interventions()
            recorder.row_ablate = _row_ablations(stack, chunk, session.loaded.device)
            if resume.works:
                logits = resume.run(recorder, chunk[0][0], len(chunk))
            else:
                logits = session.rerun(recorder, len(chunk), position)  # [row, vocab]
            ablated = torch.log_softmax(logits.float(), dim=-1)[:, chosen].cpu().numpy()
            for (layer, head), value in zip(chunk, ablated, strict=True):
                values[layer, head] = base - value
            done += len(chunk)
            if progress is not None:
                progress(message("ablating_heads", done=done, total=layers * heads), done / (layers * heads))
    return HeadImportance(stack, values, chosen, session.token_text(chosen), position, base, exact=True)


Call = tuple[tuple, dict]  # a block's positional and keyword arguments


@contextmanager
def _block_calls(stack_blocks: list[torch.nn.Module]) -> Iterator[list[Call]]:
    """Record, during one forward, the arguments each block is called with; the hooks are always removed."""
    calls: list[Call] = []

    def record(module, args, kwargs):
        calls.append((args, kwargs))

    handles = [block.register_forward_pre_hook(record, with_kwargs=True) for block in stack_blocks]
    try:
        yield calls
    finally:
        for handle in handles:
            handle.remove()


def _batched(value, batch: int):
    """A recorded argument for `batch` rows: tensors (and tuples of them) of batch 1 expanded (a view)."""
    if isinstance(value, torch.Tensor) and value.ndim >= 2 and value.shape[0] == 1:
        return value.expand(batch, *value.shape[1:])
    if isinstance(value, tuple):
        return tuple(_batched(v, batch) for v in value)
    return value


class _Resume:
    """Run the stack's blocks from layer l on, from what they were given in the clean forward, then the
    final norm and head at one position: the model's own forward with layers < l skipped."""

    def __init__(self, session: AnalysisSession, stack_blocks: list[torch.nn.Module], calls: list[Call], position: int):
        self.session, self.blocks, self.calls, self.position = session, stack_blocks, calls, position
        self.works = False

    def reproduces(self, clean: torch.Tensor) -> bool:
        """Whether resuming at the last layer gives the clean forward's logits (else the model does
        something between its blocks, and sweeps run the whole model)."""
        if len(self.calls) != len(self.blocks):
            return False
        try:
            self.project = lens.projection(self.session.model, self.session.info.kind)
            logits = self.run(self.session.interventions(), len(self.blocks) - 1, 1)[0].float()
        except Exception:  # noqa: BLE001 - a block that cannot be called alone: run the whole model
            return False
        tolerance = 1e-4 if clean.dtype == logits.dtype == torch.float32 else 2e-2
        self.works = bool(torch.allclose(torch.softmax(logits, -1), torch.softmax(clean, -1), atol=tolerance))
        return self.works

    def run(self, recorder: Recorder, layer: int, batch: int) -> torch.Tensor:
        """Logits at the position, [batch, vocab], with the recorder's ablations, from block `layer` on."""
        args, kwargs = self.calls[layer]
        hidden = (args[0] if args else kwargs["hidden_states"]).expand(batch, -1, -1)
        with capture.recording(recorder):
            for block, (args, kwargs) in zip(self.blocks[layer:], self.calls[layer:], strict=True):
                rest = {name: _batched(value, batch) for name, value in kwargs.items() if name != "hidden_states"}
                out = block(hidden, *(_batched(a, batch) for a in args[1:]), **rest)
                hidden = out[0] if isinstance(out, tuple) else out
        return self.project(hidden[:, self.position])


def _row_ablations(
    stack: str, chunk: list[tuple[int, int]], device: torch.device
) -> dict[tuple[str, int], tuple[torch.Tensor, torch.Tensor]]:
    """Batch row i ablates chunk[i]: (stack, layer) -> (rows, heads)."""
    per_layer: dict[int, tuple[list[int], list[int]]] = {}
    for row, (layer, head) in enumerate(chunk):
        rows, heads = per_layer.setdefault(layer, ([], []))
        rows.append(row)
        heads.append(head)
    return {
        (stack, layer): (torch.tensor(rows, device=device), torch.tensor(heads, device=device))
        for layer, (rows, heads) in per_layer.items()
    }


@dataclass
class _Gates(capture.Hooks):
    """Every head of `stack` multiplied by its gate; composed after the session's interventions."""

    sites: dict[tuple[int, int], tuple[str, int]]  # capture.site_key(attention module) -> (stack, layer)
    stack: str
    gates: torch.Tensor  # [layer, head], requires grad

    def on_output(self, module: torch.nn.Module, output: torch.Tensor) -> torch.Tensor:
        site = self.sites.get(capture.site_key(module))
        if site is None or site[0] != self.stack:
            return output
        return output * self.gates[site[1]].to(output.dtype).view(1, -1, 1, 1)


def gradient_importance(session: AnalysisSession, target: int | None = None) -> HeadImportance:
    """∂ log p(target) / ∂ gate per head of the main stack, gates at 1: one forward and one backward."""
    stack, position, _, layers, heads = _where(session)
    lens.check_rerun_fits(session, "the head importance estimate", layers=layers)  # backward keeps every layer's
    gates = torch.ones(layers, heads, device=session.loaded.device, requires_grad=True)
    recorder = capture.compose(session.interventions(), _Gates(session.loaded.sites, stack, gates))
    with torch.inference_mode(False), torch.enable_grad():
        logits = session.rerun(recorder, 1, position)[0].float()
        chosen = _check_target(session, target, logits.detach())
        logprob = torch.log_softmax(logits, dim=-1)[chosen]
        (gradient,) = torch.autograd.grad(logprob, gates)
    values = gradient.cpu().numpy().astype(np.float32)
    return HeadImportance(stack, values, chosen, session.token_text(chosen), position, logprob.item(), exact=False)
