"""`attnlab compare A.npz B.npz --out diff.npz`: what changed between two exports.

For every `{stack}_attentions` array present in both files with the same shape, writes the signed
difference A − B under the same name and `{stack}_js_divergence` float32 [layer, head] (bits, the
mean over query rows; `engine.analyses.js_divergence`). Arrays whose shapes differ (different
tokens) are skipped and named in the output line. Scripts rely on the array names; keep them stable.
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

import numpy as np

from attnlab.engine.analyses import js_divergence
from attnlab.engine.api.errors import EngineError
from attnlab.engine.cli.export import write_npz
from attnlab.engine.cli.run_flags import Parser, run_command

SUFFIX = "_attentions"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="attnlab compare", description="Write the attention differences of two exported runs.")
    parser.add_argument("a", metavar="A.npz", help="an `attnlab export` file")
    parser.add_argument("b", metavar="B.npz", help="another one, the reference")
    parser.add_argument("--out", required=True, help="the .npz file to write (A − B)")
    return parser


def _attentions(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise EngineError("compare_file_missing", path=str(path))
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files if name.endswith(SUFFIX)}
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise EngineError("compare_not_npz", path=str(path), error=str(exc)) from None


def difference(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], list[str]]:
    """(arrays to write, what was skipped and why) for two files' attention arrays."""
    arrays: dict[str, np.ndarray] = {}
    skipped = []
    for name in sorted(a.keys() & b.keys()):
        if a[name].shape != b[name].shape:
            skipped.append(f"{name} ({'x'.join(map(str, a[name].shape))} vs {'x'.join(map(str, b[name].shape))})")
            continue
        arrays[name] = (a[name] - b[name]).astype(np.float32)
        arrays[name.removesuffix(SUFFIX) + "_js_divergence"] = js_divergence(a[name], b[name])
    return arrays, skipped


def compare(args) -> str:
    out = Path(args.out)
    if out.suffix != ".npz":
        raise EngineError("out_not_npz", path=str(out))
    if not out.parent.exists():
        raise EngineError("folder_missing", folder=str(out.parent))
    arrays, skipped = difference(_attentions(Path(args.a)), _attentions(Path(args.b)))
    if not arrays:
        reason = f": shapes differ for {', '.join(skipped)}" if skipped else ""
        raise EngineError("nothing_to_compare", reason=reason)
    write_npz(out, arrays)
    note = f"; skipped {', '.join(skipped)} (different tokens)" if skipped else ""
    return f"wrote {out}: {', '.join(arrays)}{note}"


def main(argv: list[str] | None = None) -> int:
    return run_command("attnlab compare", lambda: compare(build_parser().parse_args(argv)))
