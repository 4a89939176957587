"""The seam: the GUI never imports torch or transformers; only the engine worker touches sessions."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
HEAVY = ("torch", "transformers")
ENGINE_INTERNALS = tuple(f"attnlab.engine.{room}." for room in ("models", "session", "capture", "long", "interpret"))

SCRIPT = """
import os, pkgutil, importlib, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import attnlab.app as app
from PySide6.QtWidgets import QApplication
qapp = QApplication([])
for module in pkgutil.walk_packages(app.__path__, "attnlab.app."):  # app.plots.*, app.widgets.* too
    importlib.import_module(module.name)
from attnlab.app.main_window import MainWindow
window = MainWindow()
window.show()
window.client.list_catalog()  # the worker lists models without loading one
while window.client.busy:
    qapp.processEvents()
window.close()
print(" ".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


def _imports(tree: ast.AST) -> list[tuple[str, bool]]:
    """(module, at module level) for every import in a module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        else:
            continue
        top = node in getattr(tree, "body", [])
        found += [(name, top) for name in names]
    return found


def test_gui_runs_without_torch(tmp_path):
    env = {"ATTNLAB_CONFIG": str(tmp_path), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, cwd=APP.parent, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]
    modules = set(out.stdout.split())
    assert "PySide6" in modules and "pyqtgraph" in modules  # the check is live
    assert not modules & set(HEAVY), modules & set(HEAVY)


def test_only_the_worker_imports_engine_sessions_and_only_lazily():
    for path in sorted(APP.rglob("*.py")):
        name = path.relative_to(APP).as_posix()
        for module, top in _imports(ast.parse(path.read_text(), str(path))):
            root = module.split(".")[0]
            assert root not in HEAVY, f"{name} imports {module}"
            if module.startswith(ENGINE_INTERNALS):
                assert name == "engine_worker.py", f"{name} imports {module}: only the worker may"
                assert not top, f"engine_worker.py imports {module} at module level: import it in the slot"


def test_plain_widgets_and_plots_stay_apart():
    """app/widgets/ are plain Qt controls (no pyqtgraph); app/plots/ are views that know no controls."""
    for package, banned in (("widgets", ("pyqtgraph", "attnlab.app.plots")), ("plots", ("attnlab.app.widgets",))):
        for path in sorted((APP / package).rglob("*.py")):
            for module, _ in _imports(ast.parse(path.read_text(), str(path))):
                assert not module.startswith(banned), f"{package}/{path.name} imports {module}"
