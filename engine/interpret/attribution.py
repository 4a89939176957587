"""Input attribution: how much one prediction rests on each input token.

Scores are for the predicting stack's tokens (a decoder's sequence, a masked LM's input), computed
on the embeddings the model's embedding module produces (`embeddings.replaced`), with the session's
knock-outs and ablated heads in force. f(e) = log p(target | embeddings e) at one position (or
log p(B follows A) from a next-sentence head).

- gradient × input: ∇ₑf · e summed over the hidden size per token (and ‖∇ₑf ⊙ e‖₂): one backward.
- integrated gradients (Sundararajan et al. 2017): (e − b) · ∫₀¹ ∇f(b + α(e − b)) dα per token, the
  integral by Gauss–Legendre quadrature on `steps` points (captum's default rule too). Completeness
  says Σ scores = f(e) − f(b); the relative miss is reported. Steps start at 32 and double up to the
  cap until the miss is below 5%. The baseline is the pad token's embedding at every position by
  default: a zero embedding sits on RMSNorm's singularity (x / ‖x‖), where log p jumps near α = 0.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from attnlab.engine.api.config import Progress
from attnlab.engine.api.errors import Cancelled, EngineError, UnsupportedError
from attnlab.engine.api.messages import message
from attnlab.engine.api.results import Attribution
from attnlab.engine.api.tokens import readable_tokens
from attnlab.engine.capture import attention as capture
from attnlab.engine.interpret import embeddings, lens

if TYPE_CHECKING:
    from attnlab.engine.session.analysis_session import AnalysisSession as Session

FIRST_STEPS = 32
MAX_STEPS = 512
TOLERANCE = 0.05  # completeness error the adaptive steps aim below
TOKENS_PER_FORWARD = 2048  # path points × tokens per forward + backward


@dataclass(frozen=True)
class Target:
    """What to explain: log p(token) at `position` (None: the session's prediction, the next token or the
    first [MASK] slot; token None: the top-1 there), or the next-sentence head's P(B follows A)."""

    token: int | None = None
    position: int | None = None
    next_sentence: bool = False


LogProb = Callable[[torch.Tensor], torch.Tensor]  # embeddings [batch, token, hidden] -> log p [batch]


def _objective(session: Session, target: Target) -> tuple[LogProb, int, int, list[int]]:
    """(f, target id or -1, position or -1, the stack's token ids)."""
    embeddings.check_kind(session, "input attribution")
    prediction = session.prediction()
    ids, default = prediction.ids, prediction.position
    if target.next_sentence:
        return _next_sentence(session), -1, -1, ids
    position = default if target.position is None else target.position
    if position is None:
        raise EngineError("attribution_mask_a_token_first")
    if not 0 <= position < len(ids):
        raise EngineError("position_out_of_range", position=position, count=len(ids), range=f"0..{len(ids) - 1}")
    with torch.inference_mode():
        logits = session.rerun(session.interventions(), 1, position)[0].float()
    chosen = int(torch.argmax(logits)) if target.token is None else int(target.token)
    if not 0 <= chosen < logits.shape[-1]:
        raise EngineError("token_not_in_vocabulary", id=chosen, range=f"0..{logits.shape[-1] - 1}")

    def logprob(values: torch.Tensor) -> torch.Tensor:
        with embeddings.replaced(session, values):
            out = session.rerun(session.interventions(), values.shape[0], position)  # [batch, vocab]
        return torch.log_softmax(out.float(), dim=-1)[:, chosen]

    return logprob, chosen, position, ids


def _next_sentence(session: Session) -> LogProb:
    inputs = getattr(session, "model_inputs", {})  # an EncoderSession's last analysed input
    if not session.info.has_nsp_head or "token_type_ids" not in inputs or int(inputs["token_type_ids"].max()) != 1:
        raise UnsupportedError("nsp_needs_head")

    def logprob(values: torch.Tensor) -> torch.Tensor:
        batch = values.shape[0]
        expanded = {name: value.expand(batch, *value.shape[1:]) for name, value in inputs.items()}
        with embeddings.replaced(session, values), capture.recording(session.interventions()):
            out = session.model(**expanded)
        return torch.log_softmax(out.seq_relationship_logits.float(), dim=-1)[:, 0]  # index 0: B follows A

    return logprob


def _gradients(f: LogProb, points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(f at each point [batch], ∇f at each point [batch, token, hidden])."""
    with torch.inference_mode(False), torch.enable_grad():
        values = points.clone().requires_grad_(True)
        out = f(values)
        (gradient,) = torch.autograd.grad(out.sum(), values)
    return out.detach(), gradient.detach()


def _baseline(session: Session, ids: list[int], kind: str) -> torch.Tensor:
    """[token, hidden]: the pad token's embedding everywhere ("pad"; eos, then unk, if there is no pad), or 0."""
    size = embeddings.embed(session, ids[:1]).shape[-1]
    if kind == "zero":
        return torch.zeros(len(ids), size, device=session.loaded.device)
    if kind != "pad":
        raise EngineError("ig_baseline_unknown", kind=repr(kind))
    tokenizer = session.tokenizer
    pad = next(
        (t for t in (tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id) if t is not None), None
    )
    if pad is None:
        raise UnsupportedError("ig_no_pad_token", model=session.info.name)
    return embeddings.embed(session, [int(pad)] * len(ids))


def _integrate(
    f: LogProb, x: torch.Tensor, base: torch.Tensor, steps: int, cancel: threading.Event | None
) -> torch.Tensor:
    """(x − b) · Σ_k w_k ∇f(b + α_k(x − b)) over Gauss–Legendre points α_k in [0, 1]: [token]."""
    nodes, weights = np.polynomial.legendre.leggauss(steps)
    alphas = torch.tensor((nodes + 1) / 2, dtype=torch.float32, device=x.device)
    halves = torch.tensor(weights / 2, dtype=torch.float32, device=x.device)
    rows = max(1, min(steps, TOKENS_PER_FORWARD // x.shape[0]))
    total = torch.zeros_like(x)
    for start in range(0, steps, rows):
        if cancel is not None and cancel.is_set():
            raise Cancelled("cancelled", what="attribution")
        alpha = alphas[start : start + rows].view(-1, 1, 1)
        _, gradient = _gradients(f, base + alpha * (x - base))  # [rows, token, hidden]
        total += (halves[start : start + rows].view(-1, 1, 1) * gradient.float()).sum(0)
    return ((x - base).float() * total).sum(-1)  # [token]


def attribute(
    session: Session,
    target: Target = Target(),
    integrated: bool = True,
    baseline: str = "pad",
    max_steps: int = MAX_STEPS,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Attribution:
    """Gradient × input and (if `integrated`) integrated gradients for one prediction of the session's
    current input; IG's steps double from 32 (or `max_steps` if fewer) until the completeness error
    is below 5% or `max_steps` is reached. Changes nothing in the session."""
    if max_steps < 1:
        raise EngineError("ig_steps_too_few", steps=max_steps)
    f, chosen, position, ids = _objective(session, target)
    layers = max(session.stack_shape(s.name)[0] for s in session.info.stacks)
    lens.check_rerun_fits(session, "input attribution", layers=layers)  # a backward keeps every layer's
    x = embeddings.embed(session, ids)  # [token, hidden]
    logprob, gradient = _gradients(f, x[None])
    product = (gradient[0] * x).float()  # [token, hidden]
    grad_x_input = product.sum(-1).cpu().numpy().astype(np.float32)
    norm = product.norm(dim=-1).cpu().numpy().astype(np.float32)
    scores, base_logprob, error, steps, converged = np.zeros(0, np.float32), float("nan"), float("nan"), 0, False
    if integrated:
        base = _baseline(session, ids, baseline)
        lens.check_rerun_fits(session, "integrated gradients", min(max_steps, TOKENS_PER_FORWARD // len(ids)), layers)
        with torch.inference_mode():
            base_logprob = float(f(base[None])[0])
        gap = float(logprob[0]) - base_logprob
        steps = min(FIRST_STEPS, max_steps)
        while True:
            if progress is not None:
                progress(message("integrated_gradients_steps", steps=steps), -1.0)
            values = _integrate(f, x, base, steps, cancel)
            error = abs(float(values.sum()) - gap) / max(abs(gap), 1e-6)
            converged = error < TOLERANCE
            if converged or steps >= max_steps:
                break
            steps = min(2 * steps, max_steps)
        scores = values.cpu().numpy().astype(np.float32)
    text = "next sentence" if chosen < 0 else session.token_text(chosen)
    return Attribution(
        stack=session.prediction().stack,
        tokens=tuple(readable_tokens(session.tokenizer, ids)),
        target_id=chosen,
        target_text=text,
        position=position,
        logprob=float(logprob[0]),
        grad_x_input=grad_x_input,
        grad_x_input_norm=norm,
        integrated=scores,
        baseline=baseline,
        baseline_logprob=base_logprob,
        completeness_error=error,
        steps=steps,
        converged=converged,
    )
