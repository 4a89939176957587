"""Analyses figure (issue 11): head fingerprints + rollout of a whole stack, SmolLM2-sized.

Pure numpy on a synthetic causal store (peaked random rows), so no model is loaded. The baseline
is reading the same stack out of the store as float32 (`full()`), which `attnlab export` pays anyway.
"""

from __future__ import annotations

import numpy as np

from attnlab.engine.analyses import head_fingerprints, rollout
from attnlab.engine.analyses.head_scores import head_scores, stack_rollout
from attnlab.engine.interpret.importance import head_importance
from benchmarks.common import Figure, Size, clock, interleaved, median
from benchmarks.synthetic import STACK, synthetic_store

TARGET_MS = 1000.0


def fingerprints_and_rollout(size: Size) -> list[Figure]:
    layers, heads, tokens = size.analysis_shape
    snapshot = synthetic_store(layers, heads, tokens).snapshot()
    attention = snapshot.full(STACK)  # [layer, head, query, key]
    ids = np.random.default_rng(0).integers(0, 50, tokens)  # a small vocabulary: induction has targets
    parts: dict[str, list[float]] = {"fingerprints": [], "rollout": []}

    def analyses() -> float:
        started = clock()
        head_fingerprints(attention, True, ids)
        middle = clock()
        rollout(attention)
        parts["fingerprints"].append(middle - started)
        parts["rollout"].append(clock() - middle)
        return clock() - started

    def read() -> float:
        started = clock()
        snapshot.full(STACK)
        return clock() - started

    window_parts: dict[str, list[float]] = {"head scores": [], "rollout": []}

    def window() -> float:
        """What the engine thread does for the window's heads table and rollout view: from the snapshot,
        one layer at a time (unpacking the float16 triangle included)."""
        started = clock()
        head_scores(snapshot, STACK, ids.tolist())
        middle = clock()
        stack_rollout(snapshot, STACK)
        window_parts["head scores"].append(middle - started)
        window_parts["rollout"].append(clock() - middle)
        return clock() - started

    analyses()  # warm up (allocations, BLAS threads)
    window()
    for times in (*parts.values(), *window_parts.values()):  # the warm-up does not count
        times.clear()
    values, bases, ratios = interleaved(analyses, read, size.repeats)
    window_values, window_bases, window_ratios = interleaved(window, read, size.repeats)
    shape = f"{layers} layers x {heads} heads @ {tokens} tokens"
    figures = []
    for case, times, base, ratio, split in (
        (f"fingerprints + rollout, {shape}", values, bases, ratios, parts),
        (
            f"window: head scores + rollout from the snapshot, {shape}",
            window_values,
            window_bases,
            window_ratios,
            window_parts,
        ),
    ):
        value = median(times) * 1000
        note = ", ".join(f"{name} {median(part) * 1000:.0f} ms" for name, part in split.items())
        figures.append(
            Figure(
                "analyses",
                case,
                value,
                "ms",
                baseline=median(base) * 1000,
                baseline_name="reading the stack from the store (full())",
                ratio=median(ratio),
                target=f"< {TARGET_MS:.0f} ms",
                met=value < TARGET_MS,
                note=note,
                samples=[v * 1000 for v in times],
            )
        )
    return figures


IMPORTANCE_TOKENS = 20  # issue 12: the importance map of a 20-token prompt
IMPORTANCE_TARGET_S = 20.0  # issue 12: SmolLM2's 270 heads in under 20 s on a CPU


def _ranks(values: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(values.ravel())).astype(np.float64)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation of two maps (ties broken by order; the maps are continuous)."""
    return float(np.corrcoef(_ranks(a), _ranks(b))[0, 1])


def importance_map(size: Size) -> list[Figure]:
    """Issue 12: the exact head-importance map (one ablated forward per head, batched) of a 20-token
    prompt; baseline: the gradient estimate (one forward and one backward). The note gives how well
    the estimate ranks the heads against the exact map (Spearman)."""
    return [_importance_map(key, size) for key in size.models]


def _importance_map(key: str, size: Size) -> Figure:
    from attnlab.engine.session.sessions import GenerationSession
    from benchmarks import models

    loaded = models.load(key)
    tokens = min(IMPORTANCE_TOKENS, max(size.step_lengths))
    session = GenerationSession(loaded)
    session.prefill(models.prompt(loaded, tokens))
    exact_values: list[np.ndarray] = []
    estimate_values: list[np.ndarray] = []

    def exact() -> float:
        started = clock()
        exact_values.append(head_importance(session).values)
        return clock() - started

    def estimate() -> float:
        started = clock()
        estimate_values.append(head_importance(session, exact=False).values)
        return clock() - started

    estimate()  # warm up
    repeats = min(size.repeats, 3)  # each repeat is hundreds of forwards
    values, bases, ratios = interleaved(exact, estimate, repeats)
    layers, heads = exact_values[-1].shape
    rho = spearman(exact_values[-1], estimate_values[-1])
    target = IMPORTANCE_TARGET_S if key == "smollm2" else None
    value = median(values)
    return Figure(
        "importance",
        f"{models.TITLES[key]}: {layers} x {heads} heads @ {tokens} tokens, exact",
        value,
        "s",
        baseline=median(bases),
        baseline_name="the gradient estimate (one forward + one backward)",
        ratio=median(ratios),
        target=f"< {target:.0f} s" if target else "",
        met=value < target if target else None,
        samples=values,
        note=f"Spearman(gradient estimate, exact) = {rho:.3f}",
    )
