"""The engine never imports Qt; the modules the GUI reads never import torch."""

import subprocess
import sys

import pytest


def _loaded_after(imports: str) -> set[str]:
    code = f"import sys; {imports}; print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return set(out.stdout.split())


def test_engine_never_imports_qt():
    modules = _loaded_after(
        "import importlib, pkgutil, attnlab.engine as engine; "
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(engine.__path__, 'attnlab.engine.') "
        "if not m.name.endswith('__main__')]"
    )
    assert "torch" in modules  # the check is live
    assert not modules & {"PySide6", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6"}


# import-linter checks these statically (pyproject.toml); here they are imported for real.
E = "attnlab.engine."
NUMPY_ONLY = [
    E + m
    for m in (
        "api.results",
        "api.attention_store",
        "api.pooling",
        "analyses",
        "analyses.fingerprints",
        "analyses.attention_rollout",
        "analyses.probes",
        "cli.export_analyses",
    )
]
STDLIB_ONLY = [E + m for m in ("api.config", "api.errors", "api.memory_budget", "models.model_kind", "api.user_dirs")]


@pytest.mark.parametrize("module", NUMPY_ONLY + STDLIB_ONLY)
def test_what_crosses_the_seam_needs_no_torch(module):
    modules = _loaded_after(f"import {module}")
    assert "numpy" in modules or module in STDLIB_ONLY
    assert "torch" not in modules and "transformers" not in modules
