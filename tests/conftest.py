"""Shared test set-up: headless Qt, no hub, caches in a temporary folder."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
