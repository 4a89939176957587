"""A stand-in for GenerationSession that replies with synthetic attention of a chosen size.

The GUI figures measure the GUI, so the engine thread should answer at once: this session
builds a real AttentionStore (rows written one by one, as the engine does) once per length and
then answers prefill and step from it. Pure numpy: no model, no torch.
"""

from __future__ import annotations

import time

import numpy as np

from attnlab.engine.api.attention_store import AttentionStore
from attnlab.engine.api.results import AnalysisResult, Candidate, Masks, ModelInfo, StackInfo, StackName, StepResult

STACK: StackName = "decoder"


def synthetic_info(layers: int, heads: int) -> ModelInfo:
    return ModelInfo(
        name=f"synthetic {layers}x{heads}",
        path="",
        kind="decoder",
        architecture="Synthetic",
        device="cpu",
        dtype="float32",
        stacks=(StackInfo(STACK, layers, heads, causal=True),),
        has_mlm_head=False,
        has_nsp_head=False,
        can_generate=True,
        mask_token=None,
        max_positions=None,
        vocab_size=100,
        parameters=0,
    )


def synthetic_store(layers: int, heads: int, rows: int, seed: int = 0) -> AttentionStore:
    """A causal store of `rows` rows whose every row is a peaked probability distribution."""
    rng = np.random.default_rng(seed)
    lengths = np.arange(1, rows + 1)
    starts = np.cumsum(lengths) - lengths  # where each row begins in the packed triangle
    packed = rng.random((heads, int(lengths.sum())), dtype=np.float32) ** 8  # [head, packed]
    packed /= np.repeat(np.add.reduceat(packed, starts, axis=1), lengths, axis=1)
    store = AttentionStore()
    store.configure(STACK, layers, heads, causal=True, keys=rows, capacity=rows)
    for layer in range(layers):
        for row in range(rows):
            store.write(STACK, layer, row, packed[:, None, starts[row] : starts[row] + row + 1])  # [head, 1, key]
    store.set_rows(STACK, rows)
    return store


class SyntheticSession:
    """prefill -> rows - 1 tokens of attention; every step -> one more row (the same one each time)."""

    def __init__(self, info: ModelInfo):
        self.info = info
        self.sent = 0.0  # perf_counter when the last step result left step()
        self._rows = 0
        self._store: AttentionStore | None = None

    def prepare(self, rows: int) -> None:
        """Build the attention for `rows` tokens (seconds at 2,048 tokens): call before analysing."""
        layers, heads = self.info.stacks[0].layers, self.info.stacks[0].heads
        self._store = synthetic_store(layers, heads, rows)
        self._rows = rows

    def set_sampling(self, config: object) -> None:
        pass

    def _candidates(self) -> tuple[Candidate, ...]:
        return tuple(Candidate(i, f"t{i}", 0.1) for i in range(10))

    def prefill(
        self, text: str, masks: Masks = Masks(), source: str | None = None, replay=(), progress=None
    ) -> AnalysisResult:
        """The stored attention as if `text` were prefilled (the benchmarks never replay)."""
        if self._store is None:
            self.prepare(16)
        assert self._store is not None
        self._store.set_rows(STACK, self._rows - 1)
        ids = np.arange(self._rows - 1, dtype=np.int64)
        return AnalysisResult(
            tokens=tuple(f"t{i}" for i in range(self._rows - 1)),
            token_ids=ids,
            decoder_tokens=(),
            decoder_token_ids=np.zeros(0, np.int64),
            attention=self._store.snapshot(),
            masks=masks,
            next_candidates=self._candidates(),
        )

    def step(self, choose: int | None = None) -> StepResult:
        assert self._store is not None, "prefill first"
        self._store.set_rows(STACK, self._rows)
        snapshot = self._store.snapshot()
        position = self._rows - 1
        result = StepResult(
            token_id=1,
            text="t1",
            position=position,
            candidates=self._candidates(),
            attention=snapshot,
            next_candidates=self._candidates(),
        )
        self.sent = time.perf_counter()
        return result
