"""The "Explain the prediction" dock: the logit lens, head importance and the comparison to a pinned
reference run, with their View-menu toggle.

The lens follows the current input (masks, ablations, steps) while the dock is shown: a new text, model
or masks recompute it whole; a step asks only for the positions it added (the engine reads them from the
step's own forward) and an undo drops its last column. The importance map
is computed on request (a gradient estimate, then the exact map with progress and cancel) and marked out
of date when the input changes. Clicking a head in the map toggles its ablation in the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget

from attnlab.app.actions import ActionSpec
from attnlab.app.i18n import translate
from attnlab.app.reference_run import ReferenceRun, candidate_probabilities, pin, strip_probabilities
from attnlab.app.requests import LensSkipped
from attnlab.app.widgets.prediction_view import PredictionView
from attnlab.app.widgets.reference_view import MAX_TOKENS, ReferenceView
from attnlab.engine.api.results import HeadImportance, LensResult, StepResult

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

LENS_K = 5  # tokens per lens cell shown on hover
LENS_POSITIONS = 64  # generators: the lens of the last tokens only, so long texts stay quick
REFRESH_MS = 150  # after the views were redrawn: one lens request per burst of changes


class PredictionDock(QDockWidget):
    def __init__(self, window: MainWindow):
        super().__init__(self.tr("Explain the prediction"), window)
        self.setObjectName("predictionDock")
        self._main = window
        self.view = PredictionView()
        self.reference = ReferenceView()
        self.view.tabs.addTab(self.reference, self.tr("Compare to a reference"))
        self.setWidget(self.view)
        self._refresh = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._refresh.timeout.connect(self.request_lens)
        client = window.client
        client.prediction_explained.connect(self._on_explained)
        client.prediction_progressed.connect(self.view.show_progress)
        client.stepped.connect(self._on_stepped)
        for changed in (client.analysed, client.undone, client.run_finished):
            changed.connect(self._on_input_changed)
        client.errored.connect(self._on_errored)
        client.analysed.connect(lambda _result: self.view.clear_lens())  # new text or masks: the old lens is gone
        window.model_loaded.connect(lambda _info: self.view.clear_lens())
        self.view.importance_requested.connect(self.request_importance)
        self.view.cancel_requested.connect(client.stop)
        self.view.head_clicked.connect(lambda stack, layer, head: window.toggle_ablation(stack, layer, head))
        self.visibilityChanged.connect(self._on_visibility_changed)
        self._followed = False  # the engine's steps keep their rows for the lens (since the last lens it sent)
        self.pinned: ReferenceRun | None = None
        self.difference_action = QAction(self.tr("&Difference to the reference"), self)
        self.difference_action.setObjectName("referenceDifferenceAction")
        self.difference_action.setCheckable(True)
        self.difference_action.setEnabled(False)
        self.difference_action.setStatusTip(
            self.tr(
                "While a run is pinned: the heatmap and the head grid show the attention now minus the reference's "
                "(blue: less now, red: more now, white: unchanged)"
            )
        )
        self.difference_action.setToolTip(self.difference_action.statusTip())
        self.reference.add_action(self.difference_action)
        self.reference.pin_requested.connect(self._pin)
        window.model_loaded.connect(lambda _info: self.pin_current(False))  # another model: nothing to compare
        window.view_updated.connect(self._compare)

    def _compare(self) -> None:
        if self.isVisible() and self._main.document.long is not None and self.reference.reference is not None:
            self.reference.table.setRowCount(0)
            self.reference.note.setText(
                self.tr(
                    "A long document keeps only an overview of its attention: nothing exact to compare with the "
                    "reference; compare exports with `attnlab compare` instead."
                )
            )
        elif self.isVisible():
            self.reference.show_current(self._main.document.snapshot)
        self._show_reference_probabilities()

    def _show_reference_probabilities(self) -> None:
        """The tooltips of the generated tokens and of the candidates: probability now and in the reference."""
        window, reference = self._main, self.pinned
        strip = window.decoder_strip if window.document.kind == "encoder-decoder" else window.token_strip
        strip.set_reference_probabilities({} if reference is None else strip_probabilities(reference, window.document))
        window.candidates.set_reference_probabilities(
            None if reference is None else candidate_probabilities(reference, window.document)
        )

    def pin_current(self, on: bool = True) -> None:
        """Pin the current run as the reference (False: forget it), as the Pin button does."""
        if self.reference.pin_button.isChecked() == on:
            self._pin(on)
        else:
            self.reference.pin_button.setChecked(on)

    def _pin(self, on: bool) -> None:
        snapshot = self._main.document.snapshot
        if on and self._main.document.long is not None:
            self.reference.pin_button.setChecked(False)  # unpins (below), then says why
            self.reference.note.setText(
                self.tr(
                    "A long document keeps only an overview of its attention: nothing exact to pin; compare exports "
                    "with `attnlab compare` instead."
                )
            )
            return
        if on and snapshot is not None and max((snapshot.shape(s)[2] for s in snapshot.stacks), default=0) > MAX_TOKENS:
            self.reference.pin_button.setChecked(False)  # unpins (below), then says why
            self.reference.note.setText(
                self.tr(
                    "Longer than {0} tokens: too large to keep in memory; compare exports with `attnlab compare` "
                    "instead."
                ).format(MAX_TOKENS)
            )
            return
        self.pinned = pin(self._main.document) if on else None
        self.reference.set_reference(None if self.pinned is None else self.pinned.attention)
        self._main.attention.set_reference(None if self.pinned is None else self.pinned.attention)
        self._main.action_registry.set_state(reference_pinned=self.pinned is not None)
        if self.pinned is None:
            self.difference_action.setChecked(False)
        self._show_reference_probabilities()

    def _on_visibility_changed(self, shown: bool) -> None:
        if shown:
            self._refresh.start()
        else:  # nothing shows the lens: the steps stop keeping their rows for it
            self._followed = False
            self._main.client.forget_lens_rows()

    def _on_stepped(self, step: StepResult, _replaced: bool) -> None:
        self._keep_lens_before(step.position)  # a column there is of a token undone or replaced
        self._on_input_changed()

    def _keep_lens_before(self, end: int) -> None:
        """Only the columns of positions before `end` are still true (a causal decoder's earlier ones
        do not depend on what came after)."""
        lens = self.view.lens
        if lens is not None and lens.end > end:
            if end > lens.start:
                self.view.show_lens(lens.window(lens.start, end))
            else:
                self.view.clear_lens()

    def _on_input_changed(self, *_: object) -> None:
        """The input, masks or steps changed: the lens follows; an importance map no longer explains it."""
        view = self.view
        if view.cancel_button.isEnabled():  # its reply is about the old input: the client drops it
            view.set_computing(False)
        if view.importance is not None and "out of date" not in view.importance_note.text():
            view.importance_note.setText(
                view.importance_note.text() + self.tr(" Out of date: Compute again for the current input.")
            )
        self._refresh.start()

    def _ready(self) -> bool:
        """Shown, with an input whose prediction there is to explain (a bare encoder predicts nothing)."""
        document = self._main.document
        info = document.info
        predicts = info is not None and (info.kind != "encoder" or info.has_mlm_head)
        return self.isVisible() and predicts and document.analysis is not None

    def request_lens(self) -> None:
        """Sent after the step or analysis was shown; the engine gives it up for whatever the user asks next.
        Asks for the positions the lens shown lacks (a step's: one), or the whole lens when there is none."""
        if not self._ready() or self._main.client.running:
            return
        total = len(self._main.document.sequence())
        self._keep_lens_before(total)  # an undo: the undone position's column goes
        lens = self.view.lens if self._followed else None  # else: shown while the whole one is computed
        if lens is not None and lens.end == total:
            return  # up to date (an undo only dropped its last column)
        positions = LENS_POSITIONS if self._main.document.kind != "encoder" else None
        if positions is not None and lens is not None and lens.end < total:
            positions = min(total - lens.end, LENS_POSITIONS)
        self.view.set_lens_computing(True)
        self._main.client.explain_prediction("lens", LENS_K, positions)

    def _on_errored(self, _message: str) -> None:
        self.view.set_computing(False)
        self.view.set_lens_computing(False)

    def request_importance(self) -> None:
        if not self._ready():
            return
        self.view.set_computing(True)
        client = self._main.client
        client.explain_prediction("estimate")
        client.explain_prediction("exact")

    def _on_explained(self, result: object) -> None:
        if isinstance(result, LensResult):
            self._followed = True  # the engine keeps the next steps' rows from now on
            lens = self.view.lens
            if lens is not None and lens.start <= result.start <= lens.end:  # the positions steps added
                keep = LENS_POSITIONS if self._main.document.kind != "encoder" else None
                result = lens.extended(result, keep)
            self.view.show_lens(result)
        elif isinstance(result, LensSkipped):  # the user moved on: asked again once that is done
            self._refresh.start()
        elif isinstance(result, HeadImportance) or result is None:
            self.view.show_importance(result, self._main.document.masks.ablated_heads)


def install_prediction_dock(window: MainWindow) -> PredictionDock:
    """Add the dock (hidden) and its View-menu toggle (Ctrl+L) to the window."""
    dock = PredictionDock(window)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    dock.hide()
    registry = window.action_registry
    toggle = ActionSpec(  # the dock's own toggle: Qt keeps it checked while the dock shows
        "predictionViewAction",
        translate("prediction_dock", "&Explain the prediction"),
        "viewMenu",
        lambda _shown: None,
        translate("prediction_dock", "Show the logit lens and which heads the prediction depends on"),
        "Ctrl+L",
        checkable=True,
    )
    registry.add(toggle, dock.toggleViewAction())
    difference = dock.difference_action
    spec = ActionSpec(
        "referenceDifferenceAction",
        difference.text(),
        "viewMenu",
        window.attention.set_difference,
        difference.statusTip(),
        enabled_when=lambda state: state.reference_pinned,
        checkable=True,
    )
    registry.add(spec, difference)
    return dock
