"""One long document in a fresh process, printed as JSON (see long_bench): the long-mode prefill against a
bare SDPA forward of the same text, peak RSS, and the latency of an overview and of an exact zoom.

python -m benchmarks.long_probe MODEL TOKENS
"""

from __future__ import annotations

import json
import sys
import time

import torch

from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.session.sessions import GenerationSession
from benchmarks import models
from benchmarks.common import clock, median
from benchmarks.engine_bench import implementation
from benchmarks.memory_probe import _reset_peak, _status

ZOOM = 512  # the exact window's side, in tokens
THUMBNAIL = 64  # the all-heads grid's pixels per head side


def _bare_forward(loaded: models.LoadedModel, tokens: int) -> tuple[float, float]:
    """Seconds (wall, process CPU) of one plain forward of the prompt: SDPA, no cache, no attention output,
    last logits only."""
    ids = models.prompt_ids(loaded, tokens).to(loaded.device)
    with implementation(loaded.model, "sdpa"), torch.inference_mode():
        started, cpu = clock(), time.process_time()
        loaded.model(input_ids=ids, attention_mask=torch.ones_like(ids), use_cache=False, logits_to_keep=1)
        _sync(loaded)
        return clock() - started, time.process_time() - cpu


def _sync(loaded: models.LoadedModel) -> None:
    if str(loaded.device).startswith("cuda"):
        torch.cuda.synchronize()


def main(key: str, tokens: int) -> dict:
    loaded = models.load(key)
    session = GenerationSession(loaded)
    session.store_mode = "long"
    session.set_sampling(SamplingConfig(max_new_tokens=1))
    text = models.prompt(loaded, tokens)
    rss_loaded = _status("VmRSS")
    peak_reset = _reset_peak()
    started, cpu = clock(), time.process_time()
    session.prefill(text)
    _sync(loaded)
    prefill, prefill_cpu = clock() - started, time.process_time() - cpu
    peak_rss = _status("VmHWM")
    summary = session.long_attention
    assert summary is not None and summary.rows == tokens
    layers, heads = summary.shape()[:2]
    overview, grid, zoom = [], [], []
    side = min(ZOOM, tokens)
    thumbnail = summary.factor * -(-summary.pooled.shape[-1] // THUMBNAIL)  # tokens per thumbnail pixel
    for i in range(5):
        layer, head = (7 * i) % layers, (5 * i) % heads
        started = clock()
        summary.overview(layer, head)
        overview.append(clock() - started)
        started = clock()
        for every in range(layers):  # every layer × head at once: the all-heads grid's thumbnails
            summary.overview(every, None, thumbnail, thumbnail)
        grid.append(clock() - started)
        first = max(0, tokens - side * (i + 1))  # windows from the end (the widest rows) towards the start
        keys = first // 2
        started = clock()
        session.region(layer, head, range(first, first + side), range(keys, keys + side))
        zoom.append(clock() - started)
    bare, bare_cpu = _bare_forward(loaded, tokens)
    return {
        "tokens": tokens,
        "device": str(loaded.device),
        "rss_loaded": rss_loaded,
        "peak_rss": peak_rss,
        "peak_reset": peak_reset,
        "prefill": prefill,
        "bare": bare,
        "prefill_cpu": prefill_cpu,  # process CPU seconds: steadier than wall time when other work shares the cores
        "bare_cpu": bare_cpu,
        "overview": median(overview),
        "grid": median(grid),
        "zoom": median(zoom),
        "zoom_side": side,
        "overview_cells": summary.pooled.shape[-1],
        "store_bytes": summary.pooled.nbytes,
        "threads": torch.get_num_threads(),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
