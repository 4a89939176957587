"""Sampling controls: greedy, temperature, top-k, top-p, seed; and the limit on new tokens, which
this panel owns (it is part of SamplingConfig) and the generation bar shows next to Run."""

from __future__ import annotations

from contextlib import ExitStack

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QFormLayout, QGroupBox, QSpinBox, QWidget

from attnlab.engine.api.config import SamplingConfig

MAX_SEED = 2**31 - 1


class SamplingPanel(QGroupBox):
    """Emits changed(config) whenever a control changes."""

    changed = Signal(object)  # SamplingConfig

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("Sampling"))
        self.setObjectName("samplingPanel")
        self.greedy = QCheckBox(self.tr("greedy (always the most likely token)"))
        self.greedy.setObjectName("samplingGreedy")
        self.greedy.setToolTip(
            self.tr("Always take the most likely next token; untick to sample with the settings below")
        )
        self.temperature = self._double("samplingTemperature", 0.05, 5.0, 0.05, 2)
        self.top_k = self._int("samplingTopK", 0, 100_000, self.tr("all"))
        self.top_p = self._double("samplingTopP", 0.01, 1.0, 0.01, 2)
        self.seed = self._int("samplingSeed", -1, MAX_SEED, self.tr("random"))
        self.max_new_tokens = self._int("maxNewTokens", 1, 100_000, "")  # shown by the generation bar
        self.candidates = self._int("samplingCandidates", 1, 100, "")
        for box, tip in (
            (
                self.temperature,
                self.tr("Divides the logits before sampling: below 1 sharpens, above 1 flattens the choice"),
            ),
            (self.top_k, self.tr("Sample only among the k most likely tokens (all: no limit)")),
            (self.top_p, self.tr("Sample only among the most likely tokens whose probabilities add up to p")),
            (
                self.seed,
                self.tr("The random seed: the same seed gives the same generation (random: a new one each time)"),
            ),
            (self.candidates, self.tr("How many candidates for the next token the table lists")),
        ):
            box.setToolTip(tip)
        form = self._form = QFormLayout(self)
        form.addRow(self.greedy)
        form.addRow(self.tr("temperature"), self.temperature)
        form.addRow("top-k", self.top_k)
        form.addRow("top-p", self.top_p)
        form.addRow(self.tr("seed"), self.seed)
        form.addRow(self.tr("candidates shown"), self.candidates)
        self.set_config(SamplingConfig())
        self.greedy.toggled.connect(self._on_changed)
        for box in (self.temperature, self.top_k, self.top_p, self.seed, self.max_new_tokens, self.candidates):
            box.valueChanged.connect(self._on_changed)

    def _double(self, name: str, low: float, high: float, step: float, decimals: int) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setObjectName(name)
        box.setRange(low, high)
        box.setSingleStep(step)
        box.setDecimals(decimals)
        box.setKeyboardTracking(False)
        return box

    def _int(self, name: str, low: int, high: int, special: str) -> QSpinBox:
        box = QSpinBox()
        box.setObjectName(name)
        box.setRange(low, high)
        box.setSpecialValueText(special)
        box.setKeyboardTracking(False)
        return box

    def config(self) -> SamplingConfig:
        seed = self.seed.value()
        return SamplingConfig(
            greedy=self.greedy.isChecked(),
            temperature=self.temperature.value(),
            top_k=self.top_k.value(),
            top_p=self.top_p.value(),
            seed=None if seed < 0 else seed,
            candidates=self.candidates.value(),
            max_new_tokens=self.max_new_tokens.value(),
        )

    def out_of_range(self, config: SamplingConfig) -> str | None:
        """The first setting of `config` that these controls cannot hold ("seed 3000000000 (the window
        takes -1 to 2147483647)"), or None. A box would clamp it silently, or refuse it with an
        OverflowError past 2^31: a session that needs it is refused instead of run otherwise."""
        ints: dict[str, tuple[QSpinBox, int]] = {
            "top-k": (self.top_k, config.top_k),
            "seed": (self.seed, -1 if config.seed is None else config.seed),
            "max new tokens": (self.max_new_tokens, config.max_new_tokens),
            "candidates": (self.candidates, config.candidates),
        }
        for name, (box, value) in ints.items():
            if not box.minimum() <= value <= box.maximum():
                return self.tr("{0} {1} (the window takes {2} to {3})").format(
                    name, value, box.minimum(), box.maximum()
                )
        floats: dict[str, tuple[QDoubleSpinBox, float]] = {
            "temperature": (self.temperature, config.temperature),
            "top-p": (self.top_p, config.top_p),
        }
        for name, (double, number) in floats.items():
            if not double.minimum() <= number <= double.maximum():
                return self.tr("{0} {1:g} (the window takes {2:g} to {3:g})").format(
                    name, number, double.minimum(), double.maximum()
                )
        return None

    def set_config(self, config: SamplingConfig) -> None:
        boxes = (self.temperature, self.top_k, self.top_p, self.seed, self.max_new_tokens, self.candidates)
        with ExitStack() as blocked:
            for widget in (self, self.greedy, *boxes):
                blocked.enter_context(QSignalBlocker(widget))
            self.greedy.setChecked(config.greedy)
            self.temperature.setValue(config.temperature)
            self.top_k.setValue(config.top_k)
            self.top_p.setValue(config.top_p)
            self.seed.setValue(-1 if config.seed is None else config.seed)
            self.max_new_tokens.setValue(config.max_new_tokens)
            self.candidates.setValue(config.candidates)
        self._update_enabled()

    def _update_enabled(self) -> None:
        """Greedy decoding ignores temperature, top-k, top-p and seed: their rows show only when sampling
        (a short window keeps the room for the candidates)."""
        sampling = not self.greedy.isChecked()
        for box in (self.temperature, self.top_k, self.top_p, self.seed):
            box.setEnabled(sampling)
            self._form.setRowVisible(box, sampling)

    def _on_changed(self, *_: object) -> None:
        self._update_enabled()
        self.changed.emit(self.config())
