"""What an analysis that runs the model needs from a session: the seam between `interpret` and `session`.

The analyses in `attnlab.engine.interpret` (the logit lens, head importance, the formula inspector, and
the ones to come) take any object with these members; `EncoderSession` and `GenerationSession` have them.
A session does not import the analyses and the analyses never reach a session's private state: a new
analysis is a function `f(session: AnalysisSession, ...)` in `interpret/`, and what it needs that is not
here is added here first, documented, and implemented by both sessions.

Every re-run works on the session's current input with its masks and ablations (the interventions) and
leaves the session as it was: nothing is stored, no cache is kept, the generation state does not move.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import torch

from attnlab.engine.api.results import Candidate, Masks, ModelInfo, SequenceName, StackName
from attnlab.engine.capture.attention import Hooks, Recorder
from attnlab.engine.models.loading import LoadedModel

Ablations = dict[tuple[str, int], list[int]]  # (stack, layer) -> heads whose output is zeroed
Knockouts = dict[str, torch.Tensor]  # stack -> [key] bool, True = no query may attend to that key


@dataclass(frozen=True)
class Prediction:
    """The prediction the analyses explain, on the session's current input."""

    stack: SequenceName  # the stack that predicts: "decoder", or a masked LM's "encoder"
    ids: list[int]  # token ids along that stack's positions
    position: int | None  # whose prediction: the next token's (the last), a masked LM's first [MASK]; None: none


class AnalysisSession(Protocol):
    """A session as the analyses see it. Read-only members; the methods change nothing in the session."""

    @property
    def loaded(self) -> LoadedModel:
        """The model, its tokenizer and attention sites (`capture.site_key` -> (stack, layer)), its device."""
        ...

    @property
    def model(self) -> Any:  # a transformers PreTrainedModel
        ...

    @property
    def tokenizer(self) -> Any:  # a transformers tokenizer
        ...

    @property
    def info(self) -> ModelInfo: ...

    @property
    def masks(self) -> Masks:
        """The session's masks ([MASK] slots, knock-outs, ablated heads) as the user set them."""
        ...

    @property
    def knockouts(self) -> Knockouts:
        """The session's knock-outs as the recorder applies them (stack -> [key] bool); not to be written."""
        ...

    @property
    def ablations(self) -> Ablations:
        """The session's ablated heads as the recorder applies them; a fresh dict."""
        ...

    @property
    def long_mode(self) -> bool:
        """Whether the attention is in long-document mode: a whole-input forward may not fit, so re-run in
        blocks (`BlockRerunSession`)."""
        ...

    def stack_shape(self, stack: StackName) -> tuple[int, int]:
        """(layers, heads) of one of the model's attention stacks."""
        ...

    def token_text(self, token_id: int) -> str:
        """A token as the window shows it (readable, cached per id)."""
        ...

    def tokenize(self, text: str, what: str = "text", pair: bool = False, special: bool = True) -> dict:
        """`text` as the model's input ids (checked: length, Unicode), as the session tokenizes its own input;
        `what` names it in a refusal; `pair`: split at the separator into two segments (next sentence)."""
        ...

    def candidates(self, logits: torch.Tensor, k: int) -> tuple[Candidate, ...]:
        """The top-`k` tokens of `logits` [vocab] with their probabilities, as the window lists them."""
        ...

    def prediction(self) -> Prediction:
        """What the analyses explain; refuses (EngineError) when there is no input yet or nothing to predict."""
        ...

    def interventions(self) -> Recorder:
        """A fresh recorder that applies the session's knock-outs and ablations and records nothing; an
        analysis may add to it (`row_ablate`) or wrap it before a re-run."""
        ...

    def rerun(self, hooks: Hooks, batch: int = 1, position: int | None = None) -> torch.Tensor:
        """Run the current input again with `hooks` active, `batch` copies side by side (no cache, nothing
        stored); the logits, [batch, position, vocab], or [batch, vocab] at `position`. Works under
        `torch.enable_grad()` too (a gradient through the hooks)."""
        ...

    def cell_axes(self, stack: StackName) -> tuple[list[int], list[int]]:
        """Token ids along the query and key axes of `stack`'s attention for the current input."""
        ...

    def replay(self, hooks: Hooks, stack: StackName) -> None:
        """Run the current input again with `hooks` active, far enough for `stack` to attend (no cache,
        nothing stored, no logits)."""
        ...


class StepWatcher(Protocol):
    """What a generation session lets look at its steps' own forwards (the logit lens keeps their residual
    stream, so the lens of a new position needs no forward of the whole text). A session without one
    installs no hook at all."""

    def watch(self, position: int) -> AbstractContextManager[Callable[[torch.Tensor], None]]:
        """Around the forward of the step that feeds `position`; call what it yields with that forward's
        next-token logits ([vocab]) once they are there."""
        ...

    def forget(self, first: int) -> None:
        """Positions from `first` on are gone (an undo, a new prefill: 0); what was kept of them is dropped."""
        ...


@runtime_checkable
class BlockRerunSession(AnalysisSession, Protocol):
    """A session that can re-run a long input a block of queries at a time (a decoder's in long mode)."""

    def rerun_blocks(self, hooks: Hooks, start: int = 0) -> Iterator[tuple[int, torch.Tensor]]:
        """Run the current (decoder-only) input again through a fresh cache, a block of queries at a time,
        so that no layer holds [head, N, N] scores; nothing stored. Per block: (its first position, the
        logits [1, q, vocab] of its positions from `start` on; q is 0 for a block before `start`)."""
        ...


def reruns_in_blocks(session: AnalysisSession) -> BlockRerunSession | None:
    """The session as a `BlockRerunSession` when its input should be re-run in blocks (long mode), else None."""
    return session if session.long_mode and isinstance(session, BlockRerunSession) else None
