"""Engine figures (issue 5, items 1-5): a captured step against what else people run.

Each function takes a Size and returns Figures. A "step" is GenerationSession.step(): pick the
token, one KV-cached forward that writes every layer's new attention row into the store, top-k
candidates, and the result ready as numpy.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from functools import partial

import numpy as np
import torch
from transformers import DynamicCache, GenerationMixin, PreTrainedModel

from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.capture import attention as capture
from attnlab.engine.session.sessions import GenerationSession
from benchmarks import models
from benchmarks.common import Figure, Size, clock, interleaved, median, ratio_figure


@contextmanager
def implementation(model: PreTrainedModel, name: str):
    """Run the model with another attention implementation ("sdpa", "eager"), then switch back."""
    model.set_attn_implementation(name)
    try:
        yield model
    finally:
        model.set_attn_implementation(capture.IMPLEMENTATION)


class EngineSteps:
    """A session prefilled with `length` tokens; `time(k)` is the median seconds of k more steps."""

    def __init__(self, loaded: models.LoadedModel, length: int, room: int):
        self.session = GenerationSession(loaded)
        self.session.set_sampling(SamplingConfig(max_new_tokens=room))
        self.session.prefill(models.prompt(loaded, length))
        self.session.step()  # warm-up

    def time(self, k: int) -> float:
        times = []
        for _ in range(k):
            started = clock()
            self.session.step()
            times.append(clock() - started)
        return median(times)


class BareSteps:
    """The fastest plain transformers decode: SDPA, KV cache, no attention output, greedy argmax."""

    def __init__(self, loaded: models.LoadedModel, length: int):
        self.model = loaded.model
        self.cache = DynamicCache(config=self.model.config)
        # transformers renamed `past_key_values` to `cache` (the old name goes in 5.40)
        self.cache_arg = "cache" if "cache" in inspect.signature(self.model.forward).parameters else "past_key_values"
        with implementation(self.model, "sdpa"), torch.inference_mode():
            ids = models.prompt_ids(loaded, length)
            out = self.model(
                input_ids=ids, attention_mask=torch.ones_like(ids), use_cache=True, **{self.cache_arg: self.cache}
            )
        self.next = out.logits[:, -1:].argmax(-1)  # [1, 1]
        self.time(1)  # warm-up

    def time(self, k: int) -> float:
        times = []
        with implementation(self.model, "sdpa"), torch.inference_mode():
            for _ in range(k):
                started = clock()
                out = self.model(input_ids=self.next, use_cache=True, logits_to_keep=1, **{self.cache_arg: self.cache})
                self.next = out.logits[:, -1:].argmax(-1)
                times.append(clock() - started)
        return median(times)


def step_overhead(size: Size) -> list[Figure]:
    """Item 1: engine step ÷ bare SDPA step at the same context length. Target ≤ 1.25×."""
    figures = []
    for key in size.models:
        loaded = models.load(key)
        for length in size.step_lengths:
            room = size.repeats * size.steps_per_repeat + 4
            engine, bare = EngineSteps(loaded, length, room), BareSteps(loaded, length)
            k = size.steps_per_repeat
            values, bases, ratios = interleaved(partial(engine.time, k), partial(bare.time, k), size.repeats)
            figures.append(
                ratio_figure(
                    "step-overhead",
                    f"{models.TITLES[key]} @ {length} tokens",
                    values,
                    bases,
                    ratios,
                    "transformers step: SDPA + KV cache, no attentions",
                    target=1.25,
                )
            )
    return figures


def versus_generate(size: Size) -> list[Figure]:
    """Item 2: prefill + N steps against model.generate(output_attentions=True) for the same N. Target ≤ 1.1×."""
    return [_versus_generate(key, size) for key in size.models]


def _versus_generate(key: str, size: Size) -> Figure:
    n, prompt_length = size.generate_tokens, 16
    loaded = models.load(key)
    model = loaded.model
    assert isinstance(model, GenerationMixin), f"{key} cannot generate"
    text, ids = models.prompt(loaded, prompt_length), models.prompt_ids(loaded, prompt_length)
    session = GenerationSession(loaded)
    session.set_sampling(SamplingConfig(max_new_tokens=n))

    def engine() -> float:
        started = clock()
        session.prefill(text)
        steps = session.run(n)
        assert len(steps) == n
        return clock() - started

    def generate() -> float:
        with implementation(model, "eager"), torch.inference_mode():
            started = clock()
            out = model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=n,
                min_new_tokens=n,
                do_sample=False,
                output_attentions=True,
                return_dict_in_generate=True,
                pad_token_id=loaded.tokenizer.eos_token_id or 0,
            )
            elapsed = clock() - started
        assert len(out.attentions) == n
        return elapsed

    engine(), generate()  # warm-up
    values, bases, ratios = interleaved(engine, generate, size.repeats)
    return ratio_figure(
        "vs-generate",
        f"{models.TITLES[key]}: {prompt_length} + {n} tokens",
        values,
        bases,
        ratios,
        "model.generate(output_attentions=True, return_dict_in_generate=True)",
        target=1.1,
        note="both greedy; attnlab keeps every row in its store",
    )


def versus_rerun(size: Size, skip_long: bool = False) -> list[Figure]:
    """Item 3: one step against re-running the whole sequence with output_attentions. Target ≥ 10× at 1,024."""
    figures = []
    longest = max(size.rerun_lengths)
    for key in size.models:
        loaded = models.load(key)
        for length in size.rerun_lengths:
            if skip_long and key == "smollm2" and length >= 1024:
                continue
            repeats = min(size.repeats, 3) if length >= 1024 else size.repeats  # a re-run takes seconds here
            figures.append(_versus_rerun(key, loaded, length, repeats, size.steps_per_repeat, length == longest))
    return figures


def _versus_rerun(
    key: str, loaded: models.LoadedModel, length: int, repeats: int, steps_per_repeat: int, longest: bool
) -> Figure:
    engine = EngineSteps(loaded, length, repeats * steps_per_repeat + 4)
    ids = models.prompt_ids(loaded, length)

    def rerun() -> float:
        with implementation(loaded.model, "eager"), torch.inference_mode():
            started = clock()
            out = loaded.model(input_ids=ids, output_attentions=True, use_cache=False, logits_to_keep=1)
            elapsed = clock() - started
        assert out.attentions[0].shape[-1] == length
        return elapsed

    values, bases, ratios = interleaved(partial(engine.time, steps_per_repeat), rerun, repeats)
    return ratio_figure(
        "vs-rerun",
        f"{models.TITLES[key]} @ {length} tokens",
        values,
        bases,
        [1 / r for r in ratios],
        "full forward of the sequence, eager, output_attentions",
        higher_is_better=True,
        target=10 if longest else None,
        note="ratio = speed-up (re-run time / step time)",
    )


def copy_bandwidth(array_bytes: int) -> float:
    """Bytes per second of one large numpy copy (read + write counted), STREAM-copy style."""
    src = np.ones(array_bytes // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # touch the pages first
    started = clock()
    np.copyto(dst, src)
    return 2 * src.nbytes / (clock() - started)


def versus_bandwidth(size: Size) -> list[Figure]:
    """Item 4: step time over (weight bytes per token ÷ copy bandwidth measured alongside)."""
    array_bytes = 512 * 2**20 if size.name == "full" else 32 * 2**20
    return [_versus_bandwidth(key, size, array_bytes) for key in size.models]


def _versus_bandwidth(key: str, size: Size, array_bytes: int) -> Figure:
    loaded = models.load(key)
    length = size.step_lengths[0]
    weights = models.weight_bytes(loaded.model)
    engine = EngineSteps(loaded, length, size.repeats * size.steps_per_repeat + 4)
    bandwidths = []

    def bound() -> float:
        bandwidths.append(copy_bandwidth(array_bytes))
        return weights / bandwidths[-1]

    values, bases, ratios = interleaved(partial(engine.time, size.steps_per_repeat), bound, size.repeats)
    return ratio_figure(
        "vs-bandwidth",
        f"{models.TITLES[key]} @ {length} tokens",
        values,
        bases,
        ratios,
        "weights read per token / copy bandwidth",
        note=f"{weights / 2**20:.0f} MiB of weights, {median(bandwidths) / 1e9:.1f} GB/s copy bandwidth",
    )


def memory(size: Size, skip_long: bool = False) -> list[Figure]:
    """Item 5: store bytes against the minimum (≤ 1.05×), and peak RSS for a long sequence (own process)."""
    key = "smollm2" if "smollm2" in size.models else size.models[0]
    if skip_long and key == "smollm2":
        return [
            Figure(
                "memory",
                f"{models.TITLES[key]} @ {size.memory_tokens} tokens",
                float("nan"),
                "MiB",
                note="skipped (--skip-long)",
            )
        ]
    steps = min(64, size.memory_tokens // 2)
    if size.name == "tiny":  # the smoke test: in this process (the peak is reset after loading anyway)
        from benchmarks import memory_probe

        probe = memory_probe.main(key, size.memory_tokens, steps)
    else:  # a fresh process, so nothing this run allocated before counts
        command = [sys.executable, "-m", "benchmarks.memory_probe", key, str(size.memory_tokens), str(steps)]
        done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), check=False)
        if done.returncode != 0:
            raise RuntimeError(f"memory probe failed: {done.stderr[-2000:]}")
        probe = json.loads(done.stdout.strip().splitlines()[-1])
    case = f"{models.TITLES[key]} @ {size.memory_tokens} tokens"
    mib = 2**20
    store_ratio = probe["store_allocated"] / probe["store_minimum"]
    expected = probe["rss_loaded"] + probe["store_minimum"]
    note = f"prompt {size.memory_tokens - steps} + {steps} steps, {probe['seconds']:.0f} s"
    return [
        Figure(
            "memory",
            f"store bytes, {case}",
            probe["store_allocated"] / mib,
            "MiB",
            baseline=probe["store_minimum"] / mib,
            baseline_name="float16 lower triangle",
            ratio=store_ratio,
            target="<= 1.05x",
            met=store_ratio <= 1.05,
        ),
        Figure(
            "memory",
            f"peak RSS, {case}",
            probe["peak_rss"] / mib,
            "MiB",
            baseline=expected / mib,
            baseline_name="RSS after loading + minimum store",
            ratio=probe["peak_rss"] / expected,
            note=note + (" (peak since load)" if probe["peak_reset"] else " (peak incl. loading)"),
        ),
    ]
