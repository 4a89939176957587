"""Settings the GUI and the CLI hand to the engine. Imports neither torch nor Qt."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from attnlab.engine.api.consent import Consent

from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.messages import EngineMessage

Progress = Callable[[EngineMessage, float], None]  # (stage message, fraction done in [0, 1], < 0 unknown)
# How a generator keeps attention: every row ("exact"), a pooled overview with exact regions recomputed
# on demand ("long"), or exact rows while they fit memory and long beyond ("auto").
StoreMode = Literal["exact", "long", "auto"]


@dataclass(frozen=True)
class SamplingConfig:
    greedy: bool = True  # argmax; the other fields are ignored
    temperature: float = 1.0  # > 0; logits are divided by it
    top_k: int = 0  # keep the k most likely tokens (0: all)
    top_p: float = 1.0  # keep the smallest set whose probability reaches p, in (0, 1]
    seed: int | None = None  # same seed, same tokens
    candidates: int = 10  # how many alternatives each step reports
    max_new_tokens: int = 256  # a generation ends after this many new tokens

    def __post_init__(self) -> None:
        if not self.greedy:
            if not (self.temperature > 0 and math.isfinite(self.temperature)):
                raise EngineError("temperature_not_positive", value=self.temperature)
            if not 0 < self.top_p <= 1:
                raise EngineError("top_p_out_of_range", value=self.top_p)
            if self.top_k < 0:
                raise EngineError("top_k_negative", value=self.top_k)
        if self.max_new_tokens < 1:
            raise EngineError("max_new_tokens_too_small", value=self.max_new_tokens)
        if self.candidates < 1:
            raise EngineError("candidates_too_few", value=self.candidates)


@dataclass(frozen=True)
class LoadOptions:
    device: str = "auto"  # "auto" (cuda, then mps, then cpu), "cpu", "cuda", "cuda:1", "mps"
    dtype: str = "auto"  # "auto" (bf16/fp16 on GPU, float32 on CPU), "float32", "float16", "bfloat16"
    trust_remote_code: bool = (
        False  # run code shipped with whatever model this loads (the CLI); the window uses consents
    )
    allow_pickle: bool = False  # read pickled .bin weights of whatever model this loads (can run arbitrary code)
    allow_missing_weights: bool = False  # load weights that do not match the architecture: the rest is random
    consents: frozenset[Consent] = frozenset()  # per model: what the user allowed for which model (api/consent.py)
    threads: int | None = None  # CPU threads for torch (process-wide); None: all cores but one, for the GUI
    device_map: str | None = None  # "auto": accelerate spreads the layers over the GPUs and RAM; None: all on `device`
    tokens: int = 1024  # the text length the memory check before loading plans attention for


@dataclass(frozen=True)
class Corruption:
    """How activation patching's corrupted run differs from the clean one (same token length).

    `text`: another input, tokenised like the clean one; else `positions` of the clean input are
    corrupted: by `replacement` (a token id) when given, else by Gaussian noise of standard deviation
    `noise` × σ (σ: the standard deviation of the embedding matrix; Meng et al. 2022 use 3σ) added to
    their embeddings, drawn from `seed`."""

    text: str | None = None
    positions: tuple[int, ...] = ()
    replacement: int | None = None
    noise: float = 3.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.text is None and not self.positions:
            raise ValueError("a corruption needs another text or the positions to corrupt")
        if self.text is not None and self.positions:
            raise ValueError("corrupt with another text or at chosen positions, not both")
        if not (self.noise > 0 and math.isfinite(self.noise)):
            raise ValueError(f"the noise must be a positive multiple of σ, got {self.noise}")
