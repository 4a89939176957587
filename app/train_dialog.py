"""Learn ▸ Train a Tiny Model…: what to train (kind, size, steps, rate, batch, seed, data) and where.

The values become `attnlab train` arguments; the engine checks them again (attnlab.engine.api.train_spec)
and refuses what it cannot train with a message.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from attnlab.engine.api.train_spec import DEFAULTS, LIMITS

SEED_RANGE = (0, 2**31 - 1)  # what a spin box holds (the engine takes any whole number)


class TrainDialog(QDialog):
    def __init__(self, runs_folder: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainDialog")
        self.setWindowTitle(self.tr("Train a Tiny Model"))
        self.runs_folder = runs_folder
        form = QFormLayout(self)
        self.kind = QComboBox()
        self.kind.setObjectName("trainKind")
        self.kind.addItem(self.tr("Induction task: attention-only decoder, repeated random tokens"), "induction")
        self.kind.addItem(self.tr("GPT: next token on a text"), "gpt")
        self.kind.addItem(self.tr("BERT: masked LM (15%: 80% [MASK], 10% random, 10% kept) + next sentence"), "bert")
        form.addRow(self.tr("Kind:"), self.kind)
        self.fields: dict[str, QSpinBox] = {}
        labels = {
            "layers": self.tr("Layers:"),
            "heads": self.tr("Heads per layer:"),
            "width": self.tr("Width:"),
            "context": self.tr("Context (tokens):"),
            "steps": self.tr("Steps:"),
            "batch": self.tr("Batch:"),
            "seed": self.tr("Seed:"),
            "checkpoint_every": self.tr("Checkpoint every (steps):"),
        }
        for name, label in labels.items():
            box = QSpinBox()
            box.setObjectName("train_" + name)
            box.setRange(*(SEED_RANGE if name == "seed" else LIMITS[name]))
            self.fields[name] = box
            form.addRow(label, box)
        self.lr = QDoubleSpinBox()
        self.lr.setObjectName("train_lr")
        self.lr.setDecimals(5)
        self.lr.setRange(1e-5, 0.5)
        self.lr.setSingleStep(1e-4)
        form.addRow(self.tr("Learning rate:"), self.lr)
        data_row = QHBoxLayout()
        self.data = QComboBox()
        self.data.setObjectName("trainData")
        self.data_file = QLineEdit()
        self.data_file.setObjectName("trainDataFile")
        self.data_file.setPlaceholderText(self.tr("a text file, one document a line"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        data_row.addWidget(self.data, 1)
        data_row.addWidget(self.data_file, 2)
        data_row.addWidget(browse)
        form.addRow(self.tr("Data:"), data_row)
        self.folder = QLineEdit()
        self.folder.setObjectName("trainFolder")
        form.addRow(self.tr("Run folder:"), self.folder)
        self.note = QLabel()
        self.note.setWordWrap(True)
        form.addRow(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Train"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind.currentIndexChanged.connect(self._apply_defaults)
        self.data.currentIndexChanged.connect(lambda _: self.data_file.setEnabled(self.data.currentData() == "file"))
        self._apply_defaults()

    @property
    def chosen_kind(self) -> str:
        return str(self.kind.currentData())

    def _apply_defaults(self) -> None:
        kind = self.chosen_kind
        spec = DEFAULTS[kind]  # type: ignore[index]  # a kind the combo box offers
        for name, box in self.fields.items():
            box.setValue(getattr(spec, name))
        self.lr.setValue(spec.lr)
        self.data.clear()
        if kind == "induction":
            self.data.addItem(self.tr("synthetic: random tokens, repeated"), "synthetic")
        else:
            self.data.addItem(self.tr("the bundled corpus"), "corpus")
            self.data.addItem(self.tr("a text file"), "file")
        self.data_file.setEnabled(False)
        self.folder.setText(str(self.runs_folder / f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}"))
        notes = {
            "induction": self.tr(
                "The loss sits at its plateau, then drops at about step 300 (under a minute) as a "
                "layer-0 head learns to look 15 back: a shortcut, not an induction head (lesson 7)."
            ),
            "gpt": self.tr("A next-token model of the bundled stories and facts (a few minutes)."),
            "bert": self.tr("Masked-LM and next-sentence accuracy are measured on held-out pairs (several minutes)."),
        }
        self.note.setText(notes[kind])

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("A text to train on"), str(Path.home()), self.tr("Text files (*.txt);;All files (*)")
        )
        if name:
            self.data_file.setText(name)

    def arguments(self) -> list[str]:
        """`attnlab train` arguments for what the dialog shows (without --out)."""
        args = ["--kind", self.chosen_kind]
        for name, box in self.fields.items():
            args += ["--" + name.replace("_", "-"), str(box.value())]
        args += ["--lr", repr(self.lr.value())]
        data = self.data.currentData()
        args += ["--data", self.data_file.text().strip() if data == "file" else data]
        return args

    def run_folder(self) -> Path:
        return Path(self.folder.text().strip()).expanduser()
