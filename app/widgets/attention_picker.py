"""Which attention to show: stack (encoder-decoders), layer, head or the mean over heads, grid mode."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from app.colour_scale import SCALES, Scale
from app.document import STACK_TITLES
from engine.results import StackInfo


class AttentionPicker(QWidget):
    """Emits changed() whenever the selection changes; read stack/layer/head/mean/all_layers."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("attentionPicker")
        self.stack_box = QComboBox()
        self.stack_box.setObjectName("stackPicker")
        self.layer_box = QSpinBox()
        self.layer_box.setObjectName("layerPicker")
        self.head_box = QSpinBox()
        self.head_box.setObjectName("headPicker")
        self.mean_box = QCheckBox("mean")
        self.mean_box.setObjectName("headMean")
        self.mean_box.setToolTip("Show the mean over the layer's heads")
        self.all_layers_box = QCheckBox("all layers")
        self.all_layers_box.setObjectName("gridAllLayers")
        self.all_layers_box.setToolTip("Head grid: every layer × head instead of one layer's heads")
        self.scale_box = QComboBox()
        self.scale_box.setObjectName("colourScale")
        for scale, title in SCALES.items():
            self.scale_box.addItem(title, scale)
        self.scale_box.setToolTip(
            "How weights map to colour in the large heatmap: linear, log (small weights become visible) "
            "or per row (each query's strongest key is brightest). Hover always shows the true weight."
        )
        self.hide_first_box = QCheckBox("hide first token")
        self.hide_first_box.setObjectName("hideFirstToken")
        self.hide_first_box.setToolTip(
            "Many models put most of each row's weight on the first token. Hide it and renormalise each "
            "row over the other keys; the title says how much weight was hidden."
        )
        self._stack_label = QLabel("stack")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        labelled = (self._stack_label, self.stack_box, QLabel("layer"), self.layer_box, QLabel("head"), self.head_box)
        for widget in (*labelled, self.mean_box):
            row.addWidget(widget)
        row.addStretch(1)
        for widget in (QLabel("colour"), self.scale_box, self.hide_first_box, self.all_layers_box):
            row.addWidget(widget)
        self._stacks: dict[str, StackInfo] = {}
        self.stack_box.currentIndexChanged.connect(self._on_stack_changed)
        for spin_box in (self.layer_box, self.head_box):
            spin_box.valueChanged.connect(self.changed)
        for check_box in (self.mean_box, self.all_layers_box, self.hide_first_box):
            check_box.toggled.connect(self._on_toggled)
        self.scale_box.currentIndexChanged.connect(self.changed)
        self.set_stacks(())

    def set_stacks(self, stacks: tuple[StackInfo, ...]) -> None:
        """Offer these stacks; the picker is shown only when there is a choice."""
        previous = self.stack
        self._stacks = {s.name: s for s in stacks}
        with QSignalBlocker(self.stack_box):
            self.stack_box.clear()
            for s in stacks:
                self.stack_box.addItem(STACK_TITLES.get(s.name, s.name), s.name)
            if previous in self._stacks:
                self.stack_box.setCurrentIndex(list(self._stacks).index(previous))
        many = len(stacks) > 1
        self.stack_box.setVisible(many)
        self._stack_label.setVisible(many)
        self._update_ranges()
        self.changed.emit()

    def select(self, stack: str | None = None, layer: int | None = None, head: int | None = None) -> None:
        """Select programmatically; emits changed() once."""
        with QSignalBlocker(self):
            if stack is not None and stack in self._stacks:
                self.stack_box.setCurrentIndex(list(self._stacks).index(stack))
                self._update_ranges()
            if layer is not None:
                self.layer_box.setValue(layer)
            if head is not None:
                self.head_box.setValue(head)
                self.mean_box.setChecked(False)
        self._update_enabled()
        self.changed.emit()

    @property
    def scale(self) -> Scale:
        return self.scale_box.currentData()

    @property
    def hide_first(self) -> bool:
        return self.hide_first_box.isChecked()

    @property
    def stack(self) -> str | None:
        return self.stack_box.currentData()

    @property
    def layer(self) -> int:
        return self.layer_box.value()

    @property
    def head(self) -> int:
        return self.head_box.value()

    @property
    def mean(self) -> bool:
        return self.mean_box.isChecked()

    @property
    def all_layers(self) -> bool:
        return self.all_layers_box.isChecked()

    def _update_ranges(self) -> None:
        info = self._stacks.get(self.stack or "")
        for box, count in ((self.layer_box, info.layers if info else 1), (self.head_box, info.heads if info else 1)):
            with QSignalBlocker(box):
                box.setRange(0, max(count - 1, 0))
        self._update_enabled()

    def _update_enabled(self) -> None:
        self.head_box.setEnabled(not self.mean)

    def _on_stack_changed(self, _index: int) -> None:
        self._update_ranges()
        self.changed.emit()

    def _on_toggled(self, _checked: bool) -> None:
        self._update_enabled()
        self.changed.emit()
