"""What the window shows, as plain data: the last analysis, the steps taken since, the attention.

No Qt here: the main window feeds engine results in and reads labels and candidates out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine.attention_store import AttentionSnapshot
from engine.results import AnalysisResult, Candidate, Masks, ModelInfo, StepResult

STACK_TITLES = {
    "encoder": "encoder self-attention",
    "decoder": "decoder self-attention",
    "cross": "cross-attention (decoder → encoder)",
}


@dataclass(frozen=True)
class CandidateView:
    candidates: tuple[Candidate, ...]  # best first
    chosen_id: int | None  # the token the last step took (None before the first step)
    replaces_last: bool  # True: choosing one replaces the last step; False: it is the next token


def fit_labels(labels: list[str], count: int) -> list[str]:
    """Exactly `count` labels: cut extra ones, number missing ones (they should agree; never crash)."""
    if len(labels) >= count:
        return labels[:count]
    return labels + [f"#{i}" for i in range(len(labels), count)]


def _light(step: StepResult) -> StepResult:
    """The step without its snapshot: the document keeps the newest one, and a snapshot held by
    every step would keep every store the session ever replaced alive."""
    return replace(step, attention=None) if step.attention is not None else step


class Document:
    def __init__(self) -> None:
        self.info: ModelInfo | None = None
        self.reset(None)

    def reset(self, info: ModelInfo | None) -> None:
        self.info = info
        self.analysis: AnalysisResult | None = None
        self.plain_tokens: tuple[str, ...] = ()  # input tokens as typed: a [MASK] slot keeps its word
        self.steps: list[StepResult] = []
        self.snapshot: AttentionSnapshot | None = None
        self.finished = False
        self._next_after_undo: tuple[Candidate, ...] | None = None

    # -- feeding results in ------------------------------------------------------------------

    def clear_analysis(self) -> None:
        """Nothing to show (e.g. the text was emptied); the model stays."""
        self.reset(self.info)

    def apply_analysis(self, result: AnalysisResult) -> None:
        tokens = list(result.tokens)
        if len(self.plain_tokens) == len(tokens):  # same text, other masks: remember what was masked
            for position in result.masks.mask_positions:
                tokens[position] = self.plain_tokens[position]
        self.plain_tokens = tuple(tokens)
        self.analysis = result
        self.steps = [_light(step) for step in result.steps]
        self.snapshot = result.attention
        self.finished = result.finished
        self._next_after_undo = None

    def apply_step(self, step: StepResult, replaced: bool = False) -> None:
        if replaced and self.steps:
            self.steps.pop()
        self.steps.append(_light(step))
        if step.attention is not None:
            self.snapshot = step.attention
        self.finished = step.finished

    def apply_undo(self, result: AnalysisResult) -> None:
        if self.steps:
            self.steps.pop()
        if self.analysis is not None:  # a knock-out on the removed token went with it
            self.analysis = replace(self.analysis, masks=result.masks)
        self.snapshot = result.attention
        self.finished = result.finished
        self._next_after_undo = result.next_candidates

    # -- reading it out ----------------------------------------------------------------------

    @property
    def kind(self) -> str | None:
        return self.info.kind if self.info else None

    @property
    def input_tokens(self) -> tuple[str, ...]:
        """The tokens masks refer to: the text (encoders, decoders) or the source (encoder-decoders)."""
        return self.analysis.tokens if self.analysis else ()

    @property
    def prefix_tokens(self) -> tuple[str, ...]:
        """The generated stack's tokens before any step: the prompt, or the decoder prefix."""
        if self.analysis is None:
            return ()
        if self.kind == "encoder-decoder":
            return self.analysis.decoder_tokens
        return self.analysis.tokens

    @property
    def generated(self) -> list[str]:
        return [step.text for step in self.steps]

    def sequence(self) -> list[str]:
        """Every token of the generated stack: prefix then generated tokens."""
        return list(self.prefix_tokens) + self.generated

    def labels(self, stack: str) -> tuple[list[str], list[str]]:
        """(query labels, key labels) for one stack, as many as the attention has rows and columns."""
        if stack == "encoder":
            queries, keys = list(self.input_tokens), list(self.input_tokens)
        elif stack == "cross":
            queries, keys = self.sequence(), list(self.input_tokens)
        else:
            queries = keys = self.sequence()
        if self.snapshot is None or stack not in self.snapshot.stacks:
            return queries, keys
        _, _, rows, cols = self.snapshot.shape(stack)
        return fit_labels(queries, rows), fit_labels(keys, cols)

    def candidates(self) -> CandidateView:
        if self.steps:
            last = self.steps[-1]
            return CandidateView(last.candidates, last.token_id, True)
        if self._next_after_undo is not None:
            return CandidateView(self._next_after_undo, None, False)
        nxt = self.analysis.next_candidates if self.analysis else ()
        return CandidateView(nxt, None, False)

    @property
    def can_step(self) -> bool:
        return bool(self.info and self.info.can_generate and self.analysis and not self.finished)

    @property
    def can_undo(self) -> bool:
        return bool(self.steps)

    @property
    def masks(self) -> Masks:
        return self.analysis.masks if self.analysis else Masks()
