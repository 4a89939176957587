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
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch
from transformers import DynamicCache, EncoderDecoderCache
from transformers.cache_utils import DynamicLayer

from attnlab.engine.api.attention_store import AttentionStore
from attnlab.engine.api.bounds import check_head
from attnlab.engine.api.config import Progress, SamplingConfig, StoreMode
from attnlab.engine.api.errors import EngineError, GenerationFinished, UnsupportedError
from attnlab.engine.api.long_summary import LongAttention
from attnlab.engine.api.messages import message
from attnlab.engine.api.results import (
    AnalysisResult,
    Candidate,
    MaskPrediction,
    Masks,
    StackName,
    StepResult,
)
from attnlab.engine.api.tokens import check_unicode, readable_token, readable_tokens, token_bytes
from attnlab.engine.capture import attention as capture
from attnlab.engine.long import store as long_store
from attnlab.engine.long.snapshots import FrozenOverviews
from attnlab.engine.models.loading import LoadedModel
from attnlab.engine.session import store_policy
from attnlab.engine.session.analysis_session import Prediction, StepWatcher
from attnlab.engine.session.sampling import choose_token
from attnlab.engine.session.store_policy import PREFILL_BLOCK

MAX_TEXT_CHARS = 100_000  # longer pastes are refused before tokenising


def make_session(loaded: LoadedModel) -> Session:
    """The session for a loaded model's kind: an encoder's analysis, or a generator's prefill and steps."""
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

    # -- what the analyses need (attnlab.engine.session.analysis_session.AnalysisSession) ---------------
    @property
    def knockouts(self) -> dict[str, torch.Tensor]:
        """stack -> [key] bool, what the recorder knocks out."""
        return self._knock

    @property
    def ablations(self) -> dict[tuple[str, int], list[int]]:
        """(stack, layer) -> heads whose output is zeroed, as the recorder takes them."""
        ablate: dict[tuple[str, int], list[int]] = {}
        for stack, layer, head in sorted(self.masks.ablated_heads):
            ablate.setdefault((stack, layer), []).append(head)
        return ablate

    @property
    def long_mode(self) -> bool:
        """Whether the attention is in long-document mode (only a generator's decoder can be)."""
        return False

    def stack_shape(self, stack: StackName) -> tuple[int, int]:
        """(layers, heads) of one attention stack."""
        return self._stack_shapes[stack]

    def token_text(self, token_id: int) -> str:
        """A token as the window shows it, cached per id: stepping asks for the same ids again and again."""
        text = self._texts.get(token_id)
        if text is None:
            text = self._texts[token_id] = readable_token(self.tokenizer, token_id)
        return text

    def prediction(self) -> Prediction:
        """The stack that predicts, its token ids, and the position whose prediction the analyses explain:
        the next token's, or a masked LM's first [MASK] slot (None if there is none)."""
        raise NotImplementedError

    def interventions(self) -> capture.Recorder:
        """The session's knock-outs and ablations, nothing recorded."""
        return capture.Recorder(self.loaded.sites, None, {}, self._knock, self.ablations)

    def rerun(self, hooks: capture.Hooks, batch: int = 1, position: int | None = None) -> torch.Tensor:
        """Run the current input again (no cache, nothing stored) `batch` times side by side; the
        logits, [batch, position, vocab], or [batch, vocab] at `position`."""
        raise NotImplementedError

    def cell_axes(self, stack: StackName) -> tuple[list[int], list[int]]:
        """Token ids along the query and key axes of a stack's attention for the current input."""
        raise NotImplementedError

    def replay(self, hooks: capture.Hooks, stack: StackName) -> None:
        """Run the current input again (no cache, nothing stored) far enough for `stack` to attend."""
        raise NotImplementedError

    # -- input checks -------------------------------------------------------------------------
    def tokenize(self, text: str, what: str = "text", pair: bool = False, special: bool = True) -> dict:
        if len(text) > MAX_TEXT_CHARS:
            raise EngineError("text_too_long", what=what, count=f"{len(text):,}", limit=f"{MAX_TEXT_CHARS:,}")
        check_unicode(text, what)
        first, second = text, None
        if pair:
            first, second = _split_pair(text, self.tokenizer.sep_token)
        encoded = self.tokenizer(
            first, second, add_special_tokens=special, return_tensors="pt", return_token_type_ids=pair or None
        )
        count = encoded["input_ids"].shape[1]
        if count == 0:
            raise EngineError("text_empty", what=what)
        limit = self.info.max_positions
        if limit is not None and count > limit:
            raise EngineError("too_many_tokens", what=what, count=count, model=self.info.name, limit=limit)
        return encoded

    def _check_positions(self, positions: frozenset[int], length: int, what: str) -> None:
        bad = sorted(p for p in positions if not 0 <= p < length)
        if bad:
            raise EngineError(
                "positions_out_of_range", what=what, bad=str(bad), length=length, range=f"0..{length - 1}"
            )

    def _check_heads(self, masks: Masks) -> None:
        no_knockout, no_ablation = self.info.why_unsupported("knockout"), self.info.why_unsupported("ablation")
        if masks.knockouts and no_knockout:
            raise UnsupportedError("cannot_knock_out", model=self.info.name, reason=no_knockout)
        if masks.ablated_heads and no_ablation:
            raise UnsupportedError("cannot_ablate", model=self.info.name, reason=no_ablation)
        for stack, layer, head in masks.ablated_heads:
            layers, heads = self._stack_shapes.get(stack, (0, 0))
            if not (0 <= layer < layers and 0 <= head < heads):
                raise EngineError(
                    "ablated_head_out_of_range", stack=stack, layer=layer, head=head, layers=layers, heads=heads
                )

    def _check_memory(self, rows: dict[StackName, tuple[int, int]]) -> None:
        """Refuse exact rows that would not fit, before anything changes. rows: stack -> (row capacity, keys)."""
        store_policy.check_store_fits(self._stack_shapes, rows)

    def _configure_store(self, rows: dict[StackName, tuple[int, int]]) -> None:
        self.store.clear()
        for stack, (capacity, keys) in rows.items():
            layers, heads = self._stack_shapes[stack]
            self.store.configure(stack, layers, heads, stack == "decoder", keys, capacity)

    def _recorder(self, start: dict[str, int], knock: dict[str, torch.Tensor]) -> capture.Hooks:
        return capture.Recorder(self.loaded.sites, self.store, start, knock, self.ablations)

    def _knock_tensor(self, length: int, positions: frozenset[int]) -> torch.Tensor | None:
        """[length] bool, True at the knocked-out positions; None if there are none."""
        if not positions:
            return None
        knocked = torch.zeros(length, dtype=torch.bool, device=self.loaded.device)
        knocked[sorted(positions)] = True
        return knocked

    def _token_bytes(self, token_id: int) -> bytes | None:
        if token_id not in self._bytes:
            pieces = self.tokenizer.convert_ids_to_tokens([token_id])
            self._bytes[token_id] = token_bytes(self.tokenizer, list(pieces))[0]
        return self._bytes[token_id]

    def candidates(self, logits: torch.Tensor, k: int) -> tuple[Candidate, ...]:
        probs = torch.softmax(logits.float(), dim=-1)
        top = torch.topk(probs, min(k, probs.shape[-1]))
        ids = top.indices.tolist()
        return tuple(
            Candidate(i, self.token_text(i), float(p), self._token_bytes(i))
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

    @property
    def model_inputs(self) -> dict[str, torch.Tensor]:
        """The last analysed input as the model took it (input_ids, token_type_ids, attention_mask)."""
        return self._inputs

    def cell_axes(self, stack: StackName) -> tuple[list[int], list[int]]:
        if not self._inputs:
            raise EngineError("nothing_to_explain_text")
        ids = self._inputs["input_ids"][0].tolist()
        return ids, ids

    def replay(self, hooks: capture.Hooks, stack: StackName) -> None:
        with capture.recording(hooks):
            self.model(**self._inputs)

    def prediction(self) -> Prediction:
        if not self._inputs:
            raise EngineError("nothing_to_explain_text")
        if not self.info.has_mlm_head:
            raise UnsupportedError("no_mlm_head_to_explain", model=self.info.name)
        ids = self._inputs["input_ids"][0].tolist()
        slots = [i for i, t in enumerate(ids) if t == self.tokenizer.mask_token_id]
        return Prediction("encoder", ids, slots[0] if slots else None)

    def rerun(self, hooks: capture.Hooks, batch: int = 1, position: int | None = None) -> torch.Tensor:
        inputs = {name: value.expand(batch, *value.shape[1:]) for name, value in self._inputs.items()}
        with capture.recording(hooks):
            output = self.model(**inputs)
        logits = getattr(output, "prediction_logits", None)
        logits = output.logits if logits is None else logits
        return logits if position is None else logits[:, position]

    def analyse(self, text: str, masks: Masks = Masks(), top_k: int = 10) -> AnalysisResult:
        started = time.perf_counter()
        if not text.strip():
            raise EngineError("text_empty", what="text")
        encoded = self.tokenize(text, pair=self.info.has_nsp_head)
        ids = encoded["input_ids"][0].clone()
        length = len(ids)
        self._check_positions(masks.mask_positions, length, "mask")
        self._check_positions(masks.knocked("encoder"), length, "knock-out")
        if masks.knocked("decoder"):
            raise EngineError("encoder_has_no_decoder_tokens", model=self.info.name)
        self._check_heads(masks)
        mask_id = self.tokenizer.mask_token_id
        typed_masks = {i for i, t in enumerate(ids.tolist()) if mask_id is not None and t == mask_id}
        if (masks.mask_positions or typed_masks) and not self.info.has_mlm_head:
            raise UnsupportedError("no_mlm_head_to_fill", model=self.info.name)
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
            predictions = tuple(MaskPrediction(p, self.candidates(logits[0, p], top_k)) for p in slots)
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
            raise UnsupportedError("no_lm_head", model=loaded.info.name)
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
        # (candidates asked, the step as a replay reports it) per generated token: what a prefill that
        # re-reads only the end of the text keeps of the steps scored before it
        self._told: list[tuple[int, StepResult]] = []
        self._next: tuple[torch.Tensor, int, tuple[Candidate, ...]] | None = None  # (logits, k, their top-k)
        forward_args = inspect.signature(self.model.forward).parameters
        self._keeps_logits = "logits_to_keep" in forward_args  # can skip the LM head for earlier tokens
        # transformers renamed `past_key_values` to `cache` (the old name warns, then goes in 5.40).
        self._cache_arg = "cache" if "cache" in forward_args else "past_key_values"
        self.prefill_block = PREFILL_BLOCK
        # "exact": every row in the store (refused when it does not fit); "long": overview + exact regions on
        # demand; "auto": exact while it fits memory, else long. Exact by default until the window reads long mode.
        self.store_mode: StoreMode = "exact"
        self._long: long_store.LongState | None = None  # the decoder's attention in long mode
        self._frozen = FrozenOverviews()  # what results carry of it
        self.step_watcher: StepWatcher | None = None  # the logit lens's, while a dock follows it

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
        reuse_rows: bool = True,
    ) -> AnalysisResult:
        """Start over: tokenise, run the whole input once, keep the cache. Changing masks means prefill again.

        `replay`: tokens generated before, fed again in the same forward as the prompt, so that new
        masks show their effect on a whole generation without losing it. They come back as the
        result's `steps`, each with the candidates it would be chosen from now. Decoder knock-outs
        may fall on replayed tokens too: positions count the prompt (or start token and prefix),
        then the replay. `progress` hears how many tokens have been read, after each block of queries.

        When only decoder knock-outs (or the tokens from some position on) differ from what the session
        holds, the rows before the first difference are kept and only the rest is read again (equal to a
        full read up to rounding; `reuse_rows=False` reads everything, bit for bit what a new session gives).
        """
        started = time.perf_counter()
        plan = self._plan(text, masks, source, replay)
        long = self._choose_store(plan)  # refuses what would not fit before any state changes
        kept = self._kept_rows(plan, long) if reuse_rows else 0
        if kept:
            steps = self._reread(plan, kept, progress)
            return replace(self.state(time.perf_counter() - started), steps=steps)
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

    def _kept_rows(self, plan: _PrefillPlan, long: long_store.LongState | None) -> int:
        """How many rows of what the session holds a prefill of `plan` can keep; 0: read it all again.

        A causal query never sees a later key, so the rows (and cache entries) before the first position
        whose token or decoder knock-out changed stay as they are, as long as nothing else changed: source,
        prompt, ablations, encoder knock-outs, capacity and store mode. A replayed step scored before that
        position is kept too, if it was told with as many candidates as now. At least the last token is read
        again (its logits are the next token's). Cut caches (sliding windows) and a replayed end of text read
        everything.
        """
        held, fed = self._ids, plan.ids + plan.replay
        same = (
            plan.source_ids == self._source_ids
            and plan.ids == held[: self._prompt_len]
            and len(plan.ids) == self._prompt_len
            and plan.capacity == self._max_len
            and plan.masks.ablated_heads == self.masks.ablated_heads
            and plan.masks.knocked("encoder") == self.masks.knocked("encoder")
            and (long is None) == (self._long is None)
            and (long is None or self._long is None or long.pooled.shape == self._long.pooled.shape)
            and not set(plan.replay) & set(self.loaded.eos_ids)
            and self._holds_rows(len(held))
        )
        if not same:
            return 0
        common = next((i for i, (a, b) in enumerate(zip(held, fed, strict=False)) if a != b), min(len(held), len(fed)))
        moved = self.masks.knocked("decoder") ^ plan.masks.knocked("decoder")
        told, k = 0, self.sampling.candidates
        steps = self._told if len(self._told) == self.generated else []
        while told < min(len(steps), len(plan.replay)) and steps[told][0] == k:
            if steps[told][1].token_id != plan.replay[told]:
                break
            told += 1
        return max(0, min(common, min(moved, default=len(fed)), len(fed) - 1, len(plan.ids) - 1 + told))

    def _holds_rows(self, rows: int) -> bool:
        """Whether cache and store hold exactly `rows` rows, in a cache that can be cut at any position."""
        if self._cache is None or rows == 0:
            return False
        cache = self._cache.self_attention_cache if self._seq2seq else self._cache
        stored = self._long.rows if self._long is not None else self.store.rows("decoder")
        croppable = all(type(layer) is DynamicLayer for layer in cache.layers)
        return croppable and cache.get_seq_length() == rows == stored

    def _reread(self, plan: _PrefillPlan, kept: int, progress: Progress | None) -> tuple[StepResult, ...]:
        """A prefill that keeps the first `kept` rows of what the session holds and reads the rest again;
        everything else as `_reset` leaves it (masks, fresh randomness, undo history)."""
        fed = plan.ids + plan.replay
        told = [step for _, step in self._told[: max(0, kept - len(plan.ids) + 1)]]  # scored before `kept`
        self._restart(plan)
        with torch.inference_mode():
            self._cache.crop(kept - len(self._ids))
            if self._long is not None:
                self._long.truncate(kept, self._knock)
            for stack in ("decoder", "cross"):
                if stack in self.store:
                    self.store.keep_rows(stack, kept)
            self._ids, self._told = list(plan.ids), []
            if self.step_watcher is not None:  # the lens rows from `kept` on were read under the old masks
                self.step_watcher.forget(kept)
            logits = self._feed(fed, keep=len(plan.replay) + 1 - len(told), progress=progress, start=kept)
        self._logits = logits[-1]
        return self._replay_steps(plan.replay, logits, told)

    def step(self, choose: int | None = None) -> StepResult:
        """Pick a token (sampled, or `choose`), feed it, and return its attention rows."""
        if self._logits is None:
            raise EngineError("nothing_to_continue")
        if self._finish_reason:
            raise GenerationFinished("generation_ended", reason=str(self._finish_reason))
        started = time.perf_counter()
        vocab = self._logits.shape[-1]
        if choose is not None and not 0 <= int(choose) < vocab:
            raise EngineError("token_not_in_vocabulary", id=choose, range=f"0..{vocab - 1}")
        candidates = self._next_candidates()
        self._rng_history.append(self._generator.get_state())
        token = int(choose) if choose is not None else choose_token(self._logits, self.sampling, self._generator)
        prob = _prob(self._logits, token)
        self._ids.append(token)
        position = len(self._ids) - 1
        watching = self.step_watcher.watch(position) if self.step_watcher is not None else nullcontext(None)
        with torch.inference_mode(), watching as watched:
            self._logits = self._forward([token], start=position)[-1]
            if watched is not None:
                watched(self._logits)
        self._update_finished(token)
        told = StepResult(
            token_id=token,
            text=self.token_text(token),
            position=position,
            candidates=candidates,
            prob=prob,
            raw=self._token_bytes(token),
            finished=self.finished,
            reason=self._finish_reason,
        )
        self._told.append((self.sampling.candidates, told))
        return replace(
            told,
            attention=self.store.snapshot(),
            long=self.long_attention,
            next_candidates=() if self.finished else self._next_candidates(),
            seconds=time.perf_counter() - started,
        )

    def undo(self) -> AnalysisResult:
        """Remove the last generated token; the state is exactly as before that step.

        A knock-out on the removed token is dropped with it (the result's masks say so), so that
        the next token to take its position is not knocked out unasked.
        """
        if self.generated <= 0:
            raise EngineError("nothing_to_undo")
        started = time.perf_counter()
        self._ids.pop()
        del self._told[self.generated :]
        self._generator.set_state(self._rng_history.pop())
        self._finish_reason = ""
        removed = len(self._ids)
        if self.step_watcher is not None:
            self.step_watcher.forget(removed)
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
    def long_state(self) -> long_store.LongState | None:
        """What recomputes the decoder's exact rows in long mode (attnlab.engine.long.rows reads them); None: exact."""
        return self._long

    @property
    def long_attention(self) -> LongAttention | None:
        """The decoder's attention in long mode (an overview per head), or None when the store holds it.
        A read-only copy: later steps and undos rewrite the last row of cells in place."""
        return None if self._long is None else self._frozen.snapshot(self._long)

    def region(self, layer: int, head: int, queries: range, keys: range) -> np.ndarray:
        """Exact decoder attention of one head, [len(queries), len(keys)] float32 as the store holds it: read
        from the store, or recomputed from the kept queries and the cached keys in long mode."""
        check_head(self.info, "decoder", layer, head)
        rows = len(self._ids)
        if (
            queries.step != 1
            or keys.step != 1
            or not (0 <= queries.start <= queries.stop <= rows)
            or not (0 <= keys.start <= keys.stop <= rows)
        ):
            raise EngineError("region_not_contiguous", range=f"0..{rows - 1}", queries=str(queries), keys=str(keys))
        if self._long is None:
            matrix = self.store.snapshot().matrix("decoder", layer, head)
            return matrix[queries.start : queries.stop, keys.start : keys.stop]
        with torch.inference_mode():
            return self._long.region(layer, head, queries, keys, self._knock)

    def _choose_store(self, plan: _PrefillPlan) -> long_store.LongState | None:
        """None: exact rows in the store; else the long mode's state (store_policy.choose_store)."""
        return store_policy.choose_store(
            self.store_mode, self.loaded, self._stack_shapes, plan.rows, plan.capacity, self.prefill_block
        )

    def _recorder(self, start: dict[str, int], knock: dict[str, torch.Tensor]) -> capture.Hooks:
        if self._long is None:
            return super()._recorder(start, knock)
        # knock-outs and ablation as always (no store: nothing held, so buffers may be reused), then the writer
        interventions = capture.Recorder(self.loaded.sites, None, start, knock, self.ablations, reuse_scores=True)
        return capture.compose(interventions, long_store.LongWriter(self.loaded.sites, start, knock, long=self._long))

    # -- what the analyses re-run (attnlab.engine.session.analysis_session) ---------------------------
    def cell_axes(self, stack: StackName) -> tuple[list[int], list[int]]:
        if self._logits is None:
            raise EngineError("nothing_to_explain_prompt")
        axes = {
            "encoder": (self._source_ids, self._source_ids),
            "decoder": (self._ids, self._ids),
            "cross": (self._ids, self._source_ids),
        }
        return axes[stack]

    def replay(self, hooks: capture.Hooks, stack: StackName) -> None:
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

    def prediction(self) -> Prediction:
        if self._logits is None:
            raise EngineError("nothing_to_explain_prompt")
        return Prediction("decoder", list(self._ids), len(self._ids) - 1)

    def rerun(self, hooks: capture.Hooks, batch: int = 1, position: int | None = None) -> torch.Tensor:
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

    def rerun_blocks(self, hooks: capture.Hooks, start: int = 0) -> Iterator[tuple[int, torch.Tensor]]:
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
            raise UnsupportedError("not_a_masked_lm", model=self.info.name)
        if self._seq2seq:
            if source is None or not source.strip():
                raise EngineError("source_empty")
            source_ids = self.tokenize(source, "source")["input_ids"][0].tolist()
            prefix = (
                self.tokenize(text, "decoder prefix", special=False)["input_ids"][0].tolist() if text.strip() else []
            )
            ids = [self.loaded.decoder_start_id, *prefix]
        else:
            if not text.strip():
                raise EngineError("prompt_empty")
            if masks.knocked("encoder"):
                raise EngineError("decoder_has_no_encoder", model=self.info.name)
            source_ids = []
            ids = self.tokenize(text, "prompt")["input_ids"][0].tolist()
        capacity = self._capacity(len(ids))
        fed = [int(t) for t in replay][: capacity - len(ids)]
        vocab = self.info.vocab_size
        if any(not 0 <= t < vocab for t in fed):
            raise EngineError("replayed_token_not_in_vocabulary", range=f"0..{vocab - 1}")
        self._check_positions(masks.knocked("encoder"), len(source_ids), "knock-out")
        decoder_what = "decoder knock-out" if self._seq2seq else "knock-out"
        self._check_positions(masks.knocked("decoder"), len(ids) + len(fed), decoder_what)
        self._check_heads(masks)
        return _PrefillPlan(source_ids, ids, fed, capacity, masks)

    def _reset(self, plan: _PrefillPlan) -> None:
        """Make the plan where generation stands: empty store and cache, masks, fresh randomness."""
        self._configure_store(plan.rows)
        self._source_ids, self._ids = list(plan.source_ids), list(plan.ids)
        self._prompt_len, self._max_len = len(plan.ids), plan.capacity
        self._told = []
        self._knock = {}
        source_knocked = self._knock_tensor(len(plan.source_ids), plan.masks.knocked("encoder"))
        if source_knocked is not None:  # the source's keys: encoder self-attention and cross-attention
            self._knock = {"encoder": source_knocked, "cross": source_knocked}
        self._restart(plan)
        self._cache = self._new_cache()
        if self.step_watcher is not None:
            self.step_watcher.forget(0)

    def _restart(self, plan: _PrefillPlan) -> None:
        """What every prefill starts from, whatever rows it keeps: the plan's masks and decoder knock-outs,
        fresh randomness, no undo history, not finished."""
        self.masks = plan.masks
        self._rng_history.clear()
        self._finish_reason = ""
        self._reseed()
        self._knock.pop("decoder", None)
        decoder_knocked = self._knock_tensor(plan.capacity, plan.masks.knocked("decoder"))
        if decoder_knocked is not None:
            self._knock["decoder"] = decoder_knocked

    def _replay_steps(
        self, replay: list[int], logits: torch.Tensor, told: Sequence[StepResult] = ()
    ) -> tuple[StepResult, ...]:
        """Steps for tokens fed with the prompt, up to an end of text: the first len(told) as they were told
        (scored before the rows read again), then logits[i - len(told)] scored replay[i]."""
        k = self.sampling.candidates
        steps = []
        self._update_finished()
        for i, token in enumerate(replay):
            self._rng_history.append(self._generator.get_state())  # forced tokens draw nothing
            self._ids.append(token)
            self._update_finished(token)
            if i < len(told):
                steps.append(replace(told[i], finished=self.finished, reason=self._finish_reason))
            else:
                scores = logits[i - len(told)]
                steps.append(
                    StepResult(
                        token_id=token,
                        text=self.token_text(token),
                        position=len(self._ids) - 1,
                        candidates=self.candidates(scores, k),
                        prob=_prob(scores, token),
                        raw=self._token_bytes(token),
                        finished=self.finished,
                        reason=self._finish_reason,
                    )
                )
            if self.finished:  # an end of text was replayed: nothing after it counts
                break
        self._told = [(k, step) for step in steps]
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
            self._next = (logits, k, self.candidates(logits, k))
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

    def _feed(self, ids: list[int], keep: int, progress: Progress | None = None, start: int = 0) -> torch.Tensor:
        """Feed an input from position `start` (the cache holds the ones before) in blocks of `prefill_block`
        queries through the KV cache, so that no layer holds [head, N, N] scores; return the logits after
        each of the last `keep` tokens. `progress` counts the tokens read from `start` on."""
        kept = []
        total = len(ids) - start
        if total <= self.prefill_block:  # one block: over before progress would mean anything
            progress = None

        def say(done: int) -> None:
            if progress is None:
                return
            counts = {"done": f"{done:,}", "total": f"{total:,}"}
            again = {"start": f"{start:,}"} if start else {}
            progress(message("rereading_text" if start else "reading_text", **again, **counts), done / total)

        say(0)  # at once: the first block may take seconds
        for first in range(start, len(ids), self.prefill_block):
            block = ids[first : first + self.prefill_block]
            wanted = min(len(block), keep - (len(ids) - first - len(block)))  # this block's share of the last `keep`
            logits = self._forward(block, first, keep=max(wanted, 1))
            if wanted > 0:
                kept.append(logits)
            say(first + len(block) - start)
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


Session = EncoderSession | GenerationSession  # what `make_session` gives: both implement AnalysisSession
