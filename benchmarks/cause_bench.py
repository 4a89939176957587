"""Issue 26: activation patching maps and integrated gradients' steps.

patching: the residual-stream map (layer × position) and the head map (layer × head) of a 20-token
prompt, the corrupted run the first subject tokens noised at 3σ; targets on SmolLM2 (2-core CPU):
residual ≤ 30 s, heads ≤ 20 s; all four maps of the tiny GPT < 1 s.
attribution: the steps integrated gradients took to a completeness error below 5% (cap 512) for three
prompts, and the error reached.
"""

from __future__ import annotations

import os
import time

from attnlab.engine.api.config import Corruption
from attnlab.engine.session.sessions import GenerationSession
from benchmarks.common import Figure, Size, clock, median

TOKENS = 20
TARGETS = {("smollm2", "residual"): 30.0, ("smollm2", "heads"): 20.0}
SENTENCE = (
    "The Eiffel Tower is in the city of Paris, and every year millions of visitors climb its iron stairs to see "
    "the river below"
)
PROMPTS = (
    "The Eiffel Tower is in the city of",
    "The capital of Japan is",
    "She opened the door and saw a big black",
)


def _session(key: str) -> GenerationSession:
    """A session on a prompt of exactly TOKENS tokens: the sentence cut to length (or repeated words)."""
    from benchmarks import models

    loaded = models.load(key)
    session = GenerationSession(loaded)
    text = models.prompt(loaded, TOKENS)
    if loaded.info.vocab_size > 10_000:
        ids = loaded.tokenizer(SENTENCE, add_special_tokens=False)["input_ids"]
        cut = str(loaded.tokenizer.decode(ids[:TOKENS]))
        if len(loaded.tokenizer(cut)["input_ids"]) == TOKENS:
            text = cut
    session.prefill(text)
    return session


def patching_maps(size: Size) -> list[Figure]:
    figures = []
    for key in size.models:
        from benchmarks import models

        session = _session(key)
        noise = Corruption(positions=(1, 2, 3), noise=3.0)
        cases: list[tuple[str, tuple[str, ...]]] = [("residual", ("residual",)), ("heads", ("heads",))]
        if key != "smollm2":
            cases.append(("all four maps", ("residual", "attention", "mlp", "heads")))
        for name, sites in cases:
            from attnlab.engine.interpret.patching import patch

            repeats = 1 if key == "smollm2" else min(size.repeats, 5)
            samples, cpu = [], []
            for _ in range(repeats):
                started, used = clock(), time.process_time()
                result = patch(session, noise, sites=sites)
                samples.append(clock() - started)
                cpu.append(time.process_time() - used)
            target = TARGETS.get((key, name), 1.0 if name == "all four maps" and key != "tiny" else None)
            value = median(samples)
            shape = result.heads.shape if name == "heads" else result.residual.shape
            figures.append(
                Figure(
                    "patching",
                    f"{models.TITLES[key]} @ {TOKENS} tokens: {name} ({shape[0]} x {shape[1]})",
                    value,
                    "s",
                    target=f"<= {target:.0f} s" if target else "",
                    met=value <= target if target else None,
                    samples=samples,
                    note=f"{result.total} patched runs; clean log p {result.clean_metric:.2f}, "
                    f"corrupted {result.corrupt_metric:.2f}; CPU time {median(cpu):.1f} s (all threads), load "
                    f"average {os.getloadavg()[0]:.1f}",
                )
            )
    return figures


def integrated_gradient_steps(size: Size) -> list[Figure]:
    from attnlab.engine.interpret.attribution import attribute
    from benchmarks import models

    figures = []
    key = size.models[0]
    loaded = models.load(key)
    session = GenerationSession(loaded)
    prompts = PROMPTS if loaded.info.vocab_size > 10_000 else (models.prompt(loaded, 8),)
    for text in prompts:
        session.prefill(text)
        started = clock()
        result = attribute(session)
        seconds = clock() - started
        figures.append(
            Figure(
                "attribution",
                f"{models.TITLES[key]}: {text!r} -> {result.target_text!r}",
                float(result.steps),
                "steps",
                target="error < 5% within 512",
                met=result.converged,
                samples=[seconds],
                note=f"completeness error {100 * result.completeness_error:.1f}% in {seconds:.1f} s "
                f"(grad x input and IG, pad baseline)",
            )
        )
    return figures
