"""Step, run N, stop and undo, with keyboard shortcuts and progress for a run."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget

BUTTON_MARGIN = 24  # pixels of a button beside its text, at its narrowest
SHORTCUTS = {
    "step": "Ctrl+Return",
    "run": "Ctrl+Shift+Return",
    "stop": "Escape",
    "undo": "Ctrl+Shift+Backspace",
}


class GenerationBar(QWidget):
    step_requested = Signal()
    run_requested = Signal(int)
    stop_requested = Signal()
    undo_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("generationBar")
        self.step_button = self._button("stepButton", self.tr("Step"), self.tr("One token"), "step")
        self.run_button = self._button(
            "runButton",
            self.tr("Run"),
            self.tr("Generate the number of tokens on the right (fewer at the limit below)"),
            "run",
        )
        self.run_count = QSpinBox()
        self.run_count.setObjectName("runCount")
        self.run_count.setRange(1, 10_000)
        self.run_count.setValue(20)
        self.run_count.setToolTip(self.tr("How many tokens one click on Run generates (fewer at the limit below)"))
        self.limit_row = QHBoxLayout()
        self.limit_label = QLabel(self.tr("Stop after"))
        self.stop_button = self._button("stopButton", self.tr("Stop"), self.tr("Stop after the current token"), "stop")
        self.undo_button = self._button(
            "undoButton", self.tr("Undo"), self.tr("Remove the last generated token"), "undo"
        )
        self.progress = QProgressBar()
        self.progress.setObjectName("runProgress")
        self.progress.setTextVisible(True)
        self.progress.setFormat(self.tr("%v / %m tokens"))
        self.progress.setMaximumHeight(14)
        policy = self.progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # showing it must not re-lay out the window mid-run
        self.progress.setSizePolicy(policy)
        self.progress.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        row = QHBoxLayout()
        for widget in (self.step_button, self.undo_button, self.run_button, self.run_count, self.stop_button):
            row.addWidget(widget)
        row.addStretch(1)
        column.addLayout(row)
        column.addLayout(self.limit_row)
        column.addWidget(self.progress)
        self.step_button.clicked.connect(self.step_requested)
        self.run_button.clicked.connect(lambda: self.run_requested.emit(self.run_count.value()))
        self.stop_button.clicked.connect(self.stop_requested)
        self.undo_button.clicked.connect(self.undo_requested)
        self.set_state(can_step=False, can_undo=False, running=False)

    def _button(self, name: str, text: str, tip: str, action: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        # Qt's style makes a text button at least ~80 px wide; its text and a margin fit in less, so a narrow
        # window (a lesson open on a small screen) keeps room for the heatmap beside this column.
        button.setMinimumWidth(button.fontMetrics().horizontalAdvance(text) + BUTTON_MARGIN)
        # A QShortcut rather than button.setShortcut: that one clicks after a 100 ms animation.
        shortcut = QShortcut(QKeySequence(SHORTCUTS[action]), self)
        shortcut.setObjectName(f"{action}Shortcut")
        shortcut.activated.connect(button.click)  # a disabled button ignores click()
        keys = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{tip} ({keys})")
        return button

    def set_limit_box(self, box: QSpinBox) -> None:
        """Show the "max new tokens" box (owned by the sampling panel) under Run, labelled as a limit."""
        tip = self.tr(
            "Generation stops after this many new tokens, counted from the prompt. "
            "Step and Run are disabled once it is reached: raise it to go on."
        )
        box.setSuffix(self.tr(" new tokens in all"))
        for widget in (self.limit_label, box):
            widget.setToolTip(tip)
            self.limit_row.addWidget(widget)
        self.limit_row.addStretch(1)
        self.limit_box = box

    def set_state(self, can_step: bool, can_undo: bool, running: bool) -> None:
        self.step_button.setEnabled(can_step and not running)
        self.run_button.setEnabled(can_step and not running)
        self.undo_button.setEnabled(can_undo and not running)
        self.stop_button.setEnabled(running)

    def start_progress(self, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(0)
        self.progress.show()

    def set_progress(self, done: int) -> None:
        self.progress.setValue(min(done, self.progress.maximum()))

    def end_progress(self) -> None:
        self.progress.hide()
