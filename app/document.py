"""What the window shows, as plain data: the last analysis, the steps taken since, the attention.

No Qt here: the main window feeds engine results in and reads labels and candidates out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from attnlab.engine.api.attention_store import AttentionSnapshot
from attnlab.engine.api.byte_text import open_tail, readable_from_bytes
from attnlab.engine.api.long_summary import LongAttention
from attnlab.engine.api.results import AnalysisResult, Candidate, Masks, ModelInfo, StepResult

STACK_TITLES = {
    "encoder": "encoder self-attention",
    "decoder": "decoder self-attention",
    "cross": "cross-attention (decoder → encoder)",
}


CHANGED_BY = 0.1  # a generated token's probability changed "a lot": by this much (absolute) …
CHANGED_FACTOR = 2.0  # … or by this factor


@dataclass(frozen=True)
class CandidateView:
    candidates: tuple[Candidate, ...]  # best first; texts read after the tokens before them
    chosen_id: int | None  # the token the step shown took (None before the first step)
    replaces_last: bool  # True: choosing one replaces the last step; False: it is the next token
    then: tuple[float | None, ...] = ()  # per candidate: its probability when generated (None: not in that top-k)
    position: int | None = None  # the step shown, when the user picked an earlier one (None: the latest)


@dataclass(frozen=True)
class Generated:
    """What is remembered of one generated token: how likely it was when it was generated."""

    token_id: int
    prob: float | None  # its probability then (None: unknown)
    candidates: tuple[Candidate, ...]  # the top-k it was chosen from then


def chosen_prob(step: StepResult) -> float | None:
    """The probability of the token a step took: exact from the engine, else from its candidates."""
    if not math.isnan(step.prob):
        return step.prob
    return next((c.prob for c in step.candidates if c.token_id == step.token_id), None)


def changed_a_lot(now: float | None, then: float | None) -> bool:
    if now is None or then is None:
        return False
    small, large = sorted((now, then))
    return large - small > CHANGED_BY or large > CHANGED_FACTOR * small


def fit_labels(labels: list[str], count: int) -> list[str]:
    """Exactly `count` labels: cut extra ones, number missing ones (they should agree; never crash)."""
    if len(labels) >= count:
        return labels[:count]
    return labels + [f"#{i}" for i in range(len(labels), count)]


def _light(step: StepResult) -> StepResult:
    """The step without its snapshot: the document keeps the newest one, and a snapshot held by
    every step would keep every store the session ever replaced alive."""
    return replace(step, attention=None, long=None) if step.attention is not None or step.long is not None else step


class Document:
    def __init__(self) -> None:
        self.info: ModelInfo | None = None
        self._expected: tuple[Generated, ...] = ()  # an opened session's steps as generated, for its replay
        self.reset(None)

    def reset(self, info: ModelInfo | None) -> None:
        self.info = info
        self.analysis: AnalysisResult | None = None
        self.plain_tokens: tuple[str, ...] = ()  # input tokens as typed: a [MASK] slot keeps its word
        self.steps: list[StepResult] = []
        self.snapshot: AttentionSnapshot | None = None
        self.long: LongAttention | None = None  # long-document mode: the decoder's overview (the snapshot lacks it)
        self.finished = False
        self.selected: int | None = None  # index into steps of the token the user picked (None: the latest)
        self._when_generated: dict[int, Generated] = {}  # position -> the token there, as it was generated
        self._texts: list[str] = []  # display text per step, read with its neighbours
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
        self.analysis = result if result.long is None else replace(result, long=None)  # one overview: `long`
        self.steps = [_light(step) for step in result.steps]
        self.snapshot, self.long = result.attention, result.long
        self.finished = result.finished
        self._next_after_undo = None
        # Replayed steps keep what they were when generated; steps seen for the first time start there.
        remembered = self._when_generated
        expected, self._expected = self._expected, ()
        self._when_generated = {}
        for index, step in enumerate(self.steps):
            before = expected[index] if index < len(expected) else remembered.get(step.position)
            kept = before is not None and before.token_id == step.token_id
            self._when_generated[step.position] = before if kept and before else self._generated(step)
        if self.selected is not None and self.selected >= len(self.steps):
            self.selected = None
        self._retext()

    def apply_step(self, step: StepResult, replaced: bool = False) -> None:
        if replaced and self.steps:
            self.steps.pop()
            self._texts.pop()
        self.steps.append(_light(step))
        self._when_generated[step.position] = self._generated(step)
        self.selected = None
        if step.attention is not None:
            self.snapshot, self.long = step.attention, step.long
        self.finished = step.finished
        self._retext_tail()

    def apply_undo(self, result: AnalysisResult) -> None:
        if self.steps:
            removed = self.steps.pop()
            self._when_generated.pop(removed.position, None)
            if self.selected is not None and self.selected >= len(self.steps):
                self.selected = None
            self._retext()
        if self.analysis is not None:  # a knock-out on the removed token went with it
            self.analysis = replace(self.analysis, masks=result.masks)
        self.snapshot, self.long = result.attention, result.long
        self.finished = result.finished
        self._next_after_undo = result.next_candidates

    def expect_generated(self, steps: tuple[Generated, ...]) -> None:
        """The next analysis replays an opened session: its tokens keep what they were when generated
        (saved with it), not what the replay under today's masks makes of them."""
        self._expected = steps

    def when_generated(self) -> tuple[Generated, ...]:
        """What each generated token was chosen from when it was generated, in order (to save it)."""
        return tuple(self._when_generated.get(s.position) or self._generated(s) for s in self.steps)

    @staticmethod
    def _generated(step: StepResult) -> Generated:
        return Generated(step.token_id, chosen_prob(step), step.candidates)

    def _retext(self) -> None:
        """Display texts of the generated tokens, read together: a character split over two
        tokens shows as "猫…", "…猫", as in the prompt, not as the bytes of each half."""
        self._texts = readable_from_bytes([s.text for s in self.steps], [s.raw for s in self.steps])

    def _retext_tail(self) -> None:
        """After one more step: only the tokens that end in the same character can change."""
        raw = [s.raw for s in self.steps]
        changed = open_tail(raw[:-1]) + 1  # the new token and those holding a character it may complete
        window = min(len(raw), changed + 4)  # a little more on the left, so the window starts on a character
        texts = readable_from_bytes([s.text for s in self.steps[-window:]], raw[-window:])
        self._texts[len(raw) - changed :] = texts[window - changed :]

    def _in_context(self, candidates: tuple[Candidate, ...], before: int) -> tuple[Candidate, ...]:
        """Candidates read after the first `before` generated tokens ("…猫" when they complete a character)."""
        raw = [s.raw for s in self.steps[:before]]
        tail = open_tail(raw)
        if not tail:
            return candidates
        texts = [s.text for s in self.steps[before - tail : before]]
        out = []
        for c in candidates:
            if c.raw is None:
                out.append(c)
                continue
            text = readable_from_bytes([*texts, c.text], [*raw[-tail:], c.raw])[-1]
            out.append(replace(c, text=text))
        return tuple(out)

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
        return list(self._texts)

    def probabilities(self) -> list[tuple[float | None, float | None]]:
        """(now, when generated) probability of each generated token."""
        out = []
        for step in self.steps:
            then = self._when_generated.get(step.position)
            out.append((chosen_prob(step), then.prob if then else None))
        return out

    def select(self, index: int | None) -> None:
        """Show the step at `index` in the candidates (None, or a position past the end: the latest)."""
        self.selected = index if index is not None and 0 <= index < len(self.steps) else None

    def sequence(self) -> list[str]:
        """Every token of the generated stack: prefix then generated tokens."""
        return list(self.prefix_tokens) + self.generated

    def sequence_ids(self, stack: str) -> tuple[int, ...]:
        """Token ids along a self-attention stack's axes: the input (encoder), or prefix then generated (decoder)."""
        a = self.analysis
        if a is None:
            return ()
        if stack == "encoder":
            return tuple(int(i) for i in a.token_ids)
        prefix = a.decoder_token_ids if self.kind == "encoder-decoder" else a.token_ids
        return tuple(int(i) for i in prefix) + tuple(step.token_id for step in self.steps)

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
        """The candidates of the selected step (or the last one) now, with their probabilities then."""
        if self.steps:
            index = len(self.steps) - 1 if self.selected is None else self.selected
            step = self.steps[index]
            then = self._when_generated.get(step.position)
            probs_then = {c.token_id: c.prob for c in then.candidates} if then else {}
            if then and then.prob is not None:
                probs_then.setdefault(then.token_id, then.prob)
            shown = self._in_context(step.candidates, index)
            now = chosen_prob(step)
            if now is not None and all(c.token_id != step.token_id for c in shown):  # fell out of the top-k
                taken = Candidate(step.token_id, self._texts[index], now, step.raw)
                shown = (*shown, taken)
            return CandidateView(
                shown,
                step.token_id,
                index == len(self.steps) - 1,
                tuple(probs_then.get(c.token_id) for c in shown) if then else (),
                None if self.selected is None else step.position,
            )
        if self._next_after_undo is not None:
            return CandidateView(self._in_context(self._next_after_undo, len(self.steps)), None, False)
        nxt = self.analysis.next_candidates if self.analysis else ()
        return CandidateView(self._in_context(nxt, len(self.steps)), None, False)

    @property
    def can_step(self) -> bool:
        return bool(self.info and self.info.can_generate and self.analysis and not self.finished)

    @property
    def can_undo(self) -> bool:
        return bool(self.steps)

    @property
    def masks(self) -> Masks:
        return self.analysis.masks if self.analysis else Masks()
