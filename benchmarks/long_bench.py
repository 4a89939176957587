"""Long documents (issue 14): SmolLM2 at 4,096 and 8,192 tokens in long-document mode, each in a fresh process.

Per length: the prefill against a bare SDPA forward of the same text (same process, one run each: a
prefill takes minutes here), peak RSS after loading, and the latency of an overview of one head, of
every layer × head's overview (the all-heads grid's data), and of an exact 512 × 512 window recomputed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from benchmarks import models
from benchmarks.common import Figure, Size

PEAK_RSS_TARGET_MIB = 3 * 1024
LATENCY_TARGET_MS = 100.0


def long_documents(size: Size) -> list[Figure]:
    key = "smollm2" if "smollm2" in size.models else size.models[0]
    figures = []
    for tokens in size.long_lengths:
        if size.name == "tiny":  # the smoke test: in this process
            from benchmarks import long_probe

            probe = long_probe.main(key, tokens)
        else:  # a fresh process, so nothing this run allocated before counts
            command = [sys.executable, "-m", "benchmarks.long_probe", key, str(tokens)]
            done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), check=False)
            if done.returncode != 0:
                raise RuntimeError(f"long-document probe failed: {done.stderr[-2000:]}")
            probe = json.loads(done.stdout.strip().splitlines()[-1])
        figures.extend(_figures(key, probe))
    return figures


def _figures(key: str, probe: dict) -> list[Figure]:
    case = f"{models.TITLES[key]} @ {probe['tokens']:,} tokens"
    mib = 2**20
    ratio = probe["prefill"] / probe["bare"]
    cells = probe["overview_cells"]
    note = f"{probe['device']}, {probe['threads']} torch thread(s); overview {cells} x {cells} cells per head"
    if probe.get("bare_cpu"):  # CPU seconds do not count waiting for cores that other processes hold
        cpu_ratio = probe["prefill_cpu"] / probe["bare_cpu"]
        note += f"; process CPU time {probe['prefill_cpu']:.1f} s vs {probe['bare_cpu']:.1f} s = {cpu_ratio:.2f}x"
    return [
        Figure(
            "long",
            f"prefill, {case}",
            probe["prefill"],
            "s",
            baseline=probe["bare"],
            baseline_name="bare forward of the same text: SDPA, no cache, no attentions",
            ratio=ratio,
            target="<= 2x",
            met=ratio <= 2,
            note=note,
        ),
        Figure(
            "long",
            f"peak RSS, {case}",
            probe["peak_rss"] / mib,
            "MiB",
            baseline=probe["rss_loaded"] / mib,
            baseline_name="RSS after loading the model",
            target=f"<= {PEAK_RSS_TARGET_MIB} MiB",
            met=probe["peak_rss"] / mib <= PEAK_RSS_TARGET_MIB,
            note="peak since load" if probe["peak_reset"] else "peak incl. loading",
        ),
        Figure(
            "long",
            f"overview of one head, {case}",
            probe["overview"] * 1000,
            "ms",
            target=f"< {LATENCY_TARGET_MS:g} ms",
            met=probe["overview"] * 1000 < LATENCY_TARGET_MS,
        ),
        Figure(
            "long",
            f"every layer x head as 64 x 64 thumbnails, {case}",
            probe["grid"] * 1000,
            "ms",
            target=f"< {LATENCY_TARGET_MS:g} ms",
            met=probe["grid"] * 1000 < LATENCY_TARGET_MS,
        ),
        Figure(
            "long",
            f"exact {probe['zoom_side']} x {probe['zoom_side']} window, {case}",
            probe["zoom"] * 1000,
            "ms",
            target=f"< {LATENCY_TARGET_MS:g} ms",
            met=probe["zoom"] * 1000 < LATENCY_TARGET_MS,
            note="recomputed from the kept queries and the cached keys",
        ),
    ]
