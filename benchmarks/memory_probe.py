"""Run one long sequence in a fresh process and print its memory as JSON (see engine_bench.memory).

python -m benchmarks.memory_probe MODEL TOKENS STEPS: prefill TOKENS - STEPS tokens, then STEPS steps.
"""

from __future__ import annotations

import json
import sys
import time

from attnlab.engine.api.attention_store import stack_bytes
from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.session.sessions import GenerationSession
from benchmarks import models


def _status(field: str) -> int:
    """A /proc/self/status field in bytes (VmRSS, VmHWM)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak() -> bool:
    """Start VmHWM again from the current RSS (Linux ≥ 4.0); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def main(key: str, tokens: int, steps: int) -> dict:
    loaded = models.load(key)
    session = GenerationSession(loaded)
    session.set_sampling(SamplingConfig(max_new_tokens=steps))
    rss_loaded = _status("VmRSS")
    peak_reset = _reset_peak()
    started = time.perf_counter()
    session.prefill(models.prompt(loaded, tokens - steps))
    session.run(steps)
    seconds = time.perf_counter() - started
    minimum = 0
    snapshot = session.store.snapshot()
    for stack in loaded.info.stacks:
        layers, heads, rows, keys = snapshot.shape(stack.name)
        minimum += stack_bytes(layers, heads, rows, keys, stack.causal)
    assert snapshot.shape("decoder")[2] == tokens
    return {
        "rss_loaded": rss_loaded,
        "peak_rss": _status("VmHWM"),
        "peak_reset": peak_reset,
        "store_allocated": session.store.allocated_bytes,
        "store_minimum": minimum,
        "store_valid": snapshot.nbytes,
        "seconds": seconds,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
