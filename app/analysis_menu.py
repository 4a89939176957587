"""The View menu's analysis entries: attention rollout in the large heatmap, the induction probe."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

from attnlab.app.actions import ActionSpec
from attnlab.app.i18n import translate

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

ROLLOUT_SHORTCUT = "Ctrl+Shift+R"


def add_analysis_actions(window: MainWindow) -> dict[str, QAction]:
    """Add "Attention Rollout" (checkable) and "Run the Induction Probe" to the View menu."""
    attention, registry = window.attention, window.action_registry
    tip = translate(
        "analysis_menu",
        "Show in the large heatmap how much each token draws on each earlier one "
        "through all layers up to the picked one (attention rollout: the mean of heads plus the "
        "residual stream, multiplied layer by layer)",
    )
    rollout = registry.add(
        ActionSpec(
            "rolloutAction",
            translate("analysis_menu", "Attention &Rollout"),
            "viewMenu",
            attention.set_rollout,
            tip,
            ROLLOUT_SHORTCUT,
            checkable=True,
        )
    )
    button = attention.scores_bar.probe_button
    probe = registry.add(
        ActionSpec(
            "inductionProbeAction",
            translate("analysis_menu", "Run the &Induction Probe"),
            "viewMenu",
            button.click,
            button.toolTip(),
            enabled_when=lambda state: state.probe_ready,
        )
    )
    registry.set_state(probe_ready=button.isEnabled())
    scores_bar = attention.scores_bar  # decoder-only models, one probe at a time
    scores_bar.probe_enabled.connect(lambda ready: registry.set_state(probe_ready=ready))
    return {"rollout": rollout, "probe": probe}
