"""Every benchmark runs once at the tiny size, so none of them can rot. No timing is asserted.

One subprocess runs them all (`python -m benchmarks --quick`): the GUI figures patch pyqtgraph
and redirect QSettings, which must not leak into the other tests.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_benchmark_runs_at_tiny_size(tmp_path: Path) -> None:
    from benchmarks.__main__ import registry

    out = tmp_path / "results.json"
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    ran = {figure["benchmark"] for figure in report["figures"]}
    assert ran == set(registry()), f"benchmarks without a figure: {set(registry()) - ran}"
    for figure in report["figures"]:
        assert figure["value"] == figure["value"], f"{figure['benchmark']} / {figure['case']} gave NaN"
        assert figure["value"] >= 0
    assert "step-overhead" in done.stdout  # the table was printed
