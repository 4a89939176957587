"""Which heads one prediction depends on: Δ log p(target) when a head is ablated.

Like the lens this needs the model (torch), so `engine.analyses` does not import it; the session does.

- Exact: Δ_lh = log p(target) − log p(target | head h of layer l ablated), the ablation being the
  same as `--ablate-heads l:h` (the head's output zeroed at every position), on top of the session's
  own masks and ablations. One forward per head, but many heads per forward: the batch dimension
  carries the current input once per ablated head (`Recorder.row_ablate`).
- Estimate (Michel et al. 2019): every head's output multiplied by a gate g_lh; ∂ log p / ∂g_lh at
  g = 1, from one backward pass. It is the first-order Taylor estimate of Δ_lh (f(1) − f(0) ≈ f′(1)).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from engine.capture import Recorder
from engine.config import Progress
from engine.errors import Cancelled, EngineError
from engine.results import HeadImportance

if TYPE_CHECKING:
    from engine.session import _Session as Session

TOKENS_PER_FORWARD = 4096  # batch rows × tokens per ablation forward: large batches, bounded memory


def _where(session: Session) -> tuple[str, int, int, int]:
    """(stack, position, layers, heads) of the prediction to explain."""
    stack, ids, position = session._prediction()
    if position is None:
        raise EngineError("head importance explains the filler of a [MASK] slot: mask a token first")
    layers, heads = session._stack_shapes[stack]
    return stack, position, layers, heads


def _check_target(session: Session, target: int | None, logits: torch.Tensor) -> int:
    chosen = int(torch.argmax(logits)) if target is None else int(target)
    if not 0 <= chosen < logits.shape[-1]:
        raise EngineError(f"token id {chosen} is not in the vocabulary (0..{logits.shape[-1] - 1})")
    return chosen


def exact_importance(
    session: Session,
    target: int | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    rows: int | None = None,
) -> HeadImportance:
    """Δ log p(target) per head of the main stack, `rows` ablated heads per forward (default: as many
    as keep rows × tokens near TOKENS_PER_FORWARD). `cancel` is checked between forwards."""
    stack, position, layers, heads = _where(session)
    tokens = len(session._prediction()[1])
    every = [(layer, head) for layer in range(layers) for head in range(heads)]
    rows = rows or max(1, min(len(every), TOKENS_PER_FORWARD // tokens))
    values = np.zeros((layers, heads), np.float32)
    with torch.inference_mode():
        clean = session._rerun(session._analysis_recorder(), 1, position)[0].float()  # [vocab]
        chosen = _check_target(session, target, clean)
        base = float(torch.log_softmax(clean, dim=-1)[chosen])
        for start in range(0, len(every), rows):
            if cancel is not None and cancel.is_set():
                raise Cancelled("head importance cancelled")
            chunk = every[start : start + rows]
            recorder = session._analysis_recorder()
            recorder.row_ablate = _row_ablations(stack, chunk, session.loaded.device)
            logits = session._rerun(recorder, len(chunk), position).float()  # [row, vocab]
            ablated = torch.log_softmax(logits, dim=-1)[:, chosen].cpu().numpy()
            for (layer, head), value in zip(chunk, ablated, strict=True):
                values[layer, head] = base - value
            if progress is not None:
                done = start + len(chunk)
                progress(f"ablating heads: {done} of {len(every)}", done / len(every))
    return HeadImportance(stack, values, chosen, session._token_text(chosen), position, base, exact=True)  # type: ignore[arg-type]


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
class _Gates(Recorder):
    """The session's recorder, plus every head of `stack` multiplied by its gate."""

    stack: str = "decoder"
    gates: torch.Tensor | None = None  # [layer, head], requires grad

    def on_output(self, module: torch.nn.Module, output: torch.Tensor) -> torch.Tensor:
        output = super().on_output(module, output)
        site = self.sites.get(id(module))
        if site is None or site[0] != self.stack or self.gates is None:
            return output
        return output * self.gates[site[1]].to(output.dtype).view(1, -1, 1, 1)


def gradient_importance(session: Session, target: int | None = None) -> HeadImportance:
    """∂ log p(target) / ∂ gate per head of the main stack, gates at 1: one forward and one backward."""
    stack, position, layers, heads = _where(session)
    gates = torch.ones(layers, heads, device=session.loaded.device, requires_grad=True)
    recorder = _Gates(session.loaded.sites, None, {}, session._knock, session._ablations(), stack=stack, gates=gates)
    with torch.inference_mode(False), torch.enable_grad():
        logits = session._rerun(recorder, 1, position)[0].float()
        chosen = _check_target(session, target, logits.detach())
        logprob = torch.log_softmax(logits, dim=-1)[chosen]
        (gradient,) = torch.autograd.grad(logprob, gates)
    values = gradient.cpu().numpy().astype(np.float32)
    return HeadImportance(stack, values, chosen, session._token_text(chosen), position, logprob.item(), exact=False)  # type: ignore[arg-type]
