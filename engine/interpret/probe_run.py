"""The induction probe run through a model: the standard test for induction heads.

A seeded sequence of random tokens, then the same tokens again (attnlab.engine.analyses.probes). In the
second half an induction head attends from each token to the one that followed its first copy,
so its induction score (attnlab.engine.analyses.fingerprints.induction) is near 1; other heads score
little. The run uses its own attention store and no cache, so the session's state is untouched;
it ignores the session's masks and ablations: it tests the model itself.
"""

from __future__ import annotations

import torch

from attnlab.engine.analyses import induction_probe
from attnlab.engine.analyses.head_scores import HeadScores, head_scores
from attnlab.engine.api.attention_store import AttentionStore
from attnlab.engine.api.errors import EngineError
from attnlab.engine.capture import attention as capture
from attnlab.engine.models.loading import LoadedModel

HALF = 50  # random tokens per half: long enough to tell induction heads apart, short enough to run at once
SEED = 0


def probe_low(loaded: LoadedModel) -> int:
    """The first id to draw from: past the special tokens at the start of the vocabulary."""
    specials = [i for i in loaded.tokenizer.all_special_ids if i is not None and i < loaded.info.vocab_size // 2]
    return max(specials, default=-1) + 1


def run_induction_probe(loaded: LoadedModel, half: int = HALF, seed: int = SEED) -> HeadScores:
    """Decoder head scores (induction among them) on `half` random tokens repeated twice."""
    info = loaded.info
    if info.kind != "decoder":
        raise EngineError("probe_needs_decoder", model=info.name, kind=info.kind)
    if info.max_positions is not None:
        half = min(half, info.max_positions // 2)
    ids = induction_probe(half, info.vocab_size, seed, low=probe_low(loaded))  # [2 · half]
    layers, heads = next((s.layers, s.heads) for s in info.stacks if s.name == "decoder")
    store = AttentionStore()
    store.configure("decoder", layers, heads, causal=True, keys=len(ids), capacity=len(ids))
    device = loaded.device
    with torch.inference_mode(), capture.recording(capture.Recorder(loaded.sites, store, {"decoder": 0})):
        tokens = torch.tensor(ids[None], device=device)
        loaded.model(input_ids=tokens, position_ids=torch.arange(len(ids), device=device)[None], use_cache=False)
    store.set_rows("decoder", len(ids))
    scores = head_scores(store.snapshot(), "decoder", ids.tolist())
    return HeadScores("decoder", scores.prints, len(ids), None, ids)
