"""What crosses the seam: frozen dataclasses of numpy arrays and plain values.

Imports neither torch nor Qt, so the GUI can type-check against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from attnlab.engine.api.attention_store import AttentionSnapshot
from attnlab.engine.api.long_summary import LongAttention
from attnlab.engine.api.messages import EngineMessage

ModelKind = Literal["encoder", "decoder", "encoder-decoder"]
StackName = Literal["encoder", "decoder", "cross"]
SequenceName = Literal["encoder", "decoder"]  # whose tokens a position counts: the encoder's input or the decoder's


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
    # (feature, why this model cannot do it): "knockout", "ablation", "inspector"; the window greys them out
    unsupported: tuple[tuple[str, EngineMessage], ...] = ()
    random_weights: tuple[str, ...] = ()  # loaded anyway: tensors missing from the files (or mis-shaped), left random
    consented: tuple[str, ...] = ()  # what the user allowed for this load: "remote_code", "pickle", "unmatched_weights"

    @property
    def partly_random(self) -> bool:
        """Some weights are random numbers, not the model's: every number shown is suspect."""
        return bool(self.random_weights)

    def why_unsupported(self, feature: str) -> EngineMessage | None:
        """Why this model cannot do `feature`, or None when it can."""
        return dict(self.unsupported).get(feature)

    @property
    def input_stack(self) -> SequenceName:
        """The stack whose sequence holds the typed text's tokens (the source, for encoder-decoders)."""
        return "decoder" if self.kind == "decoder" else "encoder"


CatalogSource = Literal["bundled", "pip", "hf-cache", "recent", "converted"]  # where a catalog entry was found


@dataclass(frozen=True)
class CatalogEntry:
    name: str  # what load_model accepts
    kind: ModelKind | Literal["unknown"]
    size_bytes: int
    source: CatalogSource
    path: str
    description: str = ""


@dataclass(frozen=True)
class Candidate:
    token_id: int
    text: str  # readable display string (the token alone)
    prob: float
    raw: bytes | None = None  # the token's bytes (None: a special token): read in context by the GUI


@dataclass(frozen=True)
class MaskPrediction:
    position: int  # token position of the [MASK] slot
    candidates: tuple[Candidate, ...]  # best first


@dataclass(frozen=True)
class Masks:
    """What the user did to the input, the same for every kind of model.

    Positions count tokens after tokenisation, special tokens included, in one stack's sequence:
    "encoder" is an encoder's input (an encoder-decoder's source), "decoder" a decoder's sequence
    (prompt then generated tokens; an encoder-decoder's start token, prefix, generated tokens).
    """

    mask_positions: frozenset[int] = frozenset()  # encoder positions replaced by [MASK] (masked LMs only)
    knockouts: frozenset[tuple[SequenceName, int]] = frozenset()  # (stack, position): no query attends to it
    ablated_heads: frozenset[tuple[StackName, int, int]] = frozenset()  # (stack, layer, head) outputs zeroed

    def knocked(self, stack: SequenceName) -> frozenset[int]:
        """Knocked-out positions of one stack's sequence (cross-attention reads the encoder's)."""
        return frozenset(position for name, position in self.knockouts if name == stack)

    def with_knockout(self, stack: SequenceName, position: int, knocked: bool = True) -> Masks:
        key = (stack, position)
        return replace(self, knockouts=self.knockouts | {key} if knocked else self.knockouts - {key})

    def with_mask(self, position: int, masked: bool = True) -> Masks:
        positions = self.mask_positions | {position} if masked else self.mask_positions - {position}
        return replace(self, mask_positions=positions)

    def toggle_head(self, stack: StackName, layer: int, head: int) -> Masks:
        return replace(self, ablated_heads=self.ablated_heads ^ {(stack, layer, head)})


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
    long: LongAttention | None = None  # long-document mode: the decoder's overview (`attention` then lacks it)


@dataclass(frozen=True)
class StepResult:
    """One generated token and the attention rows it produced."""

    token_id: int
    text: str
    position: int  # position of the new token in the generated stack's sequence
    candidates: tuple[Candidate, ...]  # the distribution the token was chosen from, best first (top-k)
    prob: float = math.nan  # the chosen token's probability under that distribution (even outside the top-k)
    raw: bytes | None = None  # the token's bytes (None: a special token), to read it next to its neighbours
    attention: AttentionSnapshot | None = None  # the store after this step (replayed steps: the result's)
    long: LongAttention | None = None  # long-document mode: the decoder's overview after this step
    finished: bool = False  # EOS chosen or max length reached
    reason: str = ""  # "eos" | "max_length" | ""
    next_candidates: tuple[Candidate, ...] = ()  # top-k for the following token
    seconds: float = 0.0


@dataclass(frozen=True)
class CellExplanation:
    """The numbers one attention weight came from, as the model's own attention used them.

    logit = capped + bias, capped = softcap·tanh(dot·scaling / softcap) when the model caps its
    scores (Gemma-2) and dot·scaling otherwise, bias = position_bias + mask + knockout;
    prob = softmax(row_logits)[key] = exp(logit − row_logsumexp).

    output_share = (prob·v_key)·o / ‖o‖², o the head's output for this query (Σ over keys of
    prob·v_key, before any head ablation): the part of o along its own direction that this key
    brings; it sums to 1 over the keys (0 when o is 0) and may be negative.

    The numbers are float64 copies of what the model computed in its own dtype, so the identities
    hold to that dtype's precision: about 1e-6 in float32, about 1e-2 (relative) in bfloat16.
    """

    stack: StackName
    layer: int
    head: int
    query: int  # position of the query token in its stack's sequence
    key: int  # position of the key token (cross-attention: in the encoder's input)
    query_token: str
    key_token: str
    kv_head: int  # the key/value head this query head reads (grouped-query heads share one)
    q: NDArray[np.float64]  # [head_dim] the query as the module used it (after rotary or other position encoding)
    k: NDArray[np.float64]  # [head_dim] the key, likewise
    dot: float  # q·k
    scaling: float  # the model's own: 1/√d_k unless it says otherwise
    softcap: float | None  # None: the model does not cap scores
    capped: float  # dot·scaling, through the softcap when there is one
    position_bias: float  # T5-style relative bias; 0 when none
    mask: float  # the additive causal / padding / sliding-window mask: 0, or the dtype's min where hidden
    knockout: float  # what a knock-out did to the score (it sets it to the dtype's min); 0 when none
    bias: float  # position_bias + mask + knockout
    logit: float  # the pre-softmax score
    row_logsumexp: float  # log Σ exp(row_logits)
    prob: float  # the attention weight
    masked: bool  # the mask or a knock-out hides this key from this query (prob 0)
    knocked_out: bool  # hidden by a knock-out of the key token
    ablated: bool  # the head's output is zeroed downstream (its attention still is what it is)
    value_norm: float  # ‖prob·v_key‖
    output_share: float  # see the class docstring
    row_logits: NDArray[np.float64]  # [key] the query's pre-softmax scores
    row_probs: NDArray[np.float64]  # [key] its attention weights
    v_norm: float = math.nan  # ‖v_key‖ (the kv head's value)
    projected_norm: float = math.nan  # ‖v_key W_Oʰ‖ through the head's slice of the output projection (nan: none)
    contribution: float = math.nan  # ‖f‖ = prob · ‖v_key W_Oʰ‖: what the key moves into the query's output


@dataclass(frozen=True)
class LensResult:
    """The logit lens: each layer's residual stream at each position read through the model's final
    norm and output head (masked LMs: the MLM head). Entry 0 is the embeddings, entry l the output
    of layer l; the last entry is the model's own output distribution."""

    stack: SequenceName  # whose tokens the positions count: the decoder's, or a masked LM's input
    tokens: tuple[str, ...]  # the tokens at the positions, readable
    topk_ids: NDArray[np.int64]  # [layer + 1, position, k]
    topk_probs: NDArray[np.float32]  # [layer + 1, position, k]
    topk_texts: tuple[tuple[tuple[str, ...], ...], ...]  # [layer + 1][position][k], readable
    start: int = 0  # the position of the first column (a lens of the last positions only starts later)

    @property
    def end(self) -> int:
        """The position after the last column."""
        return self.start + len(self.tokens)

    def window(self, first: int, end: int) -> LensResult:
        """Only the positions first..end-1 of those it has."""
        a, b = max(0, first - self.start), max(0, end - self.start)
        return replace(
            self,
            tokens=self.tokens[a:b],
            topk_ids=self.topk_ids[:, a:b],
            topk_probs=self.topk_probs[:, a:b],
            topk_texts=tuple(entry[a:b] for entry in self.topk_texts),
            start=self.start + min(a, len(self.tokens)),
        )

    def extended(self, later: LensResult, keep: int | None = None) -> LensResult:
        """Its positions before `later`'s, then `later`'s (which start within it or right after its end):
        the lens after steps, from the lens of the positions they added. `keep`: the last that many only."""
        if not self.start <= later.start <= self.end:
            raise ValueError(f"a lens from position {later.start} does not continue one of {self.start}..{self.end}")
        head = self.window(self.start, later.start)
        joined = replace(
            later,
            tokens=head.tokens + later.tokens,
            topk_ids=np.concatenate([head.topk_ids, later.topk_ids], axis=1),
            topk_probs=np.concatenate([head.topk_probs, later.topk_probs], axis=1),
            topk_texts=tuple(a + b for a, b in zip(head.topk_texts, later.topk_texts, strict=True)),
            start=head.start,
        )
        return joined if keep is None else joined.window(joined.end - keep, joined.end)


@dataclass(frozen=True)
class HeadImportance:
    """How much one prediction depends on each head of the main stack: Δ log p(target) when the head is
    ablated (exact), or its first-order estimate, the gradient of log p with respect to a gate on the
    head's output at 1 (Michel et al. 2019)."""

    stack: SequenceName  # the stack whose heads were ablated
    values: NDArray[np.float32]  # [layer, head]; > 0: the head helps the target
    target_id: int
    target_text: str
    position: int  # where the target is predicted (decoders: the last token; masked LMs: the [MASK] slot)
    logprob: float  # log p(target) with every head in place
    exact: bool  # False: the gradient estimate


@dataclass(frozen=True)
class ValueNorms:
    """Per layer, head and key of one stack: ‖v_j‖ and ‖v_j W_Oʰ‖ (W_Oʰ the head's slice of the output
    projection; grouped-query heads carry their key/value head's v). What key j moves into query i
    is f_ij = α_ij v_j W_Oʰ, so ‖f_ij‖ = α_ij ‖v_j W_Oʰ‖ (`engine.analyses.contributions`)."""

    stack: StackName
    values: NDArray[np.float32]  # [layer, head, key] ‖v_j‖
    projected: NDArray[np.float32]  # [layer, head, key] ‖v_j W_Oʰ‖


@dataclass(frozen=True)
class LogitAttribution:
    """Direct logit attribution of one prediction: each component's part of the target's logit (minus an
    alternative's), read through the final norm(s) with their scale frozen at the real residual's.

    heads + cross_heads + mlp + embed + bias = logit (each component centred by the frozen norm itself,
    so no separate centring term remains; `logit` is the model's own, `error` what the sum misses)."""

    stack: SequenceName  # the stack whose residual stream makes the prediction
    position: int  # where the target is predicted
    target_id: int
    target_text: str
    alternative_id: int  # -1: none (the values are the target's logit alone)
    alternative_text: str
    heads: NDArray[np.float32]  # [layer, head] each self-attention head's output at the position
    cross_heads: NDArray[np.float32] | None  # [layer, head] an encoder-decoder's cross-attention heads
    mlp: NDArray[np.float32]  # [layer] the rest each layer adds (its MLP)
    embed: float  # the embeddings (the first layer's input)
    bias: float  # constants: norm biases, output projections' biases, the head's bias
    logit: float  # the model's own logit of the target (minus the alternative's)
    error: float  # logit − (sum of everything above)


@dataclass(frozen=True)
class FlowGraph:
    """The route to one prediction (Ferrando & Voita 2024): nodes (layer, position) are residual states,
    layer 0 the embeddings and layer l the output of block l; an edge carries its share (proximity)
    of the residual it writes into; edges pruned backwards from the prediction below `threshold`."""

    stack: SequenceName
    position: int  # the predicting position: node (layers, position) is the root
    layers: int
    tokens: tuple[str, ...]
    edges: NDArray[
        np.float32
    ]  # [edge, 6] from layer, from position, to layer, to position, head (-1: MLP/residual), weight
    threshold: float
    seconds: float = 0.0


@dataclass(frozen=True)
class Attribution:
    """Which input tokens one prediction rests on: a score per token of the predicting stack.

    grad × input: ∇ₑ log p(target) · e per token (e its input embedding); integrated gradients
    (Sundararajan et al. 2017): (e − b) · ∫₀¹ ∇ log p(b + α(e − b)) dα, whose sum should equal
    log p(x) − log p(baseline) ("completeness"); the relative miss is `completeness_error`."""

    stack: SequenceName  # whose tokens the scores are for
    tokens: tuple[str, ...]  # readable, one per score
    target_id: int  # -1: the next-sentence probability
    target_text: str
    position: int  # where the target is predicted (-1: the next-sentence head)
    logprob: float  # log p(target) of the input as it is (masks and ablations in force)
    grad_x_input: NDArray[np.float32]  # [token] ∇ₑ log p · e
    grad_x_input_norm: NDArray[np.float32]  # [token] ‖∇ₑ log p ⊙ e‖₂
    integrated: NDArray[np.float32]  # [token] integrated gradients (empty when not asked for)
    baseline: str  # "pad" (the pad token's embedding at every position) or "zero"
    baseline_logprob: float  # log p(target) at the baseline
    completeness_error: float  # |Σ integrated − (logprob − baseline_logprob)| / |logprob − baseline_logprob|
    steps: int  # integration points the last estimate used
    converged: bool  # completeness_error < the tolerance within the step cap


@dataclass(frozen=True)
class PatchingResult:
    """Activation patching (Meng et al. 2022): a clean run's activation put into a corrupted run of the
    same length, one site per patched run. Each map holds the recovered share of the metric,
    (patched − corrupted) / (clean − corrupted): 1 = the site alone restores the clean answer, 0 = no
    effect; NaN where not computed (a partial result, or a map not asked for). The metric is
    logit(target) − logit(alternative), or log p(target) when there is no alternative."""

    stack: SequenceName
    tokens: tuple[str, ...]  # the clean run's tokens
    corrupt_tokens: tuple[str, ...]  # the corrupted run's (the same where only noise was added)
    target_id: int
    target_text: str
    alternative_id: int  # -1: none (the metric is log p(target))
    clean_metric: float
    corrupt_metric: float
    residual: NDArray[np.float32]  # [layer, position] the residual stream after block `layer`
    attention: NDArray[np.float32]  # [layer, position] the attention output of block `layer`
    mlp: NDArray[np.float32]  # [layer, position] the MLP output of block `layer`
    heads: NDArray[np.float32]  # [layer, head] one head's output at the last position
    done: int = 0  # patched runs finished so far
    total: int = 0  # patched runs asked for


@dataclass(frozen=True)
class PatchedRun:
    """One patched run of a patching map: its candidates at the predicted position."""

    site: str  # "residual", "attention", "mlp" or "heads"
    layer: int
    index: int  # the position (or the head)
    metric: float
    share: float
    candidates: tuple[Candidate, ...]
