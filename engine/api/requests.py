"""What the window asks of the engine: one frozen dataclass per kind of request (they cross the process
boundary as data: attnlab.engine.server.wire).

Plain data (no Qt, no torch). Each kind has one handler in the engine's table (engine/server/handlers.py).
Staleness is one rule, `Latest.stale`: a request a newer analysis or load makes pointless is skipped by the worker if it
has not started, and its reply is dropped by the client if it has.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from attnlab.engine.api.attention_store import AttentionSnapshot
from attnlab.engine.api.config import Corruption, LoadOptions, SamplingConfig, StoreMode
from attnlab.engine.api.results import CatalogEntry, Masks


@dataclass(frozen=True)
class Request:
    resets: ClassVar[bool] = False  # makes every older supersedable request stale
    supersedable: ClassVar[bool] = True  # pointless once a newer resetting request was sent


@dataclass(frozen=True)
class ListCatalog(Request):
    supersedable: ClassVar[bool] = False


@dataclass(frozen=True)
class Load(Request):
    """Never dropped: loads run in order, so the last model loaded is the worker's."""

    resets: ClassVar[bool] = True
    supersedable: ClassVar[bool] = False
    spec: str
    options: LoadOptions = LoadOptions()
    # (kind, text) pairs: the text the token strip shows for each model kind, tokenised with the
    # model folder's tokenizer.json alone and shown (a TokenPreview) while the model still loads
    preview: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SetSampling(Request):
    supersedable: ClassVar[bool] = False
    config: SamplingConfig


@dataclass(frozen=True)
class Analyse(Request):
    """Analyse (encoders) or prefill (generators); `replay`: generated ids fed again after the prompt."""

    resets: ClassVar[bool] = True
    text: str
    masks: Masks = Masks()
    source: str | None = None
    replay: tuple[int, ...] = ()


@dataclass(frozen=True)
class Step(Request):
    pass


@dataclass(frozen=True)
class Choose(Request):
    """Take `token_id` as the next token, or instead of the last one when `replace`."""

    token_id: int
    replace: bool


@dataclass(frozen=True)
class Undo(Request):
    pass


@dataclass(frozen=True)
class ExplainCell(Request):
    """The numbers behind one attention weight of the current input (a `CellExplanation`)."""

    stack: str
    layer: int
    head: int
    query: int
    key: int


@dataclass(frozen=True)
class SetStoreMode(Request):
    """How the next analyses keep attention: "auto" (exact while it fits memory, else the long-document
    overview), "exact" or "long". The window uses "auto"; the others are for tests and scripts."""

    supersedable: ClassVar[bool] = False
    mode: StoreMode


@dataclass(frozen=True)
class Region(Request):
    """Exact decoder attention of one head over queries × keys (half-open token ranges), recomputed by the
    engine in long-document mode (a `RegionWeights`). A newer analysis makes it stale."""

    layer: int
    head: int
    queries: tuple[int, int]
    keys: tuple[int, int]
    view: int = 0  # echoed back: which text the window asked it for (a counter of its own)


@dataclass(frozen=True)
class RegionWeights:
    """A `Region`'s answer: the request, and its weights."""

    request: Region
    weights: NDArray[np.float32]  # [query, key]


@dataclass(frozen=True)
class ScoreHeads(Request):
    """Fingerprints of every head of one stack of `snapshot` (a `HeadScores` that carries it back).
    Always answered: the window keeps at most one in flight and checks which snapshot a reply is of.
    Answered None, at once, when another request was sent after it (a step): the window asks again
    for what it shows then, so scoring never makes stepping wait."""

    supersedable: ClassVar[bool] = False
    stack: str
    snapshot: AttentionSnapshot = field(compare=False)
    token_ids: tuple[int, ...]  # the tokens along the stack's axes (induction needs them)


@dataclass(frozen=True)
class Rollout(Request):
    """Attention rollout of one stack of `snapshot` through every layer (a `StackRollout`); None like `ScoreHeads`."""

    supersedable: ClassVar[bool] = False
    stack: str
    snapshot: AttentionSnapshot = field(compare=False)


@dataclass(frozen=True)
class ProbeInduction(Request):
    """Run the induction probe (seeded random tokens, repeated) through the model: decoder `HeadScores`."""

    supersedable: ClassVar[bool] = False


@dataclass(frozen=True)
class Run(Request):
    """Up to `count` steps, each reported as it comes; `cancel` is set by the GUI to stop between steps."""

    count: int
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)


@dataclass(frozen=True)
class ExplainPrediction(Request):
    """About the current prediction: the logit lens ("lens", top-`k` per cell), or how much it depends on
    each head ("estimate": one backward; "exact": one ablation per head, reports progress, cancellable)."""

    what: str  # "lens" | "estimate" | "exact"
    k: int = 5
    # the lens of the last that many positions (None: all); after a step, those it added (kept by the step)
    positions: int | None = None
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)


@dataclass(frozen=True)
class ForgetLensRows(Request):
    """Nothing follows the lens any more (the dock closed): the steps stop keeping what their forwards saw
    for it, and install no hook. The next lens starts keeping them again."""

    supersedable: ClassVar[bool] = False


@dataclass(frozen=True)
class MeasureValues(Request):
    """‖v_j‖ and ‖v_j W_Oʰ‖ of one stack for the current input (a `ValueNorms`): the contribution colours."""

    stack: str
    ticket: int = 0  # echoed back with the norms: which of the window's requests they answer


@dataclass(frozen=True)
class AttributeLogit(Request):
    """Direct logit attribution of the current prediction (a `LogitAttribution`), minus `alternative`'s logit."""

    alternative: int | None = None


@dataclass(frozen=True)
class TraceFlow(Request):
    """The information-flow graph of the current prediction, edges down to `floor` (a `FlowGraph`)."""

    floor: float = 0.005


@dataclass(frozen=True)
class ExplainCause(Request):
    """What the current prediction rests on: input attribution ("attribution"), the activation-patching maps
    against `corruption` ("patching": partial maps as they fill, progress, cancellable), or one map cell's
    patched run ("cell": `site`, `layer`, `index`). `target`: a token id (None: the top-1)."""

    what: str  # "attribution" | "patching" | "cell"
    target: int | None = None
    corruption: Corruption | None = None
    max_steps: int = 512  # integrated gradients' step cap
    baseline: str = "pad"  # "pad" | "zero"
    site: str = "residual"  # "cell": which map
    layer: int = 0
    index: int = 0  # "cell": the position (or the head)
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)


@dataclass(frozen=True)
class CatalogListing:
    entries: tuple[CatalogEntry, ...]
    default: str | None  # the model to load when the user has not picked one


@dataclass(frozen=True)
class TokenPreview:
    """A load's early tokens: the strip's text as the model's tokenizer cuts it, before the model is there."""

    kind: str  # the model's kind, read from its config.json
    tokens: tuple[str, ...]  # readable, as AnalysisResult.tokens will have them


@dataclass(frozen=True)
class LensSkipped:
    """A logit lens given up because the user moved on (a step, an undo, a new text was sent): the dock
    asks again once the engine is free, so the lens never makes a step wait."""


@dataclass(frozen=True)
class SamplingApplied:
    finished: bool | None  # whether the generation so far has ended under the new limit (None: nothing generated)


@dataclass(frozen=True)
class RunSummary:
    steps: int  # how many tokens the run generated
    reason: str  # "eos" | "max_length" | "stopped" | "done"


class Latest:
    """The id of the newest resetting request: written by the GUI thread, read by both threads."""

    def __init__(self) -> None:
        self.value = 0
        self.sent = 0  # the id of the newest request of any kind

    def queued_after(self, rid: int) -> bool:
        """Another request was sent after `rid` (the engine will have more to do after this one)."""
        return rid < self.sent

    def superseded(self, rid: int) -> bool:
        """A resetting request (analysis or load) was sent after `rid`."""
        return rid < self.value

    def stale(self, rid: int, request: Request) -> bool:
        return request.supersedable and self.superseded(rid)
