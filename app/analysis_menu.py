"""The View menu's analysis entries: attention rollout in the large heatmap, the induction probe."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

from attnlab.app.i18n import translate

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

ROLLOUT_SHORTCUT = "Ctrl+Shift+R"


def add_analysis_actions(window: MainWindow) -> dict[str, QAction]:
    """Add "Attention Rollout" (checkable) and "Run the Induction Probe" to the View menu."""
    menu = window.menus["viewMenu"]
    attention = window.attention
    rollout = QAction(translate("analysis_menu", "Attention &Rollout"), window)
    rollout.setObjectName("rolloutAction")
    rollout.setCheckable(True)
    rollout.setShortcut(QKeySequence(ROLLOUT_SHORTCUT))
    tip = translate(
        "analysis_menu",
        "Show in the large heatmap how much each token draws on each earlier one "
        "through all layers up to the picked one (attention rollout: the mean of heads plus the "
        "residual stream, multiplied layer by layer)",
    )
    rollout.setStatusTip(tip)
    rollout.setToolTip(tip)
    rollout.toggled.connect(attention.set_rollout)
    probe = QAction(translate("analysis_menu", "Run the &Induction Probe"), window)
    probe.setObjectName("inductionProbeAction")
    probe.setStatusTip(attention.scores_bar.probe_button.toolTip())
    probe.triggered.connect(attention.scores_bar.probe_button.click)
    probe.setEnabled(attention.scores_bar.probe_button.isEnabled())
    attention.scores_bar.probe_enabled.connect(probe.setEnabled)  # decoder-only models, one probe at a time
    menu.addAction(rollout)
    menu.addAction(probe)
    return {"rollout": rollout, "probe": probe}
