"""python -m benchmarks: every figure of issue 5 as a table, and a JSON file.

python -m benchmarks                 full size (SmolLM2-135M and a tiny GPT; several minutes)
python -m benchmarks --quick         the smoke-test size (= --size tiny)
python -m benchmarks --only step-overhead --only vs-rerun --repeats 7
python -m benchmarks --skip-long     leave out the 1,024- and 2,048-token SmolLM2 runs (and the long documents)
python -m benchmarks --only long     SmolLM2 at 4,096 and 8,192 tokens in long-document mode (many minutes on a CPU)
python -m benchmarks --only long-knockout   knock-outs at the middle and end of 4,096 SmolLM2 tokens vs the first read
python -m benchmarks --only train    training tiny models: the induction plateau, NSP accuracy, throughput (~10 min)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from benchmarks.common import SIZES, Figure, Size

Benchmark = Callable[[Size, bool], list[Figure]]


def registry() -> dict[str, Benchmark]:
    """Name -> benchmark, in the order the table shows them (imports are lazy: --only stays quick)."""

    def engine(name: str, long: bool = False) -> Benchmark:
        def run(size: Size, skip_long: bool) -> list[Figure]:
            from benchmarks import engine_bench

            fn = getattr(engine_bench, name)
            return fn(size, skip_long) if long else fn(size)

        return run

    def gui(name: str) -> Benchmark:
        def run(size: Size, skip_long: bool) -> list[Figure]:
            from benchmarks import gui_bench

            return getattr(gui_bench, name)(size)

        return run

    def long_documents(size: Size, skip_long: bool) -> list[Figure]:
        from benchmarks import long_bench

        if skip_long and size.name == "full":
            return [Figure("long", "SmolLM2 @ 4,096 and 8,192 tokens", float("nan"), "s", note="skipped (--skip-long)")]
        return long_bench.long_documents(size)

    def long_knockout(size: Size, skip_long: bool) -> list[Figure]:
        from benchmarks import long_knockout_bench

        if skip_long and size.name == "full":
            return [Figure("long-knockout", "SmolLM2 @ 4,096 tokens", float("nan"), "s", note="skipped (--skip-long)")]
        return long_knockout_bench.knockout_rereads(size)

    def strip(size: Size, skip_long: bool) -> list[Figure]:
        from benchmarks import strip_bench

        return strip_bench.token_strip(size)

    def long_views(size: Size, skip_long: bool) -> list[Figure]:
        from benchmarks import long_view_bench

        return long_view_bench.long_views(size)

    def analyses(size: Size, skip_long: bool) -> list[Figure]:
        from benchmarks import analyses_bench

        return analyses_bench.fingerprints_and_rollout(size)

    def importance(size: Size, skip_long: bool) -> list[Figure]:
        from benchmarks import analyses_bench

        return analyses_bench.importance_map(size)

    def flow(size: Size, skip_long: bool) -> list[Figure]:
        from benchmarks import flow_bench

        return flow_bench.flow_graph_after_step(size)

    def training(size: Size, skip_long: bool) -> list[Figure]:
        from benchmarks import train_bench

        return train_bench.training(size)

    def boundary(size: Size, skip_long: bool) -> list[Figure]:
        from benchmarks import boundary_bench

        return boundary_bench.boundary(size)

    def cause(name: str) -> Benchmark:
        def run(size: Size, skip_long: bool) -> list[Figure]:
            from benchmarks import cause_bench

            return getattr(cause_bench, name)(size)

        return run

    def dock_step(size: Size, skip_long: bool) -> list[Figure]:
        from benchmarks import dock_step_bench

        return dock_step_bench.step_with_dock(size)

    return {
        "step-overhead": engine("step_overhead"),
        "vs-generate": engine("versus_generate"),
        "vs-rerun": engine("versus_rerun", long=True),
        "vs-bandwidth": engine("versus_bandwidth"),
        "memory": engine("memory", long=True),
        "long": long_documents,
        "long-knockout": long_knockout,
        "analyses": analyses,
        "importance": importance,
        "flow": flow,
        "patching": cause("patching_maps"),
        "attribution": cause("integrated_gradient_steps"),
        "gui-heatmap": gui("heatmap_repaint"),
        "gui-grid": gui("grid_redraw"),
        "gui-stall": gui("event_loop_stall"),
        "gui-click": gui("click_to_redrawn"),
        "gui-strip": strip,
        "gui-long": long_views,
        "startup": gui("startup"),
        "boundary": boundary,
        "gui-soak": gui("soak"),
        "train": training,
        "dock-step": dock_step,
    }


def _number(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:  # None or NaN
        return "-"
    if abs(value) < 1 and digits < 3:
        digits = 3
    return f"{value:,.{digits}f}"


def table(figures: list[Figure]) -> str:
    rows = [("benchmark", "case", "attnlab", "baseline", "ratio", "target", "met")]
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "NO")
        baseline = f"{_number(f.baseline)} {f.unit}" if f.baseline is not None else "-"
        ratio = f"{_number(f.ratio, 2)}x" if f.ratio is not None else "-"
        rows.append((f.benchmark, f.case, f"{_number(f.value)} {f.unit}", baseline, ratio, f.target, met))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    baselines = sorted({(f.benchmark, f.baseline_name) for f in figures if f.baseline_name})
    notes = [f"  {f.benchmark} / {f.case}: {f.note}" for f in figures if f.note]
    return "\n".join(
        lines
        + ["", "baselines:"]
        + [f"  {b}: {name}" for b, name in baselines]
        + (["", "notes:"] + notes if notes else [])
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--quick", action="store_true", help="the smoke-test size (same as --size tiny)")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this benchmark (repeatable)")
    parser.add_argument("--repeats", type=int, help="timed repeats per figure (medians over these)")
    parser.add_argument(
        "--skip-long", action="store_true", help="skip the 1,024/2,048-token SmolLM2 runs (slow on a CPU)"
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results.json", help="JSON file to write")
    parser.add_argument("--list", action="store_true", help="list the benchmark names and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    benchmarks = registry()
    if args.list:
        print("\n".join(benchmarks))
        return 0
    unknown = [name for name in args.only or [] if name not in benchmarks]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}: use one of {', '.join(benchmarks)}", file=sys.stderr)
        return 2
    size = SIZES["tiny" if args.quick else args.size]
    if args.repeats is not None:
        if args.repeats < 1:
            print("--repeats must be ≥ 1", file=sys.stderr)
            return 2
        size = dataclasses.replace(size, repeats=args.repeats)
    names = args.only or list(benchmarks)
    figures: list[Figure] = []
    ran: dict[str, float] = {}
    for name in names:
        print(f"running {name} ({size.name}) ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        figures.extend(benchmarks[name](size, args.skip_long))
        ran[name] = time.perf_counter() - started
    print(table(figures))
    report = {
        "command": " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])]),
        "size": dataclasses.asdict(size),
        "skip_long": args.skip_long,
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()},
        "seconds": ran,
        "figures": [f.as_dict() for f in figures],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"\nwrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
