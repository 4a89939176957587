"""What every benchmark shares: sizes, figures, timing against a baseline measured in the same run.

These machines are shared and noisy, so a figure is never an absolute time on its own: each one
is a ratio against a baseline timed in the same run, interleaved with it (A, B, A, B, ...), and
the ratio reported is the median of the per-repeat ratios.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Size:
    """How big a run is. "full" is what `make bench` reports; "tiny" is the smoke test's."""

    name: str  # "full" | "tiny"
    repeats: int  # timed repeats per figure (medians over these)
    models: tuple[str, ...]  # model keys, see benchmarks.models.MODELS
    step_lengths: tuple[int, ...]  # context lengths for step overhead (issue: 64 and 512)
    rerun_lengths: tuple[int, ...]  # lengths for the re-run-everything comparison (256 and 1024)
    generate_tokens: int  # N for the model.generate comparison
    memory_tokens: int  # sequence length for the memory figure (issue: 2,048 on SmolLM2)
    gui_lengths: tuple[int, ...]  # heatmap repaint lengths (128, 512, 2,048)
    gui_shape: tuple[int, int]  # (layers, heads) of the synthetic attention shown by the GUI figures
    run_steps: int  # steps in the event-loop stall run (100)
    steps_per_repeat: int = 4  # decode steps timed per repeat (their median is the repeat's time)
    analysis_shape: tuple[int, int, int] = (30, 9, 512)  # (layers, heads, tokens) for the analyses figure (SmolLM2)
    click_lengths: tuple[int, ...] = (20, 500)  # prompt lengths for click -> heatmap redrawn (issue 10)
    long_lengths: tuple[int, ...] = (4096, 8192)  # long-document mode lengths (issue 14)
    soak_steps: int = 1000  # Step clicks in the soak (issue 10), on the tiny GPT
    soak_cycle: int = 100  # tokens per soak cycle: the text is analysed afresh before each
    soak_repaints: int = 5000  # heatmap repaints while switching layers and heads (issue 10)


FULL = Size(
    name="full",
    repeats=5,
    models=("smollm2", "tiny-gpt"),
    step_lengths=(64, 512),
    rerun_lengths=(256, 1024),
    generate_tokens=64,
    memory_tokens=2048,
    gui_lengths=(128, 512, 2048),
    gui_shape=(30, 9),  # SmolLM2-135M
    run_steps=100,
)
TINY = Size(
    name="tiny",
    repeats=1,
    models=("tiny",),
    step_lengths=(8,),
    rerun_lengths=(16,),
    generate_tokens=4,
    memory_tokens=32,
    gui_lengths=(16,),
    gui_shape=(2, 4),
    run_steps=5,
    steps_per_repeat=2,
    analysis_shape=(2, 4, 16),
    click_lengths=(16,),
    long_lengths=(64,),
    soak_steps=12,
    soak_cycle=4,
    soak_repaints=20,
)
SIZES = {"full": FULL, "tiny": TINY}


@dataclass
class Figure:
    """One line of the table: what attnlab took, what the baseline took, and their ratio."""

    benchmark: str  # e.g. "step-overhead"
    case: str  # e.g. "smollm2 @ 512 tokens"
    value: float  # attnlab's figure (median), in `unit`
    unit: str  # "ms", "MiB", "x", ...
    baseline: float | None = None  # the same quantity for the baseline, same run (median)
    baseline_name: str = ""  # what the baseline is
    ratio: float | None = None  # median of per-repeat value/baseline ratios (or as documented)
    target: str = ""  # e.g. "<= 1.25", "< 16 ms"
    met: bool | None = None  # None: no target
    note: str = ""
    samples: list[float] = field(default_factory=list)  # per-repeat values, for the JSON

    def as_dict(self) -> dict:
        return asdict(self)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def clock() -> float:
    return time.perf_counter()


def interleaved(
    measure: Callable[[], float], baseline: Callable[[], float], repeats: int
) -> tuple[list[float], list[float], list[float]]:
    """Alternate the two measurements `repeats` times (each returns seconds).

    Returns (values, baseline values, per-repeat ratios). The order flips every repeat so that
    neither side always runs right after the other's caches are warm.
    """
    values, bases, ratios = [], [], []
    for r in range(repeats):
        gc.collect()
        if r % 2 == 0:
            v, b = measure(), baseline()
        else:
            b, v = baseline(), measure()
        values.append(v)
        bases.append(b)
        ratios.append(v / b if b > 0 else float("inf"))
    return values, bases, ratios


def ratio_figure(
    benchmark: str,
    case: str,
    values: list[float],
    bases: list[float],
    ratios: list[float],
    baseline_name: str,
    target: float | None = None,
    higher_is_better: bool = False,
    unit: str = "ms",
    scale: float = 1000.0,
    note: str = "",
) -> Figure:
    """A figure from interleaved seconds; `target` bounds the ratio (≤, or ≥ when higher is better)."""
    ratio = median(ratios)
    met = None
    text = ""
    if target is not None:
        met = ratio >= target if higher_is_better else ratio <= target
        text = f"{'>=' if higher_is_better else '<='} {target:g}x"
    return Figure(
        benchmark=benchmark,
        case=case,
        value=median(values) * scale,
        unit=unit,
        baseline=median(bases) * scale,
        baseline_name=baseline_name,
        ratio=ratio,
        target=text,
        met=met,
        note=note,
        samples=[v * scale for v in values],
    )
