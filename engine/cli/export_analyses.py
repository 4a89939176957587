"""`attnlab export --analyses NAME,...`: each name adds arrays computed from the exported run.

Add an analysis as one entry in ANALYSES: a function from the run to {array name: array}.
Analyses that need the model (lens, importance) take `run.session` (an AnalysisSession).

In long-document mode (`--store long`) the decoder's attention is not in `attentions`: head
fingerprints and rollout recompute its exact rows block by block (`engine.long_rows`), with the same
array names and shapes; lens, importance and the probe never read the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from attnlab.engine.analyses import head_fingerprints, rollout
from attnlab.engine.api.errors import EngineError
from attnlab.engine.cli.cause_analyses import CauseOptions, attribution_arrays, patching_arrays

if TYPE_CHECKING:
    from attnlab.engine.api.attention_store import AttentionSnapshot
    from attnlab.engine.long.rows import LongModeSession
    from attnlab.engine.session.sessions import EncoderSession, GenerationSession

SELF_ATTENTION = ("encoder", "decoder")  # the stacks whose queries and keys are the same tokens


@dataclass(frozen=True)
class ExportedRun:
    """What an analysis sees: the session after the run and what the export already holds."""

    session: EncoderSession | GenerationSession  # the model, tokenizer, masks and store of the run
    attention: AttentionSnapshot  # the run's attention store
    attentions: Mapping[str, NDArray[np.float32]]  # stack -> [layer, head, query, key], as exported
    sequence_ids: Mapping[str, NDArray[np.int64]]  # self-attention stack -> token ids along its axes
    top_k: int = 10  # --top-k-candidates: how many tokens the lens keeps per cell
    alternative: str | None = None  # --alternative: the token direct logit attribution compares the target with
    flow_threshold: float = 0.04  # --flow-threshold: the flow graph's pruning share
    cause: CauseOptions = field(default_factory=CauseOptions)  # --target, --corrupt-*, --ig-*

    @property
    def long(self) -> bool:
        """The decoder's attention is in long mode: recomputed on demand, not in `attentions`."""
        return self.session.long_mode

    @property
    def long_session(self) -> LongModeSession:
        """The session, whose decoder is in long mode (asked only when `long` is)."""
        from attnlab.engine.session.sessions import GenerationSession  # torch

        assert isinstance(self.session, GenerationSession) and self.session.long_mode, "not in long mode"
        return self.session


Analysis = Callable[[ExportedRun], dict[str, NDArray]]


def head_fingerprint_arrays(run: ExportedRun) -> dict[str, NDArray]:
    """`{stack}_head_{entropy,sink,prev_token,self,distance,induction}` float32 [layer, head] per
    self-attention stack; induction only for the decoder's (NaN for the encoder's)."""
    arrays: dict[str, NDArray] = {}
    for stack in SELF_ATTENTION:
        ids = run.sequence_ids[stack] if stack == "decoder" else None
        if stack in run.attentions:
            prints = head_fingerprints(run.attentions[stack], run.attention.is_causal(stack), ids)
        elif stack == "decoder" and run.long:
            from attnlab.engine.long.rows import long_head_scores  # recomputes rows: torch

            prints = long_head_scores(run.long_session, token_ids=ids).prints
        else:
            continue
        arrays.update({f"{stack}_head_{name}": values for name, values in prints.arrays().items()})
    return arrays


def rollout_arrays(run: ExportedRun) -> dict[str, NDArray]:
    """`{stack}_rollout` float32 [layer, query, key] per self-attention stack."""
    arrays = {f"{stack}_rollout": rollout(run.attentions[stack]) for stack in SELF_ATTENTION if stack in run.attentions}
    if run.long:
        from attnlab.engine.long.rows import long_rollout  # recomputes rows: torch

        arrays["decoder_rollout"] = long_rollout(run.long_session).matrices
    return arrays


def probe_arrays(run: ExportedRun) -> dict[str, NDArray]:
    """`probe_token_ids` [2 · half] and `probe_head_{entropy,...,induction}` float32 [layer, head]: the
    fingerprints of the decoder on the induction probe (seeded random tokens, repeated; decoders only)."""
    from attnlab.engine.interpret.probe_run import run_induction_probe  # runs the model: torch

    scores = run_induction_probe(run.session.loaded)
    assert scores.probe_ids is not None  # the probe's scores carry its ids
    arrays: dict[str, NDArray] = {"probe_token_ids": scores.probe_ids}
    arrays.update({f"probe_head_{name}": values for name, values in scores.prints.arrays().items()})
    return arrays


def lens_arrays(run: ExportedRun) -> dict[str, NDArray]:
    """`lens_topk_ids` int64 and `lens_topk_probs` float32 [layer + 1, position, k]: entry 0 from the
    embeddings, entry l after layer l, the last the model's output; positions of the predicting stack."""
    from attnlab.engine.interpret.lens import logit_lens  # runs the model: torch

    lens = logit_lens(run.session, run.top_k)
    return {"lens_topk_ids": lens.topk_ids, "lens_topk_probs": lens.topk_probs}


def importance_arrays(run: ExportedRun) -> dict[str, NDArray]:
    """`head_importance` float32 [layer, head] of the main stack: exact Δ log p of the top-1 next token
    (masked LMs: the first [MASK]'s top-1 filler) when the head is ablated; `importance_target_id`."""
    from attnlab.engine.interpret.importance import head_importance  # runs the model: torch

    importance = head_importance(run.session)
    return {
        "head_importance": importance.values,
        "importance_target_id": np.array(importance.target_id, np.int64),
    }


def contribution_arrays(run: ExportedRun) -> dict[str, NDArray]:
    """`{stack}_contributions` float32 [layer, head, query, key]: ‖α_ij v_j W_Oʰ‖ per stack."""
    from attnlab.engine.analyses.contributions import contribution_norms
    from attnlab.engine.interpret.contributions import measure  # runs the model: torch

    arrays: dict[str, NDArray] = {}
    for stack in (s.name for s in run.session.info.stacks):
        norms, probs = measure(run.session, stack, keep_probs=True)
        assert probs is not None
        arrays[f"{stack}_contributions"] = contribution_norms(probs, norms.projected)
    return arrays


def dla_arrays(run: ExportedRun) -> dict[str, NDArray]:
    """`dla_heads` [layer, head], `dla_mlp` [layer], `dla_embed`, `dla_bias`, `dla_logit` (scalars),
    `dla_target_id`, `dla_alternative_id` (−1 without --alternative), `dla_cross_heads` (encoder-decoders)."""
    from attnlab.engine.interpret.logit_attribution import logit_attribution  # runs the model: torch

    alternative = None if run.alternative is None else single_token(run.session.tokenizer, run.alternative)
    dla = logit_attribution(run.session, alternative=alternative)
    arrays: dict[str, NDArray] = {
        "dla_heads": dla.heads,
        "dla_mlp": dla.mlp,
        "dla_embed": np.array(dla.embed, np.float32),
        "dla_bias": np.array(dla.bias, np.float32),
        "dla_logit": np.array(dla.logit, np.float32),
        "dla_target_id": np.array(dla.target_id, np.int64),
        "dla_alternative_id": np.array(dla.alternative_id, np.int64),
    }
    if dla.cross_heads is not None:
        arrays["dla_cross_heads"] = dla.cross_heads
    return arrays


def single_token(tokenizer, text: str) -> int:
    """The id of a text that is exactly one token (" Rome" with its space); refused otherwise."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if len(ids) != 1:
        raise EngineError("alternative_not_one_token", text=repr(text), count=len(ids))
    return int(ids[0])


def flow_arrays(run: ExportedRun) -> dict[str, NDArray]:
    """`flow_edges` float32 [edge, 6] (from layer, from position, to layer, to position, head or −1, weight)
    and `flow_threshold`."""
    from attnlab.engine.interpret.flow import flow_graph  # runs the model: torch

    graph = flow_graph(run.session, run.flow_threshold)
    return {"flow_edges": graph.edges, "flow_threshold": np.array(graph.threshold, np.float32)}


ANALYSES: dict[str, Analysis] = {
    "heads": head_fingerprint_arrays,
    "rollout": rollout_arrays,
    "probe": probe_arrays,
    "lens": lens_arrays,
    "importance": importance_arrays,
    "contributions": contribution_arrays,
    "dla": dla_arrays,
    "flow": flow_arrays,
    "attribution": attribution_arrays,
    "patching": patching_arrays,
}


def parse_analyses(text: str | None) -> tuple[str, ...]:
    """ "heads,rollout" -> ("heads", "rollout"), in the given order, each once; unknown names are refused."""
    names = tuple(dict.fromkeys(name.strip() for name in (text or "").split(",") if name.strip()))
    unknown = [name for name in names if name not in ANALYSES]
    if unknown:
        raise EngineError("unknown_analysis", names=", ".join(map(repr, unknown)), known=", ".join(ANALYSES))
    return names


def analysis_arrays(names: tuple[str, ...], run: ExportedRun) -> dict[str, NDArray]:
    """The arrays of every named analysis, merged."""
    arrays: dict[str, NDArray] = {}
    for name in names:
        arrays.update(ANALYSES[name](run))
    return arrays
