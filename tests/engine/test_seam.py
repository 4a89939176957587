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
        "import importlib, pkgutil, engine; "
        "[importlib.import_module(f'engine.{m.name}') for m in pkgutil.iter_modules(engine.__path__)]"
    )
    assert "torch" in modules  # the check is live
    assert not modules & {"PySide6", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6"}


NUMPY_ONLY = [
    "engine.results", "engine.attention_store", "engine.pooling", "engine.analyses", "engine.analyses.fingerprints",
    "engine.analyses.attention_rollout", "engine.analyses.probes", "engine.export_analyses",
]
STDLIB_ONLY = ["engine.config", "engine.errors", "engine.memory_budget", "engine.model_kind", "engine.user_dirs"]


@pytest.mark.parametrize("module", NUMPY_ONLY + STDLIB_ONLY)
def test_what_crosses_the_seam_needs_no_torch(module):
    modules = _loaded_after(f"import {module}")
    assert "numpy" in modules or module in STDLIB_ONLY
    assert "torch" not in modules and "transformers" not in modules
