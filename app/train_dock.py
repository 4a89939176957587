"""The Training dock: live curves of a run, its phase change, and a timeline over its checkpoints.

Plots (pyqtgraph): training and held-out loss; for a BERT, held-out masked-LM and next-sentence
accuracy; each head's induction score (decoders) or previous-token score (BERT) on a fixed probe.
The first evaluation at which a head's induction score passes 0.5 is marked in every plot. The
slider under the plots runs over the checkpoints: moving it loads that checkpoint as the window's
model (after a short pause, so dragging loads once), so every view shows the current text through
it and Step generates from it. A finished run is a folder; Open Run… reads its curves back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from attnlab.engine.api.train_run import PHASE_SCORE, TrainRecord, TrainRun, checkpoints, phase_step

SCRUB_PAUSE_MS = 250  # a checkpoint loads once the slider rests this long
LOSS_PEN = pg.mkPen("#4c9be8", width=2)
HELDOUT_PEN = pg.mkPen("#f28e2b", width=2)
PHASE_PEN = pg.mkPen("#e15759", width=1, style=Qt.PenStyle.DashLine)
SHOWN_PEN = pg.mkPen("#bbbbbb", width=1)


class TrainDock(QDockWidget):
    checkpoint_chosen = Signal(object)  # Path: the model folder to show
    pause_requested = Signal()
    resume_requested = Signal()
    stop_requested = Signal()
    new_run_requested = Signal()
    open_run_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("Training"), parent)
        self.setObjectName("trainDock")
        self.records: list[TrainRecord] = []
        self.folder: Path | None = None
        self.kind = ""
        self.checkpoint_list: tuple[tuple[int, Path], ...] = ()
        self._shown: Path | None = None
        self._build()
        self._scrub = QTimer(self, singleShot=True, interval=SCRUB_PAUSE_MS)
        self._scrub.timeout.connect(self._emit_checkpoint)

    # -- building --------------------------------------------------------------------------------------

    def _build(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        buttons = QHBoxLayout()
        self.new_button = self._button(
            self.tr("New Run…"), "trainNewButton", self.tr("Train a tiny model"), self.new_run_requested
        )
        self.open_button = self._button(
            self.tr("Open Run…"),
            "trainOpenButton",
            self.tr("Read a finished run's curves and checkpoints"),
            self.open_run_requested,
        )
        self.pause_button = self._button(
            self.tr("Pause"), "trainPauseButton", self.tr("Pause or resume training"), None
        )
        self.pause_button.clicked.connect(self._toggle_pause)
        self.stop_button = self._button(
            self.tr("Stop"),
            "trainStopButton",
            self.tr("Stop training, keeping the checkpoints so far"),
            self.stop_requested,
        )
        for button in (self.new_button, self.open_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.status = QLabel(self.tr("No training run yet: New Run… trains a tiny model in a few minutes."))
        self.status.setObjectName("trainStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setObjectName("trainPlots")
        self.loss_plot = self._plot(self.tr("loss"), 0)
        self.loss_plot.addLegend(offset=(-10, 10))
        self.loss_curve = self.loss_plot.plot([], [], pen=LOSS_PEN, name=self.tr("training"))
        self.heldout_curve = self.loss_plot.plot([], [], pen=HELDOUT_PEN, name=self.tr("held-out"))
        self.accuracy_plot = self._plot(self.tr("held-out accuracy"), 1)
        self.accuracy_plot.addLegend(offset=(-10, 10))
        self.accuracy_plot.setYRange(0, 1)
        self.mlm_curve = self.accuracy_plot.plot([], [], pen=LOSS_PEN, name=self.tr("masked LM"))
        self.nsp_curve = self.accuracy_plot.plot([], [], pen=HELDOUT_PEN, name=self.tr("next sentence"))
        self.heads_plot = self._plot(self.tr("head scores on the probe"), 2)
        self.heads_plot.setYRange(0, 1)
        self.threshold = pg.InfiniteLine(PHASE_SCORE, angle=0, pen=PHASE_PEN)
        self.heads_plot.addItem(self.threshold)
        self.head_curves: list[pg.PlotDataItem] = []
        self.phase_lines = [pg.InfiniteLine(angle=90, pen=PHASE_PEN) for _ in range(3)]
        self.shown_lines = [pg.InfiniteLine(angle=90, pen=SHOWN_PEN) for _ in range(3)]
        for plot, phase, shown in zip(self._all_plots(), self.phase_lines, self.shown_lines, strict=True):
            for line in (phase, shown):
                line.setVisible(False)
                plot.addItem(line)
        layout.addWidget(self.plots, 1)

        timeline = QHBoxLayout()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("trainTimeline")
        self.slider.setToolTip(
            self.tr("Scrub through the checkpoints: every view shows the text through the one chosen")
        )
        self.slider.setEnabled(False)
        self.slider.valueChanged.connect(self._on_slider)
        self.checkpoint_label = QLabel(self.tr("no checkpoint"))
        self.checkpoint_label.setObjectName("trainCheckpointLabel")
        timeline.addWidget(QLabel(self.tr("Checkpoint:")))
        timeline.addWidget(self.slider, 1)
        timeline.addWidget(self.checkpoint_label)
        layout.addLayout(timeline)
        self.setWidget(body)
        self.set_state("idle")

    def _button(self, text: str, name: str, tip: str, signal: SignalInstance | None) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        if signal is not None:
            button.clicked.connect(signal.emit)
        return button

    def _plot(self, title: str, row: int) -> pg.PlotItem:
        plot = self.plots.addPlot(row=row, col=0, title=title)
        plot.showGrid(x=True, y=True, alpha=0.2)
        plot.setLabel("bottom", self.tr("step"))
        return plot

    def _all_plots(self) -> tuple[pg.PlotItem, pg.PlotItem, pg.PlotItem]:
        return self.loss_plot, self.accuracy_plot, self.heads_plot

    # -- a run's data ----------------------------------------------------------------------------------

    def begin(self, folder: Path, kind: str) -> None:
        """A new run is starting into `folder`."""
        self.folder, self.kind = folder, kind
        self.records = []
        self.checkpoint_list = ()
        self._shown = None
        self._reset_heads()
        self.accuracy_plot.setVisible(kind == "bert")
        self.heads_plot.setTitle(self._heads_title())
        self._redraw()
        self.status.setText(self.tr("Training a {0} into {1}…").format(self._kind_name(), folder))

    def show_run(self, run: TrainRun) -> None:
        """A run read back from its folder."""
        self.begin(run.folder, str(run.spec.get("kind", "")))
        self.records = list(run.records)
        self.refresh_checkpoints()
        self._redraw()
        self.status.setText(self._summary(run.status))

    def add_record(self, record: TrainRecord) -> None:
        self.records.append(record)
        self._redraw()
        self.refresh_checkpoints()
        if self.kind == "bert" and not np.isnan(record.nsp_accuracy):
            text = self.tr("step {0}: loss {1:.3f}, held-out {2:.3f}, masked LM {3:.1%}, next sentence {4:.1%}")
            self.status.setText(
                text.format(record.step, record.loss, record.heldout_loss, record.mlm_accuracy, record.nsp_accuracy)
            )
        else:
            best = float(np.nanmax(record.induction)) if record.induction.size else float("nan")
            text = self.tr("step {0}: loss {1:.3f}, held-out {2:.3f}, best induction score {3:.2f}")
            self.status.setText(text.format(record.step, record.loss, record.heldout_loss, best))

    def finish(self, status: str, message: str) -> None:
        self.refresh_checkpoints()
        self.status.setText(self._summary(status) + (f"\n{message}" if status == "failed" and message else ""))

    def refresh_checkpoints(self) -> None:
        if self.folder is None:
            return
        found = checkpoints(self.folder)
        if found == self.checkpoint_list:
            return
        at_end = self.slider.value() == self.slider.maximum()
        self.checkpoint_list = found
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, len(found) - 1))
        if at_end and self._shown is None:
            self.slider.setValue(self.slider.maximum())
        self.slider.blockSignals(False)
        self.slider.setEnabled(bool(found))
        self._label_checkpoint()

    @property
    def phase_step(self) -> int | None:
        return phase_step(self.records) if self.kind != "bert" else None

    # -- drawing ---------------------------------------------------------------------------------------

    def _redraw(self) -> None:
        steps = np.array([r.step for r in self.records], np.float64)
        trained = [(r.step, r.loss) for r in self.records if not np.isnan(r.loss)]
        self.loss_curve.setData(*(np.array(trained).T if trained else ([], [])))
        self.heldout_curve.setData(steps, np.array([r.heldout_loss for r in self.records]))
        if self.kind == "bert":
            self.mlm_curve.setData(steps, np.array([r.mlm_accuracy for r in self.records]))
            self.nsp_curve.setData(steps, np.array([r.nsp_accuracy for r in self.records]))
        scores = [self._head_score(r) for r in self.records]
        if scores and scores[-1].size:
            grid = np.stack([s.reshape(-1) for s in scores if s.size == scores[-1].size])  # [record, layer·head]
            if len(self.head_curves) != grid.shape[1]:
                self._reset_heads(grid.shape[1], scores[-1].shape[1])
            for curve, column in zip(self.head_curves, grid.T, strict=True):
                curve.setData(steps[-len(column) :], column)
        phase = self.phase_step
        for line in self.phase_lines:
            line.setVisible(phase is not None)
            if phase is not None:
                line.setValue(phase)

    def _head_score(self, record: TrainRecord) -> np.ndarray:
        return record.previous_token if self.kind == "bert" else record.induction

    def _reset_heads(self, count: int = 0, heads: int = 1) -> None:
        for curve in self.head_curves:
            self.heads_plot.removeItem(curve)
        self.head_curves = []
        for index in range(count):
            layer, head = divmod(index, heads)
            colour = pg.intColor(index, hues=max(count, 1))
            curve = self.heads_plot.plot([], [], pen=pg.mkPen(colour, width=1.5), name=f"L{layer} H{head}")
            self.head_curves.append(curve)

    def _heads_title(self) -> str:
        if self.kind == "bert":
            return self.tr("each head's previous-token score on the probe")
        return self.tr("each head's induction score on the probe (dashed: {0})").format(PHASE_SCORE)

    def _kind_name(self) -> str:
        names = {"gpt": self.tr("GPT"), "bert": self.tr("BERT"), "induction": self.tr("attention-only decoder")}
        return names.get(self.kind, self.kind)

    def _summary(self, status: str) -> str:
        words = {
            "finished": self.tr("finished"),
            "stopped": self.tr("stopped"),
            "failed": self.tr("failed"),
            "running": self.tr("running"),
            "paused": self.tr("paused"),
        }
        text = self.tr("{0} run {1}: {2} evaluations, {3} checkpoints.").format(
            self._kind_name(), words.get(status, status), len(self.records), len(self.checkpoint_list)
        )
        phase = self.phase_step
        if phase is not None:
            text += " " + self.tr("A head's induction score passed {0} at step {1}.").format(PHASE_SCORE, phase)
        return text

    # -- state and the timeline ------------------------------------------------------------------------

    def set_state(self, state: str) -> None:
        """'running', 'paused', 'stopping' or 'idle': which buttons apply."""
        active = state in ("running", "paused")
        self.pause_button.setEnabled(active)
        self.stop_button.setEnabled(active)
        self.new_button.setEnabled(state == "idle")
        self.open_button.setEnabled(state == "idle")
        self.pause_button.setText(self.tr("Resume") if state == "paused" else self.tr("Pause"))

    def _toggle_pause(self) -> None:
        if self.pause_button.text() == self.tr("Resume"):
            self.resume_requested.emit()
        else:
            self.pause_requested.emit()

    def _on_slider(self, _value: int) -> None:
        self._label_checkpoint()
        self._scrub.start()

    def _label_checkpoint(self) -> None:
        if not self.checkpoint_list:
            self.checkpoint_label.setText(self.tr("no checkpoint"))
            return
        step, _ = self.checkpoint_list[min(self.slider.value(), len(self.checkpoint_list) - 1)]
        self.checkpoint_label.setText(self.tr("step {0}").format(step))
        for line in self.shown_lines:
            line.setValue(step)
            line.setVisible(True)

    def choose_checkpoint(self, index: int) -> None:
        """Show checkpoint `index` now (Lesson 7, tests): as a slider move, without the pause."""
        self.slider.setValue(index)
        self._scrub.stop()
        self._emit_checkpoint()

    def _emit_checkpoint(self) -> None:
        if not self.checkpoint_list:
            return
        _, folder = self.checkpoint_list[min(self.slider.value(), len(self.checkpoint_list) - 1)]
        if folder != self._shown:
            self._shown = folder
            self.checkpoint_chosen.emit(folder)
