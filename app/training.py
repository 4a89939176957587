"""Learn ▸ Train a Tiny Model… and Open a Training Run…: the dialog, the training process and the dock.

The run goes in its own process (app/train_process.py); the dock plots what it prints and, when
the timeline moves, the window loads that checkpoint folder like any model folder. Closing the
window while a run goes asks first; stopping keeps the checkpoints written so far.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from attnlab.app.i18n import translate
from attnlab.app.menus import make_action
from attnlab.app.train_dialog import TrainDialog
from attnlab.app.train_dock import TrainDock
from attnlab.app.train_process import TrainProcess
from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.train_run import is_run_folder, read_run
from attnlab.engine.api.user_dirs import data_dir

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

STOP_WAIT_MS = 10_000  # closing the window: how long a stopping run may take to write its last checkpoint


class TrainingController(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.dock = TrainDock(window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.process = TrainProcess(self)
        d, p = self.dock, self.process
        d.new_run_requested.connect(self.new_run)
        d.open_run_requested.connect(self.open_run)
        d.pause_requested.connect(p.pause)
        d.resume_requested.connect(p.resume)
        d.stop_requested.connect(p.stop)
        d.checkpoint_chosen.connect(self.show_checkpoint)
        p.record_arrived.connect(d.add_record)
        p.state_changed.connect(d.set_state)
        p.phase_reached.connect(lambda _step, message: window.statusBar().showMessage(message, 15_000))
        p.finished.connect(self._on_finished)
        window.installEventFilter(self)

    @property
    def runs_folder(self) -> Path:
        return data_dir() / "runs"

    def new_run(self) -> None:
        dialog = TrainDialog(self.runs_folder, self.window)
        if dialog.exec() != TrainDialog.DialogCode.Accepted:
            return
        self.start(dialog.arguments(), dialog.run_folder(), dialog.chosen_kind)

    def start(self, arguments: list[str], folder: Path, kind: str) -> None:
        """Train in a new process into `folder` (Lesson 7 and tests call this directly)."""
        if self.process.running:
            return
        if folder.exists() and any(folder.iterdir()):
            self._refuse(translate("training", "{0} is not empty: choose a new folder for the run").format(folder))
            return
        self.dock.show()
        self.dock.raise_()
        self.dock.begin(folder, kind)
        self.process.start(arguments, folder)

    def train_lesson_run(self) -> None:
        """Lesson 7: the induction task with its defaults, into a new folder of the runs folder."""
        folder = self.runs_folder / f"lesson-induction-{time.strftime('%Y%m%d-%H%M%S')}"
        self.start(["--kind", "induction"], folder, "induction")

    def open_run(self) -> None:
        name = QFileDialog.getExistingDirectory(
            self.window, translate("training", "Open a training run"), str(self.runs_folder)
        )
        if name:
            self.open_folder(Path(name))

    def open_folder(self, folder: Path) -> None:
        if not is_run_folder(folder):
            self._refuse(translate("training", "{0} is not a training run (it has no run.json)").format(folder))
            return
        try:
            run = read_run(folder)
        except EngineError as error:
            self._refuse(str(error))
            return
        self.dock.show()
        self.dock.show_run(run)
        if run.checkpoints:
            self.dock.choose_checkpoint(len(run.checkpoints) - 1)

    def show_checkpoint(self, folder: Path) -> None:
        self.window.load(str(folder))

    def _on_finished(self, status: str, message: str) -> None:
        self.dock.finish(status, message)
        self.dock.set_state("idle")
        if status == "failed":
            self.window.statusBar().showMessage(message or translate("training", "training failed"), 15_000)

    def _refuse(self, message: str) -> None:
        QMessageBox.warning(self.window, translate("training", "Training"), message)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() == QEvent.Type.Close and self.process.running:
            answer = QMessageBox.question(
                self.window,
                translate("training", "Training is running"),
                translate(
                    "training", "A tiny model is training. Stop it and close? The checkpoints written so far are kept."
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                assert isinstance(event, QCloseEvent)
                event.ignore()
                return True
            self.process.stop()
            if not self.process.wait(STOP_WAIT_MS):
                self.process.kill()
        elif watched is self.window and event.type() == QEvent.Type.Close:
            self.process.wait(STOP_WAIT_MS)  # a run that has ended may still be exiting
        return False


def install_training(window: MainWindow) -> TrainingController:
    """The controller, its dock (hidden) and the Learn menu's two actions."""
    controller = TrainingController(window)
    menu = window.menus["lessonsMenu"]
    menu.addSeparator()
    train = make_action(
        window,
        translate("training", "&Train a Tiny Model…"),
        "trainAction",
        translate("training", "Train a tiny GPT, BERT or induction-task model and watch its heads form"),
    )
    train.triggered.connect(controller.new_run)
    menu.addAction(train)
    open_run = make_action(
        window,
        translate("training", "Open a Training &Run…"),
        "openRunAction",
        translate("training", "Read a finished run's curves and scrub through its checkpoints"),
    )
    open_run.triggered.connect(controller.open_run)
    menu.addAction(open_run)
    return controller
