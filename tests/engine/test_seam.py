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
        "import engine.loading, engine.session, engine.export, engine.catalog, engine.capture, engine.gguf_convert"
    )
    assert "torch" in modules  # the check is live
    assert not modules & {"PySide6", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6"}


@pytest.mark.parametrize("module", ["engine.results", "engine.config", "engine.attention_store", "engine.errors"])
def test_what_crosses_the_seam_needs_no_torch(module):
    modules = _loaded_after(f"import {module}")
    assert "numpy" in modules or module in ("engine.config", "engine.errors")
    assert "torch" not in modules and "transformers" not in modules
