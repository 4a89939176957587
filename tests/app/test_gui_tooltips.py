"""Every control of the window says what it does (issue 10): a walk over all buttons, check boxes,
combo boxes, spin boxes and text fields, shown or not, with each kind of model loaded."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QTabBar, QWidget

CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QLineEdit, QPlainTextEdit)


def _qt_internal(widget: QWidget) -> bool:
    """Parts Qt builds inside other controls (a spin box's line edit, a clear button, the menu bar's »,
    the scroll arrows of tabbed docks)."""
    parent = widget.parent()
    return widget.objectName().startswith("qt_") or isinstance(
        parent, QLineEdit | QAbstractSpinBox | QComboBox | QTabBar
    )


@pytest.mark.parametrize("model", ["gpt2", "bert", "bart"])
def test_every_control_has_a_tooltip(open_window, tiny_folders, wait_idle, model):
    window = open_window(tiny_folders[model], text="the cat sat", source="the cat sat")
    window.sampling.greedy.setChecked(False)  # the sampling rows show
    wait_idle(window)
    controls = [w for kind in CONTROLS for w in window.findChildren(kind) if not _qt_internal(w)]
    assert len(controls) > 20  # the walk found the window's controls
    missing = [
        f"{type(w).__name__} {w.objectName() or getattr(w, 'text', lambda: '')()!r} in {type(w.parent()).__name__}"
        for w in controls
        if not w.toolTip().strip()
    ]
    assert not missing, "controls without a tooltip:\n" + "\n".join(missing)
