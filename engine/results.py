"""What crosses the seam: frozen dataclasses of numpy arrays and plain values.

Imports neither torch nor Qt, so the GUI can type-check against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from engine.attention_store import AttentionSnapshot

ModelKind = Literal["encoder", "decoder", "encoder-decoder"]
StackName = Literal["encoder", "decoder", "cross"]
MaskKind = Literal["mask", "knockout"]


@dataclass(frozen=True)
class StackInfo:
    name: StackName
    layers: int
    heads: int
    causal: bool  # decoder self-attention: only the lower triangle is stored


@dataclass(frozen=True)
class ModelInfo:
    name: str  # what the user picked: catalog name, folder or hub id
    path: str  # where the weights were read from
    kind: ModelKind
    architecture: str  # e.g. "LlamaForCausalLM"
    device: str  # "cpu", "cuda:0", "mps"
    dtype: str  # "float32", "bfloat16", "float16"
    stacks: tuple[StackInfo, ...]
    has_mlm_head: bool  # can fill [MASK]
    has_nsp_head: bool  # can say whether sentence B follows sentence A
    can_generate: bool  # decoder or encoder-decoder with an LM head
    mask_token: str | None
    max_positions: int | None  # longest input the model accepts (None: no limit known)
    vocab_size: int
    parameters: int


@dataclass(frozen=True)
class CatalogEntry:
    name: str  # what load_model accepts
    kind: ModelKind | Literal["unknown"]
    size_bytes: int
    source: Literal["bundled", "pip", "hf-cache", "recent", "converted"]
    path: str
    description: str = ""


@dataclass(frozen=True)
class Candidate:
    token_id: int
    text: str  # readable display string
    prob: float


@dataclass(frozen=True)
class MaskPrediction:
    position: int  # token position of the [MASK] slot
    candidates: tuple[Candidate, ...]  # best first


@dataclass(frozen=True)
class Masks:
    """What the user did to the input. Positions count tokens after tokenisation, specials included."""

    mask_positions: frozenset[int] = frozenset()  # replaced by [MASK] (masked LMs only)
    knockout_positions: frozenset[int] = frozenset()  # no query may attend to them
    ablated_heads: frozenset[tuple[str, int, int]] = frozenset()  # (stack, layer, head) outputs zeroed
    # Encoder-decoders: positions in the decoder's sequence (start token, prefix, generated) that no
    # decoder query may attend to; `knockout_positions` are the source's there.
    decoder_knockout_positions: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.mask_positions or self.knockout_positions or self.ablated_heads
                    or self.decoder_knockout_positions)


@dataclass(frozen=True)
class AnalysisResult:
    """The state after encoding the input (encoders), or after prefilling (decoders, encoder-decoders)."""

    tokens: tuple[str, ...]  # readable input tokens (encoder-decoder: the source)
    token_ids: NDArray[np.int64]  # [token]
    decoder_tokens: tuple[str, ...]  # encoder-decoders: start token and decoder prefix (generated ones: steps)
    decoder_token_ids: NDArray[np.int64]  # [token]
    attention: AttentionSnapshot
    masks: Masks
    mask_predictions: tuple[MaskPrediction, ...] = ()  # masked LMs: one per [MASK] slot
    next_sentence_prob: float | None = None  # NSP head and two segments: P(B follows A)
    next_candidates: tuple[Candidate, ...] = ()  # generative models: top-k for the next token
    finished: bool = False  # the sequence ended (EOS or max length): no more steps
    seconds: float = 0.0
    steps: tuple[StepResult, ...] = ()  # generated tokens replayed under new masks (prefill with replay)


@dataclass(frozen=True)
class StepResult:
    """One generated token and the attention rows it produced."""

    token_id: int
    text: str
    position: int  # position of the new token in the generated stack's sequence
    candidates: tuple[Candidate, ...]  # the distribution the token was chosen from, best first
    rows: dict[str, NDArray[np.float32]] = field(default_factory=dict)  # stack -> [layer, head, key]
    attention: AttentionSnapshot | None = None
    finished: bool = False  # EOS chosen or max length reached
    reason: str = ""  # "eos" | "max_length" | ""
    next_candidates: tuple[Candidate, ...] = ()  # top-k for the following token
    seconds: float = 0.0
