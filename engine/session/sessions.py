"""Sessions over a loaded model: analyse an encoder's input, or prefill and step a generator.

Stepping never re-runs the sequence: prefill once, then one KV-cached forward per token, each
appending exactly one new attention row per layer and head to the store. A session is owned by
one thread (the GUI's worker); `torch.inference_mode` is entered inside each call for that reason.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch
from transformers import DynamicCache, EncoderDecoderCache

from attnlab.engine.api.attention_store import AttentionStore, stack_bytes
from attnlab.engine.api.config import Progress, SamplingConfig
from attnlab.engine.api.errors import EngineError, GenerationFinished, UnsupportedError
from attnlab.engine.api.long_summary import LongAttention
from attnlab.engine.api.memory_budget import AttentionMemoryError, check_fits
from attnlab.engine.api.results import (
    AnalysisResult,
    Candidate,
    CellExplanation,
    HeadImportance,
    LensResult,
    MaskPrediction,
    Masks,
    SequenceName,
    StackName,
    StepResult,
)
from attnlab.engine.api.tokens import check_unicode, readable_token, readable_tokens, token_bytes
from attnlab.engine.capture import attention as capture
from attnlab.engine.interpret import inspector
from attnlab.engine.long import store as long_store
from attnlab.engine.long.snapshots import FrozenOverviews
from attnlab.engine.models.loading import LoadedModel
from attnlab.engine.session.sampling import choose_token

MAX_TEXT_CHARS = 100_000  # longer pastes are refused before tokenising
PREFILL_BLOCK = 512  # queries per prefill forward: a layer's scores are at most [head, 512, key] float32
# "auto" keeps exact rows while their store takes at most this much (SmolLM2: ~2,300 tokens with room to generate),
# so that a long document costs a few GB, not most of the RAM; beyond it, the long mode where the model has one.
AUTO_EXACT_BYTES = 3 * 2**29  # 1.5 GiB


def make_session(loaded: LoadedModel) -> EncoderSession | GenerationSession:
    return EncoderSession(loaded) if loaded.kind == "encoder" else GenerationSession(loaded)


class _Session:
    def __init__(self, loaded: LoadedModel):
        self.loaded = loaded
        self.model = loaded.model
        self.tokenizer = loaded.tokenizer
        self.info = loaded.info
        self.store = AttentionStore()
        self.masks = Masks()
        self._stack_shapes = {s.name: (s.layers, s.heads) for s in loaded.info.stacks}
        self._texts: dict[int, str] = {}  # token id -> display text; stepping asks for the same ids again and again
        self._bytes: dict[int, bytes | None] = {}  # token id -> its bytes (None: special)
        self._knock: dict[str, torch.Tensor] = {}  # stack -> [key] bool, what the recorder knocks out

    def explain_cell(self, stack: StackName, layer: int, head: int, query: int, key: int) -> CellExplanation:
        """The numbers behind one attention weight of the current input (masks, ablations and generated
        tokens included), from one extra forward that stops after that layer. Changes nothing."""
        reason = self.info.why_unsupported("inspector")
        if reason:
            raise UnsupportedError(f"{self.info.name} cannot explain a cell: {reason}")
        inspector.check_head(self.info, stack, layer, head)
        queries, keys = self._cell_axes(stack)
        inspector.check_positions(stack, query, key, len(queries), len(keys))
        target = next(call for call, site in self.loaded.sites.items() if site == (stack, layer))
        recorder = inspector.CellRecorder(
            self.loaded.sites, knockout=self._knock, ablate=self._ablations(), target=target, head=head, query=query
        )
        with torch.inference_mode():
            try:
                self._replay(recorder, stack)
            except inspector.LayerSeen:
                pass
        return recorder.explain(stack, layer, key, self._token_text(queries[query]), self._token_text(keys[key]))

    # -- explaining the prediction (attnlab.engine.interpret.lens, attnlab.engine.interpret.importance) ---------------
    def logit_lens(
        self, k: int = 10, positions: int | None = None, cancel: threading.Event | None = None
    ) -> LensResult:
        """Every layer's top-k tokens at every position of the current input (or the last `positions`),
        masks and ablations included, from one extra forward. Changes nothing; `cancel` stops it (Cancelled)."""
        from attnlab.engine.interpret.lens import logit_lens

        return logit_lens(self, k, positions, cancel)

    def head_importance(
        self,
        target: int | None = None,
        exact: bool = True,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> HeadImportance:
        """How much the prediction (the top-1 token, or `target`) depends on each head of the main
        stack: exact (one ablated forward per head, batched) or the one-backward gradient estimate."""
        from attnlab.engine.interpret import importance

        if exact:
            return importance.exact_importance(self, target, progress, cancel)
        return importance.gradient_importance(self, target)

    def _prediction(self) -> tuple[SequenceName, list[int], int | None]:
        """(stack that predicts, token ids along its positions, the position whose prediction the
        analyses explain: the next token's, or a masked LM's first [MASK] slot; None if there is none)."""
        raise NotImplementedError

    def _rerun(self, hooks: capture.Hooks, batch: int = 1, position: int | None = None) -> torch.Tensor:
        """Run the current input again (no cache, nothing stored) `batch` times side by side; the
        logits, [batch, position, vocab], or [batch, vocab] at `position`."""
        raise NotImplementedError

    def _analysis_recorder(self) -> capture.Recorder:
        """The session's knock-outs and ablations, nothing recorded."""
        return capture.Recorder(self.loaded.sites, None, {}, self._knock, self._ablations())

    def _cell_axes(self, stack: StackName) -> tuple[list[int], list[int]]:
        """Token ids along the query and key axes of a stack's attention for the current input."""
        raise NotImplementedError

    def _replay(self, hooks: capture.Hooks, stack: StackName) -> None:
        """Run the current input again (no cache, nothing stored) far enough for `stack` to attend."""
        raise NotImplementedError

    # -- input checks -------------------------------------------------------------------------
    def _tokenize(self, text: str, what: str = "text", pair: bool = False, special: bool = True) -> dict:
        if len(text) > MAX_TEXT_CHARS:
            raise EngineError(f"the {what} is {len(text):,} characters; attnlab takes at most {MAX_TEXT_CHARS:,}")
        check_unicode(text, what)
        first, second = text, None
        if pair:
            first, second = _split_pair(text, self.tokenizer.sep_token)
        encoded = self.tokenizer(
            first, second, add_special_tokens=special, return_tensors="pt", return_token_type_ids=pair or None
        )
        count = encoded["input_ids"].shape[1]
        if count == 0:
            raise EngineError(f"the {what} is empty: type some text first")
        limit = self.info.max_positions
        if limit is not None and count > limit:
            raise EngineError(
                f"the {what} is {count} tokens but {self.info.name} accepts at most {limit}: "
                "it is refused, not truncated; shorten it"
            )
        return encoded

    def _check_positions(self, positions: frozenset[int], length: int, what: str) -> None:
        bad = sorted(p for p in positions if not 0 <= p < length)
        if bad:
            raise EngineError(f"{what} position(s) {bad} out of range: the input has {length} tokens (0..{length - 1})")

    def _check_heads(self, masks: Masks) -> None:
        for feature, asked, what in (
            ("knockout", masks.knockouts, "knock tokens out"),
            ("ablation", masks.ablated_heads, "ablate heads"),
        ):
            reason = self.info.why_unsupported(feature)
            if asked and reason:
                raise UnsupportedError(f"{self.info.name} cannot {what}: {reason}")
        for stack, layer, head in masks.ablated_heads:
            layers, heads = self._stack_shapes.get(stack, (0, 0))
            if not (0 <= layer < layers and 0 <= head < heads):
                raise EngineError(
                    f"cannot ablate {stack} layer {layer} head {head}: "
                    f"this model's {stack} stack has {layers} layers × {heads} heads"
                )

    def _check_memory(self, rows: dict[StackName, tuple[int, int]], limit: int | None = None) -> None:
        """Refuse what would not fit (or take more than `limit` bytes), before anything changes.
        rows: stack -> (row capacity, keys)."""
        needed = 0
        for stack, (capacity, keys) in rows.items():
            layers, heads = self._stack_shapes[stack]
            needed += stack_bytes(layers, heads, capacity, keys, stack == "decoder")
        # The forward also holds one layer's probabilities (float32) at a time: every query of an encoder,
        # one prefill block of the others.
        widest = max(
            (
                self._stack_shapes[s][1] * (c if s == "encoder" else min(c, PREFILL_BLOCK)) * k * 4
                for s, (c, k) in rows.items()
            ),
            default=0,
        )
        check_fits(needed + 3 * widest, f"attention for {max(c for c, _ in rows.values())} tokens", limit=limit)

    def _configure_store(self, rows: dict[StackName, tuple[int, int]]) -> None:
        self.store.clear()
        for stack, (capacity, keys) in rows.items():
            layers, heads = self._stack_shapes[stack]
            self.store.configure(stack, layers, heads, stack == "decoder", keys, capacity)

    def _ablations(self) -> dict[tuple[str, int], list[int]]:
        """(stack, layer) -> heads whose output is zeroed, as the recorder takes them."""
        ablate: dict[tuple[str, int], list[int]] = {}
        for stack, layer, head in sorted(self.masks.ablated_heads):
            ablate.setdefault((stack, layer), []).append(head)
        return ablate

    def _recorder(self, start: dict[str, int], knock: dict[str, torch.Tensor]) -> capture.Recorder:
        return capture.Recorder(self.loaded.sites, self.store, start, knock, self._ablations())

    def _knock_tensor(self, length: int, positions: frozenset[int]) -> torch.Tensor | None:
        """[length] bool, True at the knocked-out positions; None if there are none."""
        if not positions:
            return None
        knocked = torch.zeros(length, dtype=torch.bool, device=self.loaded.device)
        knocked[sorted(positions)] = True
        return knocked

    def _token_text(self, token_id: int) -> str:
        text = self._texts.get(token_id)
        if text is None:
            text = self._texts[token_id] = readable_token(self.tokenizer, token_id)
        return text

    def _token_bytes(self, token_id: int) -> bytes | None:
        if token_id not in self._bytes:
            pieces = self.tokenizer.convert_ids_to_tokens([token_id])
            self._bytes[token_id] = token_bytes(self.tokenizer, list(pieces))[0]
        return self._bytes[token_id]

    def _candidates(self, logits: torch.Tensor, k: int) -> tuple[Candidate, ...]:
        probs = torch.softmax(logits.float(), dim=-1)
        top = torch.topk(probs, min(k, probs.shape[-1]))
        ids = top.indices.tolist()
        return tuple(
            Candidate(i, self._token_text(i), float(p), self._token_bytes(i))
            for i, p in zip(ids, top.values.tolist(), strict=True)
        )


def _prob(logits: torch.Tensor, token: int) -> float:
    """softmax(logits)[token], without a vocabulary-sized result."""
    scores = logits.float()
    return float(torch.exp(scores[token] - torch.logsumexp(scores, dim=-1)))


def _split_pair(text: str, sep: str | None) -> tuple[str, str | None]:
    """Two segments for next-sentence prediction: split at the separator token or the first line break."""
    for marker in (sep, "\n"):
        if marker and marker in text:
            first, second = text.split(marker, 1)
            if first.strip() and second.strip():
                return first.strip(), second.strip()
    return text, None


class EncoderSession(_Session):
    """BERT-style encoders: attention over the whole input, fillers for [MASK], next-sentence probability."""

    def __init__(self, loaded: LoadedModel):
        super().__init__(loaded)
        self._inputs: dict[str, torch.Tensor] = {}  # the last analysed input as the model took it

    def _cell_axes(self, stack: StackName) -> tuple[list[int], list[int]]:
        if not self._inputs:
            raise EngineError("nothing to explain: analyse a text first")
        ids = self._inputs["input_ids"][0].tolist()
        return ids, ids

    def _replay(self, hooks: capture.Hooks, stack: StackName) -> None:
        with capture.recording(hooks):
            self.model(**self._inputs)

    def _prediction(self) -> tuple[SequenceName, list[int], int | None]:
        if not self._inputs:
            raise EngineError("nothing to explain: analyse a text first")
        if not self.info.has_mlm_head:
            raise UnsupportedError(f"{self.info.name} has no masked-LM head: it predicts nothing to explain")
        ids = self._inputs["input_ids"][0].tolist()
        slots = [i for i, t in enumerate(ids) if t == self.tokenizer.mask_token_id]
        return "encoder", ids, slots[0] if slots else None

    def _rerun(self, hooks: capture.Hooks, batch: int = 1, position: int | None = None) -> torch.Tensor:
        inputs = {name: value.expand(batch, *value.shape[1:]) for name, value in self._inputs.items()}
        with capture.recording(hooks):
            output = self.model(**inputs)
        logits = getattr(output, "prediction_logits", None)
        logits = output.logits if logits is None else logits
        return logits if position is None else logits[:, position]

    def analyse(self, text: str, masks: Masks = Masks(), top_k: int = 10) -> AnalysisResult:
        started = time.perf_counter()
        if not text.strip():
            raise EngineError("the text is empty: type some text first")
        encoded = self._tokenize(text, pair=self.info.has_nsp_head)
        ids = encoded["input_ids"][0].clone()
        length = len(ids)
        self._check_positions(masks.mask_positions, length, "mask")
        self._check_positions(masks.knocked("encoder"), length, "knock-out")
        if masks.knocked("decoder"):
            raise EngineError(f"{self.info.name} is an encoder: it has no decoder tokens to knock out")
        self._check_heads(masks)
        mask_id = self.tokenizer.mask_token_id
        typed_masks = {i for i, t in enumerate(ids.tolist()) if mask_id is not None and t == mask_id}
        if (masks.mask_positions or typed_masks) and not self.info.has_mlm_head:
            raise UnsupportedError(
                f"{self.info.name} has no masked-LM head, so it cannot fill [MASK]: use knock-out masking instead"
            )
        for p in masks.mask_positions:
            ids[p] = mask_id
        rows: dict[StackName, tuple[int, int]] = {"encoder": (length, length)}
        self._check_memory(rows)
        self.masks = masks
        self._configure_store(rows)

        device = self.loaded.device
        inputs = {k: v.to(device) for k, v in encoded.items()}
        inputs["input_ids"] = ids[None].to(device)
        knock = self._knock_tensor(length, masks.knocked("encoder"))
        self._inputs, self._knock = inputs, {"encoder": knock} if knock is not None else {}
        recorder = self._recorder({"encoder": 0}, self._knock)
        with torch.inference_mode(), capture.recording(recorder):
            output = self.model(**inputs)
        self.store.set_rows("encoder", length)

        predictions: tuple[MaskPrediction, ...] = ()
        logits = getattr(output, "prediction_logits", None)
        if logits is None:
            logits = getattr(output, "logits", None)
        slots = sorted(set(masks.mask_positions) | typed_masks)
        if logits is not None and slots:
            predictions = tuple(MaskPrediction(p, self._candidates(logits[0, p], top_k)) for p in slots)
        nsp = None
        relationship = getattr(output, "seq_relationship_logits", None)
        if relationship is not None and "token_type_ids" in encoded and int(encoded["token_type_ids"].max()) == 1:
            nsp = float(torch.softmax(relationship[0].float(), dim=-1)[0])  # index 0: B follows A
        id_list = ids.tolist()
        return AnalysisResult(
            tokens=tuple(readable_tokens(self.tokenizer, id_list)),
            token_ids=np.array(id_list, dtype=np.int64),
            decoder_tokens=(),
            decoder_token_ids=np.zeros(0, dtype=np.int64),
            attention=self.store.snapshot(),
            masks=masks,
            mask_predictions=predictions,
            next_sentence_prob=nsp,
            seconds=time.perf_counter() - started,
        )


@dataclass(frozen=True)
class _PrefillPlan:
    """A validated prefill: what it will feed and keep, decided before any state changes."""

    source_ids: list[int]  # encoder-decoders: the source; decoders: empty
    ids: list[int]  # the generated stack's start: prompt, or decoder start token and prefix
    replay: list[int]  # tokens generated before, fed again after `ids`
    capacity: int  # rows the decoder may reach: prompt + max_new_tokens, capped by the model's positions
    masks: Masks

    @property
    def rows(self) -> dict[StackName, tuple[int, int]]:
        """stack -> (row capacity, keys) for the attention store."""
        decoder: dict[StackName, tuple[int, int]] = {"decoder": (self.capacity, self.capacity)}
        if not self.source_ids:
            return decoder
        source = len(self.source_ids)
        return {"encoder": (source, source), **decoder, "cross": (self.capacity, source)}


class GenerationSession(_Session):
    """Decoders and encoder-decoders: prefill, then step one token at a time with the KV cache."""

    def __init__(self, loaded: LoadedModel):
        super().__init__(loaded)
        if not loaded.info.can_generate:
            raise UnsupportedError(f"{loaded.info.name} has no language-model head, so it cannot generate")
        self.sampling = SamplingConfig()
        self._seq2seq = loaded.kind == "encoder-decoder"
        # Where generation stands; `_reset` sets all of it at once from a plan.
        self._ids: list[int] = []  # the generated stack's sequence: prompt (or decoder prefix) + new tokens
        self._prompt_len = 0
        self._source_ids: list[int] = []  # encoder-decoders: the source
        self._max_len = 0  # prompt + max_new_tokens, capped by the model's positions
        self._cache: Any = None
        self._encoder_out: Any = None
        self._logits: torch.Tensor | None = None  # scores for the next token, [vocab]
        self._finish_reason = ""
        self._generator = torch.Generator()  # the session's own randomness: never the process's
        self._rng_history: list[torch.Tensor] = []  # generator state before each step, for undo
        self._next: tuple[torch.Tensor, int, tuple[Candidate, ...]] | None = None  # (logits, k, their top-k)
        forward_args = inspect.signature(self.model.forward).parameters
        self._keeps_logits = "logits_to_keep" in forward_args  # can skip the LM head for earlier tokens
        # transformers renamed `past_key_values` to `cache` (the old name warns, then goes in 5.40).
        self._cache_arg = "cache" if "cache" in forward_args else "past_key_values"
        self.prefill_block = PREFILL_BLOCK
        # "exact": every row in the store (refused when it does not fit); "long": overview + exact regions on
        # demand; "auto": exact while it fits memory, else long. Exact by default until the window reads long mode.
        self.store_mode = "exact"
        self._long: long_store.LongState | None = None  # the decoder's attention in long mode
        self._frozen = FrozenOverviews()  # what results carry of it

    # -- public API -----------------------------------------------------------------------------
    def set_sampling(self, config: SamplingConfig) -> None:
        """New settings; a new `max_new_tokens` applies to the generation so far (raising it
        lets a generation that stopped at the old limit go on)."""
        self.sampling = config
        self._reseed()
        if self._logits is None or self._finish_reason == "eos":
            return
        capacity = self._capacity(self._prompt_len)
        knocked = self._knock.get("decoder")
        if knocked is not None and capacity > len(knocked):  # the store grows by itself; the knock-outs don't
            grown = torch.zeros(capacity, dtype=torch.bool, device=knocked.device)
            grown[: len(knocked)] = knocked
            self._knock["decoder"] = grown
        self._max_len = capacity
        self._update_finished()

    @property
    def generated(self) -> int:
        return len(self._ids) - self._prompt_len

    @property
    def finished(self) -> bool:
        return bool(self._finish_reason)

    def prefill(
        self,
        text: str,
        masks: Masks = Masks(),
        source: str | None = None,
        replay: Sequence[int] = (),
        progress: Progress | None = None,
    ) -> AnalysisResult:
        """Start over: tokenise, run the whole input once, keep the cache. Changing masks means prefill again.

        `replay`: tokens generated before, fed again in the same forward as the prompt, so that new
        masks show their effect on a whole generation without losing it. They come back as the
        result's `steps`, each with the candidates it would be chosen from now. Decoder knock-outs
        may fall on replayed tokens too: positions count the prompt (or start token and prefix),
        then the replay. `progress` hears how many tokens have been read, after each block of queries.
        """
        started = time.perf_counter()
        plan = self._plan(text, masks, source, replay)
        long = self._choose_store(plan)  # refuses what would not fit before any state changes
        self._reset(plan)
        self._long = long
        if long is not None:
            self.store.clear()
        with torch.inference_mode():
            self._encoder_out = self._encode() if self._seq2seq else None
            logits = self._feed(plan.ids + plan.replay, keep=len(plan.replay) + 1, progress=progress)
        self._logits = logits[-1]
        steps = self._replay_steps(plan.replay, logits)
        self._drop_after_end(len(steps), len(plan.replay), logits)
        return replace(self.state(time.perf_counter() - started), steps=steps)

    def step(self, choose: int | None = None) -> StepResult:
        """Pick a token (sampled, or `choose`), feed it, and return its attention rows."""
        if self._logits is None:
            raise EngineError("nothing to continue: give a prompt first")
        if self._finish_reason:
            raise GenerationFinished(f"generation has ended ({self._finish_reason}): undo or change the text to go on")
        started = time.perf_counter()
        vocab = self._logits.shape[-1]
        if choose is not None and not 0 <= int(choose) < vocab:
            raise EngineError(f"token id {choose} is not in the vocabulary (0..{vocab - 1})")
        candidates = self._next_candidates()
        self._rng_history.append(self._generator.get_state())
        token = int(choose) if choose is not None else choose_token(self._logits, self.sampling, self._generator)
        prob = _prob(self._logits, token)
        self._ids.append(token)
        position = len(self._ids) - 1
        with torch.inference_mode():
            self._logits = self._forward([token], start=position)[-1]
        self._update_finished(token)
        return StepResult(
            token_id=token,
            text=self._token_text(token),
            position=position,
            candidates=candidates,
            prob=prob,
            raw=self._token_bytes(token),
            attention=self.store.snapshot(),
            long=self.long_attention,
            finished=self.finished,
            reason=self._finish_reason,
            next_candidates=() if self.finished else self._next_candidates(),
            seconds=time.perf_counter() - started,
        )

    def undo(self) -> AnalysisResult:
        """Remove the last generated token; the state is exactly as before that step.

        A knock-out on the removed token is dropped with it (the result's masks say so), so that
        the next token to take its position is not knocked out unasked.
        """
        if self.generated <= 0:
            raise EngineError("nothing to undo: no token has been generated since the prompt")
        started = time.perf_counter()
        self._ids.pop()
        self._generator.set_state(self._rng_history.pop())
        self._finish_reason = ""
        removed = len(self._ids)
        if removed in self.masks.knocked("decoder"):
            self.masks = self.masks.with_knockout("decoder", removed, False)
            self._knock["decoder"][removed] = False
        # The cache holds every fed token; drop the undone one and the one before it, then feed that
        # one again to get back its logits (cheaper than keeping a vocabulary-sized row per step).
        self._cache.crop(-2)
        with torch.inference_mode():
            self._logits = self._forward([self._ids[-1]], start=len(self._ids) - 1)[-1]
        self._update_finished()
        return self.state(time.perf_counter() - started)

    def run(
        self,
        n: int,
        cancel: threading.Event | None = None,
        on_step: Callable[[StepResult], None] | None = None,
    ) -> list[StepResult]:
        """Up to n steps; stops at the end of the sequence or when `cancel` is set (checked between steps)."""
        results = []
        for _ in range(n):
            if self.finished or (cancel is not None and cancel.is_set()):
                break
            result = self.step()
            results.append(result)
            if on_step is not None:
                on_step(result)
        return results

    def state(self, seconds: float = 0.0) -> AnalysisResult:
        """Where the session stands now. `tokens` is the encoder's input (the source) or the prompt;
        `decoder_tokens` the decoder's start and prefix. Generated tokens are in `token_ids` (the property)."""
        source = self._source_ids if self._seq2seq else self._ids[: self._prompt_len]
        prefix = self._ids[: self._prompt_len] if self._seq2seq else []
        return AnalysisResult(
            tokens=tuple(readable_tokens(self.tokenizer, source)),
            token_ids=np.array(source, dtype=np.int64),
            decoder_tokens=tuple(readable_tokens(self.tokenizer, prefix)),
            decoder_token_ids=np.array(prefix, dtype=np.int64),
            attention=self.store.snapshot(),
            long=self.long_attention,
            masks=self.masks,
            next_candidates=() if self.finished else self._next_candidates(),
            finished=self.finished,
            seconds=seconds,
        )

    @property
    def token_ids(self) -> list[int]:
        """The generated stack's whole sequence (prompt or decoder prefix, then new tokens)."""
        return list(self._ids)

    @property
    def prompt_length(self) -> int:
        return self._prompt_len

    @property
    def long_mode(self) -> bool:
        """Whether the decoder's attention is in long mode (asked without making `long_attention`'s copy)."""
        return self._long is not None

    @property
    def long_attention(self) -> LongAttention | None:
        """The decoder's attention in long mode (an overview per head), or None when the store holds it.
        A read-only copy: later steps and undos rewrite the last row of cells in place."""
        return None if self._long is None else self._frozen.snapshot(self._long)

    def region(self, layer: int, head: int, queries: range, keys: range) -> np.ndarray:
        """Exact decoder attention of one head, [len(queries), len(keys)] float32 as the store holds it: read
        from the store, or recomputed from the kept queries and the cached keys in long mode."""
        inspector.check_head(self.info, "decoder", layer, head)
        rows = len(self._ids)
        if (
            queries.step != 1
            or keys.step != 1
            or not (0 <= queries.start <= queries.stop <= rows)
            or not (0 <= keys.start <= keys.stop <= rows)
        ):
            raise EngineError(f"a region must be contiguous positions within 0..{rows - 1}, got {queries} × {keys}")
        if self._long is None:
            matrix = self.store.snapshot().matrix("decoder", layer, head)
            return matrix[queries.start : queries.stop, keys.start : keys.stop]
        with torch.inference_mode():
            return self._long.region(layer, head, queries, keys, self._knock)

    def _choose_store(self, plan: _PrefillPlan) -> long_store.LongState | None:
        """None: exact rows in the store; else the long mode's state. "auto" takes exact rows while they fit."""
        if self.store_mode == "long":
            return long_store.plan(self.loaded, plan.capacity, self.prefill_block)
        try:
            self._check_memory(plan.rows, AUTO_EXACT_BYTES if self.store_mode == "auto" else None)
            return None
        except AttentionMemoryError:
            if self.store_mode == "exact":
                raise
        try:
            return long_store.plan(self.loaded, plan.capacity, self.prefill_block)
        except UnsupportedError as why:
            try:  # no long mode for this model: exact rows as long as they fit the memory at all
                self._check_memory(plan.rows)
                return None
            except AttentionMemoryError as exact:
                raise AttentionMemoryError(f"{exact}; {why}") from None

    def _recorder(self, start: dict[str, int], knock: dict[str, torch.Tensor]) -> capture.Recorder:
        if self._long is None:
            return super()._recorder(start, knock)
        return long_store.LongRecorder(self.loaded.sites, None, start, knock, self._ablations(), long=self._long)

    # -- the formula inspector's replay ---------------------------------------------------------
    def _cell_axes(self, stack: StackName) -> tuple[list[int], list[int]]:
        if self._logits is None:
            raise EngineError("nothing to explain: give a prompt first")
        axes = {
            "encoder": (self._source_ids, self._source_ids),
            "decoder": (self._ids, self._ids),
            "cross": (self._ids, self._source_ids),
        }
        return axes[stack]

    def _replay(self, hooks: capture.Hooks, stack: StackName) -> None:
        device = self.loaded.device
        ids = torch.tensor([self._ids], device=device)
        with capture.recording(hooks):
            if stack == "encoder":
                self.model.get_encoder()(input_ids=torch.tensor([self._source_ids], device=device))
            elif self._seq2seq:
                self.model(encoder_outputs=self._encoder_out, decoder_input_ids=ids, use_cache=False)
            else:
                positions = torch.arange(len(self._ids), device=device)[None]
                self.model(input_ids=ids, position_ids=positions, use_cache=False)

    def _prediction(self) -> tuple[SequenceName, list[int], int | None]:
        if self._logits is None:
            raise EngineError("nothing to explain: give a prompt first")
        return "decoder", list(self._ids), len(self._ids) - 1

    def _rerun(self, hooks: capture.Hooks, batch: int = 1, position: int | None = None) -> torch.Tensor:
        device = self.loaded.device
        ids = torch.tensor([self._ids], device=device).expand(batch, -1)
        last = position is not None and position == len(self._ids) - 1
        with capture.recording(hooks):
            if self._seq2seq:
                encoded = self._encoder_out.last_hidden_state
                if torch.is_grad_enabled():  # a tensor made under inference_mode cannot be saved for backward
                    encoded = encoded.clone()
                encoder_out = type(self._encoder_out)(last_hidden_state=encoded.expand(batch, -1, -1))
                logits = self.model(encoder_outputs=encoder_out, decoder_input_ids=ids, use_cache=False).logits
            else:
                positions = torch.arange(len(self._ids), device=device)[None].expand(batch, -1)
                keep = {"logits_to_keep": 1} if last and self._keeps_logits else {}
                logits = self.model(input_ids=ids, position_ids=positions, use_cache=False, **keep).logits
        return logits if position is None else logits[:, -1 if last else position]

    def _rerun_blocks(self, hooks: capture.Hooks, start: int = 0) -> Iterator[tuple[int, torch.Tensor]]:
        """Run the current (decoder-only) input again through a fresh cache, `prefill_block` queries at a
        time, so no layer holds [head, N, N] scores; nothing stored. Per block: (first position, logits
        [1, q, vocab] of its positions from `start` on; none before `start`)."""
        cache, device = self._new_cache(), self.loaded.device
        for first in range(0, len(self._ids), self.prefill_block):
            block = self._ids[first : first + self.prefill_block]
            wanted = len(block) - max(0, min(start - first, len(block)))  # positions ≥ start
            positions = torch.arange(first, first + len(block), device=device)
            with capture.recording(hooks):
                out = self.model(
                    input_ids=torch.tensor([block], device=device),
                    position_ids=positions[None],
                    use_cache=True,
                    cache_position=positions,
                    **{self._cache_arg: cache},
                    **({"logits_to_keep": max(wanted, 1)} if self._keeps_logits else {}),
                )
            yield first, out.logits[:, out.logits.shape[1] - wanted :]

    # -- prefill: validate, reset, run ------------------------------------------------------------
    def _plan(self, text: str, masks: Masks, source: str | None, replay: Sequence[int]) -> _PrefillPlan:
        """Check everything a prefill needs and say what it will do; changes nothing."""
        if masks.mask_positions:
            raise UnsupportedError(
                f"{self.info.name} is not a masked language model, so it cannot fill [MASK]: "
                "knock the token out of attention instead"
            )
        if self._seq2seq:
            if source is None or not source.strip():
                raise EngineError("the source is empty: type the text to transform first")
            source_ids = self._tokenize(source, "source")["input_ids"][0].tolist()
            prefix = (
                self._tokenize(text, "decoder prefix", special=False)["input_ids"][0].tolist() if text.strip() else []
            )
            ids = [self.loaded.decoder_start_id, *prefix]
        else:
            if not text.strip():
                raise EngineError("the prompt is empty: type some text first")
            if masks.knocked("encoder"):
                raise EngineError(
                    f"{self.info.name} is a decoder with no encoder: its knock-outs are plain knock-outs "
                    "of the decoder's tokens"
                )
            source_ids = []
            ids = self._tokenize(text, "prompt")["input_ids"][0].tolist()
        capacity = self._capacity(len(ids))
        fed = [int(t) for t in replay][: capacity - len(ids)]
        vocab = self.info.vocab_size
        if any(not 0 <= t < vocab for t in fed):
            raise EngineError(f"a replayed token id is not in the vocabulary (0..{vocab - 1})")
        self._check_positions(masks.knocked("encoder"), len(source_ids), "knock-out")
        decoder_what = "decoder knock-out" if self._seq2seq else "knock-out"
        self._check_positions(masks.knocked("decoder"), len(ids) + len(fed), decoder_what)
        self._check_heads(masks)
        return _PrefillPlan(source_ids, ids, fed, capacity, masks)

    def _reset(self, plan: _PrefillPlan) -> None:
        """Make the plan where generation stands: empty store and cache, masks, fresh randomness."""
        self._configure_store(plan.rows)
        self.masks = plan.masks
        self._source_ids, self._ids = list(plan.source_ids), list(plan.ids)
        self._prompt_len, self._max_len = len(plan.ids), plan.capacity
        self._rng_history.clear()
        self._finish_reason = ""
        self._reseed()
        self._knock = {}
        source_knocked = self._knock_tensor(len(plan.source_ids), plan.masks.knocked("encoder"))
        if source_knocked is not None:  # the source's keys: encoder self-attention and cross-attention
            self._knock = {"encoder": source_knocked, "cross": source_knocked}
        decoder_knocked = self._knock_tensor(plan.capacity, plan.masks.knocked("decoder"))
        if decoder_knocked is not None:
            self._knock["decoder"] = decoder_knocked
        self._cache = self._new_cache()

    def _replay_steps(self, replay: list[int], logits: torch.Tensor) -> tuple[StepResult, ...]:
        """Steps for tokens fed with the prompt (logits[i] scored replay[i]), up to an end of text."""
        k = self.sampling.candidates
        steps = []
        self._update_finished()
        for i, token in enumerate(replay):
            self._rng_history.append(self._generator.get_state())  # forced tokens draw nothing
            self._ids.append(token)
            self._update_finished(token)
            steps.append(
                StepResult(
                    token_id=token,
                    text=self._token_text(token),
                    position=len(self._ids) - 1,
                    candidates=self._candidates(logits[i], k),
                    prob=_prob(logits[i], token),
                    raw=self._token_bytes(token),
                    finished=self.finished,
                    reason=self._finish_reason,
                )
            )
            if self.finished:  # an end of text was replayed: nothing after it counts
                break
        return tuple(steps)

    def _drop_after_end(self, kept: int, fed: int, logits: torch.Tensor) -> None:
        """Forget what was fed after a replayed end of text: cache entries, store rows, logits."""
        if kept == fed:
            return
        self._cache.crop(kept - fed)
        if self._long is not None:
            self._long.truncate(len(self._ids), self._knock)
        for stack in ("decoder", "cross"):
            if stack in self.store:
                self.store.set_rows(stack, len(self._ids))
        self._logits = logits[kept]

    # -- internals ------------------------------------------------------------------------------
    def _next_candidates(self) -> tuple[Candidate, ...]:
        """Top-k for the next token, computed once per logits: a step reports them, the next step reuses them."""
        k = self.sampling.candidates
        logits = self._logits
        assert logits is not None, "asked for candidates before prefill"
        if self._next is None or self._next[0] is not logits or self._next[1] != k:
            self._next = (logits, k, self._candidates(logits, k))
        return self._next[2]

    def _capacity(self, prompt_length: int) -> int:
        capacity = prompt_length + self.sampling.max_new_tokens
        limit = self.info.max_positions
        return min(capacity, limit) if limit else capacity

    def _reseed(self) -> None:
        seed = self.sampling.seed
        if seed is None:
            self._generator.seed()  # a fresh seed for this generator only
        else:
            self._generator.manual_seed(seed)

    def _new_cache(self) -> Any:
        if self._seq2seq:
            return EncoderDecoderCache(DynamicCache(config=self.model.config), DynamicCache(config=self.model.config))
        return DynamicCache(config=self.model.config)

    def _encode(self) -> Any:
        src = torch.tensor([self._source_ids], device=self.loaded.device)
        recorder = self._recorder({"encoder": 0}, self._knock)
        with capture.recording(recorder):
            out = self.model.get_encoder()(input_ids=src)
        self.store.set_rows("encoder", len(self._source_ids))
        return out

    def _feed(self, ids: list[int], keep: int, progress: Progress | None = None) -> torch.Tensor:
        """Feed a whole input from position 0 in blocks of `prefill_block` queries through the KV cache, so
        that no layer holds [head, N, N] scores; return the logits after each of the last `keep` tokens."""
        kept = []
        if len(ids) <= self.prefill_block:  # one block: over before progress would mean anything
            progress = None
        if progress is not None:  # at once: the first block may take seconds
            progress(f"reading the text: 0 of {len(ids):,} tokens", 0.0)
        for start in range(0, len(ids), self.prefill_block):
            block = ids[start : start + self.prefill_block]
            wanted = min(len(block), keep - (len(ids) - start - len(block)))  # this block's share of the last `keep`
            logits = self._forward(block, start, keep=max(wanted, 1))
            if wanted > 0:
                kept.append(logits)
            if progress is not None:
                done = start + len(block)
                progress(f"reading the text: {done:,} of {len(ids):,} tokens", done / len(ids))
        return torch.cat(kept)

    def _forward(self, new_ids: list[int], start: int, keep: int = 1) -> torch.Tensor:
        """Feed tokens that start at position `start`; write their rows; return the next-token logits
        after each of the last `keep` of them, [keep, vocab]."""
        ids = torch.tensor([new_ids], device=self.loaded.device)
        positions = torch.arange(start, start + len(new_ids), device=self.loaded.device)
        recorder = self._recorder({"decoder": start, "cross": start}, self._knock)
        if self._long is not None:
            self._frozen.wrote(self._long, start)
        with capture.recording(recorder):
            if self._seq2seq:
                out = self.model(
                    encoder_outputs=self._encoder_out,
                    decoder_input_ids=ids,
                    use_cache=True,
                    cache_position=positions,
                    **{self._cache_arg: self._cache},
                )
            else:
                out = self.model(
                    input_ids=ids,
                    position_ids=positions[None],
                    use_cache=True,
                    cache_position=positions,
                    **{self._cache_arg: self._cache},
                    **({"logits_to_keep": keep} if self._keeps_logits else {}),
                )
        for stack in ("decoder", "cross"):
            if stack in self.store:
                self.store.set_rows(stack, start + len(new_ids))
        return out.logits[0, -keep:]

    def _update_finished(self, token: int | None = None) -> None:
        if token is not None and token in self.loaded.eos_ids:
            self._finish_reason = "eos"
        elif self.generated >= self.sampling.max_new_tokens or len(self._ids) >= self._max_len:
            self._finish_reason = "max_length"
        else:
            self._finish_reason = ""
