"""Which attention to show: stack (encoder-decoders), layer, head or the mean over heads, grid mode."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QMenu, QSpinBox, QToolButton, QWidget

from attnlab.app import i18n
from attnlab.app.colour_scale import SCALES, Scale
from attnlab.app.document import STACK_TITLES
from attnlab.app.widgets.flow_layout import FlowLayout
from attnlab.engine.api.results import StackInfo


class AttentionPicker(QWidget):
    """Emits changed() whenever the selection changes; read stack/layer/head/mean/all_layers."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("attentionPicker")
        self.stack_box = QComboBox()
        self.stack_box.setObjectName("stackPicker")
        self.stack_box.setToolTip(
            self.tr("Which attention: the encoder's, the decoder's, or the decoder's cross-attention to the encoder")
        )
        self.layer_box = QSpinBox()
        self.layer_box.setObjectName("layerPicker")
        self.layer_box.setToolTip(self.tr("The layer shown (PageUp/PageDown in the heatmap or the head grid)"))
        self.head_box = QSpinBox()
        self.head_box.setObjectName("headPicker")
        self.head_box.setToolTip(self.tr("The head shown in the large heatmap (or click a thumbnail in the head grid)"))
        self.mean_box = QCheckBox(self.tr("mean"))
        self.mean_box.setObjectName("headMean")
        self.mean_box.setToolTip(self.tr("Show the mean over the layer's heads"))
        self.all_layers_box = QCheckBox(self.tr("all layers"))
        self.all_layers_box.setObjectName("gridAllLayers")
        self.all_layers_box.setToolTip(self.tr("Head grid: every layer × head instead of one layer's heads"))
        # One small menu button, so that the row still fits a narrow window.
        self.colour_button = QToolButton()
        self.colour_button.setObjectName("colourScale")
        self.colour_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.colour_button.setToolTip(
            self.tr(
                "Colours of the large heatmap: linear; log (10⁻⁴ darkest … 1 brightest: small weights "
                "become visible); per row (each query's strongest key is brightest); and whether to hide "
                "the first token. Hover always shows the true weight."
            )
        )
        menu = QMenu(self.colour_button)
        scales = QActionGroup(menu)
        self._scale_actions: dict[Scale, QAction] = {}
        for scale, title in SCALES.items():
            action = menu.addAction(self.tr("{0} colours").format(i18n.title(title)))
            action.setCheckable(True)
            action.setObjectName(f"colourScale_{scale}")
            scales.addAction(action)
            self._scale_actions[scale] = action
        self._scale_actions["linear"].setChecked(True)
        menu.addSeparator()
        self.hide_first_action = menu.addAction(self.tr("hide the first token"))
        self.hide_first_action.setObjectName("hideFirstToken")
        self.hide_first_action.setCheckable(True)
        self.hide_first_action.setToolTip(
            self.tr(
                "Many models put most of each row's weight on the first token: hide it and renormalise "
                "each row over the other keys; the title says how much weight was hidden."
            )
        )
        menu.triggered.connect(self._on_colour_chosen)
        self.colour_button.setMenu(menu)
        self._show_colour()
        self._stack_label = QLabel(self.tr("stack"))
        row = FlowLayout(self)  # wraps when the pane is narrow: the row never sets the window's minimum width
        row.setContentsMargins(0, 0, 0, 0)
        labelled = (
            self._stack_label,
            self.stack_box,
            QLabel(self.tr("layer")),
            self.layer_box,
            QLabel(self.tr("head")),
            self.head_box,
        )
        for widget in (*labelled, self.mean_box):
            row.addWidget(widget)
        row.addWidget(self.colour_button)
        row.addWidget(self.all_layers_box)
        self._stacks: dict[str, StackInfo] = {}
        self.stack_box.currentIndexChanged.connect(self._on_stack_changed)
        for spin_box in (self.layer_box, self.head_box):
            spin_box.valueChanged.connect(self.changed)
        for check_box in (self.mean_box, self.all_layers_box):
            check_box.toggled.connect(self._on_toggled)
        self.set_stacks(())

    def set_stacks(self, stacks: tuple[StackInfo, ...]) -> None:
        """Offer these stacks; the picker is shown only when there is a choice."""
        previous = self.stack
        self._stacks = {s.name: s for s in stacks}
        with QSignalBlocker(self.stack_box):
            self.stack_box.clear()
            for s in stacks:
                self.stack_box.addItem(i18n.title(STACK_TITLES.get(s.name, s.name)), s.name)
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
        return next(scale for scale, action in self._scale_actions.items() if action.isChecked())

    @property
    def hide_first(self) -> bool:
        return self.hide_first_action.isChecked()

    def set_colours(self, scale: Scale, hide_first: bool) -> None:
        """Choose the heatmap's colour scale programmatically; emits changed() once."""
        self._scale_actions[scale].setChecked(True)
        self.hide_first_action.setChecked(hide_first)
        self._show_colour()
        self.changed.emit()

    def _on_colour_chosen(self, _action: QAction) -> None:
        self._show_colour()
        self.changed.emit()

    def _show_colour(self) -> None:
        self.colour_button.setText(i18n.title(SCALES[self.scale]) + (self.tr(" · no 1st") if self.hide_first else ""))

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
