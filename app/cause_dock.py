"""View ▸ Cause and effect: input attribution and activation patching of the current prediction.

Attribution: a sortable list of the input tokens by gradient × input, integrated gradients (with its
completeness error and the steps it took), the rollout row and the last layer's mean attention of the
predicted position; the token strip can be coloured by one of them. Patching: the corrupted run is
another text of as many tokens or noise on chosen tokens (the strip's right-click ▸ Corrupt with…);
the four maps fill in as their rows arrive; a click on a cell shows that patched run's candidates.
Everything is computed on the engine thread (`ExplainCause`); a newer input makes the answer stale.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from attnlab.app.i18n import translate
from attnlab.app.requests import ExplainCause
from attnlab.app.token_text import display_text
from attnlab.app.widgets.token_strip import score_colour
from attnlab.engine.analyses import rollout
from attnlab.engine.api.config import Corruption
from attnlab.engine.api.results import Attribution, PatchedRun, PatchingResult

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

MAPS = ("residual", "attention", "mlp", "heads")
CANDIDATES = 10  # target choices offered: the current top candidates


def diverging(value: float, scale: float) -> QColor:
    """The strip's diverging colours (blue < 0 < red, saturated at ±scale); grey for NaN (not computed yet)."""
    return score_colour(value, scale) if math.isfinite(value) else QColor("#e0e0e0")


_W = TypeVar("_W", bound=QWidget)


def _named(widget: _W, name: str, **properties: object) -> _W:
    """`widget` with its objectName and Qt properties set (what Qt's keyword constructors do, typed)."""
    widget.setObjectName(name)
    for key, value in properties.items():
        widget.setProperty(key, value)
    return widget


class _Number(QTableWidgetItem):
    """A table item that sorts by its number, not its text."""

    def __init__(self, value: float, digits: int = 4):
        super().__init__("–" if not math.isfinite(value) else f"{value:.{digits}f}")
        self.value = value if math.isfinite(value) else -math.inf
        self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return self.value < getattr(other, "value", -math.inf)


class CauseDock(QDockWidget):
    def __init__(self, window: MainWindow):
        super().__init__(self.tr("Cause and effect"), window)
        self.setObjectName("causeDock")
        self._main = window
        self.attribution: Attribution | None = None
        self.patching: PatchingResult | None = None
        self._corruption: Corruption | None = None
        tabs = QTabWidget()
        tabs.addTab(self._attribution_tab(), self.tr("Attribution"))
        tabs.addTab(self._patching_tab(), self.tr("Patching"))
        self.tabs = tabs
        self.setWidget(tabs)
        client = window.client
        client.cause_explained.connect(self._on_explained)
        client.cause_progressed.connect(self._on_progress)
        client.errored.connect(lambda message: self._computing(False))
        for changed in (client.analysed, client.stepped, client.undone):
            changed.connect(self._on_input_changed)
        window.token_strip.corrupt_requested.connect(self.corrupt_position)

    # -- building ----------------------------------------------------------------------------
    def _attribution_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        self.target = _named(QComboBox(), "attributionTarget")
        self.target.setToolTip(self.tr("The token whose log-probability is explained (the current candidates)"))
        self.baseline = _named(QComboBox(), "attributionBaseline")
        self.baseline.addItem(self.tr("pad baseline"), "pad")
        self.baseline.addItem(self.tr("zero baseline"), "zero")
        self.baseline.setToolTip(
            self.tr("Integrated gradients start from this input: the pad token everywhere, or zero embeddings")
        )
        self.steps = _named(QSpinBox(), "attributionSteps", minimum=1, maximum=4096, value=512)
        self.steps.setPrefix(self.tr("at most "))
        self.steps.setSuffix(self.tr(" steps"))
        self.steps.setToolTip(
            self.tr("Integrated gradients start at 32 steps and double until the completeness error is below 5%")
        )
        self.compute_attribution = _named(QPushButton(self.tr("Compute")), "attributionCompute")
        self.compute_attribution.setToolTip(
            self.tr("Score every input token by gradient × input and integrated gradients for the target")
        )
        self.compute_attribution.clicked.connect(self.request_attribution)
        for widget in (QLabel(self.tr("Target:")), self.target, self.baseline, self.steps, self.compute_attribution):
            row.addWidget(widget)
        row.addStretch(1)
        layout.addLayout(row)
        self.attribution_note = _named(QLabel(), "attributionNote", wordWrap=True)
        layout.addWidget(self.attribution_note)
        self.attribution_table = _named(QTableWidget(0, 6), "attributionTable")
        self.attribution_table.setHorizontalHeaderLabels(
            [
                self.tr("#"),
                self.tr("token"),
                self.tr("grad × input"),
                self.tr("integrated gradients"),
                self.tr("rollout row"),
                self.tr("last layer mean"),
            ]
        )
        self.attribution_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.attribution_table.setSortingEnabled(True)
        layout.addWidget(self.attribution_table, 1)
        colour = QHBoxLayout()
        self.colour_strip = _named(QCheckBox(self.tr("Colour tokens by")), "attributionColour")
        self.colour_method = _named(QComboBox(), "attributionColourMethod")
        self.colour_method.addItem(self.tr("integrated gradients"), 3)
        self.colour_method.addItem(self.tr("grad × input"), 2)
        self.colour_strip.setToolTip(self.tr("Colour the token strip by this attribution (blue < 0 < red)"))
        self.colour_method.setToolTip(self.tr("Which score colours the tokens"))
        self.colour_strip.toggled.connect(self._colour_strip)
        self.colour_method.currentIndexChanged.connect(lambda _i: self._colour_strip())
        colour.addWidget(self.colour_strip)
        colour.addWidget(self.colour_method)
        colour.addStretch(1)
        layout.addLayout(colour)
        return page

    def _patching_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        self.corrupt_text = _named(QLineEdit(), "corruptText")
        self.corrupt_text.setPlaceholderText(self.tr("corrupted text (as many tokens)"))
        self.corrupt_text.setToolTip(self.tr("The corrupted run's input: another text of as many tokens"))
        self.corrupt_positions = _named(QLineEdit(), "corruptPositions")
        self.corrupt_positions.setPlaceholderText(self.tr("or positions to noise, e.g. 1,2"))
        self.corrupt_positions.setToolTip(
            self.tr(
                "Or the positions whose embeddings get noise in the corrupted run (right-click a token ▸ Corrupt with…)"
            )
        )
        self.noise = _named(QDoubleSpinBox(), "corruptNoise", minimum=0.1, maximum=20.0, value=3.0, singleStep=0.5)
        self.noise.setSuffix(" σ")
        self.noise.setToolTip(self.tr("Gaussian noise on the chosen tokens' embeddings, in the embeddings' σ"))
        self.compute_patching = _named(QPushButton(self.tr("Patch")), "patchingCompute")
        self.compute_patching.setToolTip(
            self.tr("Patch each layer and position of the clean run into the corrupted one and draw what it recovers")
        )
        self.compute_patching.clicked.connect(self.request_patching)
        self.cancel_patching = _named(QPushButton(self.tr("Cancel")), "patchingCancel", enabled=False)
        self.cancel_patching.setToolTip(self.tr("Stop patching; the maps keep the rows done so far"))
        self.cancel_patching.clicked.connect(self._main.client.stop)
        for widget in (
            self.corrupt_text,
            self.corrupt_positions,
            self.noise,
            self.compute_patching,
            self.cancel_patching,
        ):
            row.addWidget(widget)
        layout.addLayout(row)
        self.progress = _named(QProgressBar(), "patchingProgress", maximum=1000)
        self.patching_note = _named(QLabel(), "patchingNote", wordWrap=True)
        layout.addWidget(self.progress)
        layout.addWidget(self.patching_note)
        grid = QGridLayout()
        titles = {
            "residual": self.tr("residual stream (layer × position)"),
            "attention": self.tr("attention output (layer × position)"),
            "mlp": self.tr("MLP output (layer × position)"),
            "heads": self.tr("heads at the predicted position (layer × head)"),
        }
        self.maps: dict[str, QTableWidget] = {}
        for i, site in enumerate(MAPS):
            table = _named(QTableWidget(0, 0), f"patching_{site}")
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            table.horizontalHeader().setMinimumSectionSize(18)
            table.horizontalHeader().setDefaultSectionSize(46)  # a map: many small cells
            table.verticalHeader().setDefaultSectionSize(20)
            table.cellClicked.connect(lambda layer, index, s=site: self.request_cell(s, layer, index))
            box = QVBoxLayout()
            box.addWidget(QLabel(titles[site]))
            box.addWidget(table, 1)
            grid.addLayout(box, i // 2, i % 2)
            self.maps[site] = table
        layout.addLayout(grid, 1)
        self.cell_note = _named(QLabel(), "patchedNote", wordWrap=True)
        self.cell_candidates = _named(QListWidget(), "patchedCandidates")
        self.cell_candidates.setMaximumHeight(90)
        layout.addWidget(self.cell_note)
        layout.addWidget(self.cell_candidates)
        return page

    # -- requests ------------------------------------------------------------------------------
    def _refresh_targets(self) -> None:
        current = self.target.currentData()
        self.target.clear()
        for candidate in self._main.document.candidates().candidates[:CANDIDATES]:
            self.target.addItem(f"{display_text(candidate.text)}  {candidate.prob:.1%}", candidate.token_id)
        found = self.target.findData(current)
        self.target.setCurrentIndex(max(found, 0))

    def request_attribution(self) -> None:
        if self._main.document.analysis is None:
            return
        if self.target.count() == 0:
            self._refresh_targets()
        self.attribution_note.setText(self.tr("Computing…"))
        self._main.client.explain_cause(
            ExplainCause(
                "attribution",
                target=self.target.currentData(),
                max_steps=self.steps.value(),
                baseline=self.baseline.currentData(),
            )
        )

    def corruption(self) -> Corruption | None:
        """The corruption the fields describe; None (and a note saying why) when they describe none."""
        text, positions = self.corrupt_text.text().strip(), self.corrupt_positions.text().strip()
        try:
            if text:
                return Corruption(text=text)
            chosen = tuple(int(p) for p in positions.replace(" ", "").split(",") if p)
            return Corruption(positions=chosen, noise=self.noise.value())
        except ValueError:
            self.patching_note.setText(
                self.tr("Type a corrupted text of as many tokens, or the positions to noise (e.g. 1,2).")
            )
            return None

    def corrupt_position(self, position: int) -> None:
        """The strip's "Corrupt with…": add the token to the positions noised, show the patching tab."""
        chosen = {int(p) for p in self.corrupt_positions.text().replace(" ", "").split(",") if p.isdigit()}
        chosen.add(position)
        self.corrupt_text.clear()
        self.corrupt_positions.setText(",".join(str(p) for p in sorted(chosen)))
        self.show()
        self.raise_()
        self.tabs.setCurrentIndex(1)

    def request_patching(self) -> None:
        corruption = self.corruption()
        if corruption is None or self._main.document.analysis is None:
            return
        self._corruption = corruption
        self.patching = None
        for table in self.maps.values():
            table.setRowCount(0)
        self.cell_candidates.clear()
        self.cell_note.clear()
        self._computing(True)
        self._main.client.explain_cause(
            ExplainCause("patching", target=self.target.currentData(), corruption=corruption)
        )

    def request_cell(self, site: str, layer: int, index: int) -> None:
        if self._corruption is None or self.patching is None:
            return
        self._main.client.explain_cause(
            ExplainCause(
                "cell", target=self.patching.target_id, corruption=self._corruption, site=site, layer=layer, index=index
            )
        )

    # -- replies -------------------------------------------------------------------------------
    def _computing(self, on: bool) -> None:
        self.compute_patching.setEnabled(not on)
        self.cancel_patching.setEnabled(on)
        if not on:
            self.progress.setValue(0)

    def _on_progress(self, message: str, fraction: float) -> None:
        if fraction >= 0:
            self.progress.setValue(round(1000 * fraction))

    def _on_input_changed(self, *_: object) -> None:
        self._refresh_targets()
        if self.cancel_patching.isEnabled():
            self._computing(False)
        for label in (self.attribution_note, self.patching_note):
            if label.text() and "Out of date" not in label.text():
                label.setText(label.text() + self.tr(" Out of date: compute again for the current input."))

    def _on_explained(self, result: object) -> None:
        if isinstance(result, Attribution):
            self.show_attribution(result)
        elif isinstance(result, PatchingResult):
            self.show_patching(result)
        elif isinstance(result, PatchedRun):
            self.show_cell(result)
        elif result is None:
            self._computing(False)
            self.patching_note.setText(self.tr("Cancelled."))

    def show_attribution(self, result: Attribution) -> None:
        self.attribution = result
        rows, last = self._attention_rows(result)
        table = self.attribution_table
        table.setSortingEnabled(False)
        table.setRowCount(len(result.tokens))
        for position, token in enumerate(result.tokens):
            ig = float(result.integrated[position]) if len(result.integrated) else math.nan
            values = [result.grad_x_input[position], ig, rows[position], last[position]]
            table.setItem(position, 0, _Number(position, 0))
            table.setItem(position, 1, QTableWidgetItem(display_text(token)))
            for column, value in enumerate(values, start=2):
                table.setItem(position, column, _Number(float(value)))
        table.setSortingEnabled(True)
        target = display_text(result.target_text)
        if result.converged:
            note = self.tr("Attribution to {0!r}: integrated gradients took {1} steps, completeness error {2:.1%}.")
        else:
            note = self.tr(
                "Attribution to {0!r}: {1} steps did not bring the completeness error below 5% (it is {2:.1%}): "
                "raise the step cap."
            )
        self.attribution_note.setText(note.format(target, result.steps, result.completeness_error))
        self.colour_strip.setText(self.tr("Colour tokens by: attribution to {0!r}").format(target))
        self._colour_strip()

    def _attention_rows(self, result: Attribution) -> tuple[np.ndarray, np.ndarray]:
        """The rollout row and the last layer's head mean of the predicted position, [token] each (NaN: none)."""
        n = len(result.tokens)
        snapshot = self._main.document.snapshot
        if snapshot is None or result.stack not in snapshot.stacks or result.position < 0:
            return np.full(n, np.nan), np.full(n, np.nan)
        attention = snapshot.full(result.stack)  # [layer, head, query, key]
        if attention.shape[-1] != n:
            return np.full(n, np.nan), np.full(n, np.nan)
        return rollout(attention)[-1, result.position], attention[-1, :, result.position].mean(axis=0)

    def strip_scores(self) -> dict[int, float]:
        """position -> the chosen score, as the strip colours them."""
        if self.attribution is None:
            return {}
        column = self.colour_method.currentData()
        values = self.attribution.integrated if column == 3 and len(self.attribution.integrated) else None
        values = self.attribution.grad_x_input if values is None else values
        return {position: float(value) for position, value in enumerate(values)}

    def _colour_strip(self, *_: object) -> None:
        on = self.colour_strip.isChecked() and self.attribution is not None
        label = self.colour_strip.text().split(": ", 1)[-1] if on else ""
        self._main.token_strip.set_scores(self.strip_scores() if on else {}, label)

    def show_patching(self, result: PatchingResult) -> None:
        self.patching = result
        for site in MAPS:
            values = getattr(result, site)
            table = self.maps[site]
            layers, width = values.shape
            if table.rowCount() != layers or table.columnCount() != width:
                table.setRowCount(layers)
                table.setColumnCount(width)
                labels = result.tokens if site != "heads" else [str(h) for h in range(width)]
                table.setHorizontalHeaderLabels([display_text(t) for t in labels])
                table.setVerticalHeaderLabels([str(layer) for layer in range(layers)])
            for layer in range(layers):
                for index in range(width):
                    value = float(values[layer, index])
                    item = table.item(layer, index)
                    if item is None:
                        item = QTableWidgetItem()
                        table.setItem(layer, index, item)
                    item.setText("" if not math.isfinite(value) else f"{value:.2f}")
                    item.setBackground(diverging(value, 1.0))
                    item.setToolTip(self._cell_tip(site, layer, index, value))
        done = result.done >= result.total
        self._computing(not done)
        self.patching_note.setText(
            self.tr(
                "Recovered share of log p({0!r}): clean {1:.3f}, corrupted {2:.3f}; {3} of {4} patched runs."
            ).format(
                display_text(result.target_text), result.clean_metric, result.corrupt_metric, result.done, result.total
            )
        )

    def _cell_tip(self, site: str, layer: int, index: int, value: float) -> str:
        where = self.tr("head {0}").format(index) if site == "heads" else self.tr("position {0}").format(index)
        shown = self.tr("not computed yet") if not math.isfinite(value) else f"{value:.4f}"
        return self.tr("layer {0}, {1}: {2} · click: this patched run's candidates").format(layer, where, shown)

    def show_cell(self, run: PatchedRun) -> None:
        self.cell_note.setText(
            self.tr("Patched run ({0}, layer {1}, {2}): recovered share {3:.3f}").format(
                run.site, run.layer, run.index, run.share
            )
        )
        self.cell_candidates.clear()
        for candidate in run.candidates:
            self.cell_candidates.addItem(f"{display_text(candidate.text)}  {candidate.prob:.1%}")


def install_cause_dock(window: MainWindow) -> CauseDock:
    """Add the dock (hidden) and its View-menu toggle (Ctrl+Shift+E) to the window."""
    dock = CauseDock(window)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    dock.hide()
    toggle = dock.toggleViewAction()
    toggle.setObjectName("causeViewAction")
    toggle.setText(translate("cause_dock", "&Cause and effect"))
    toggle.setShortcut(QKeySequence("Ctrl+Shift+E"))
    toggle.setStatusTip(
        translate(
            "cause_dock", "Which input tokens the prediction rests on, and where a corrupted input makes the difference"
        )
    )
    toggle.setToolTip(toggle.statusTip())
    toggle.toggled.connect(lambda on: dock._refresh_targets() if on else None)
    window.menus["viewMenu"].addAction(toggle)
    return dock
