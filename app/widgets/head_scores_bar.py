"""Above the heads table: what colours the head grid, the induction probe button, and a status line."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QVBoxLayout, QWidget

from attnlab.app import i18n
from attnlab.app.head_metrics import METRICS, PROBE
from attnlab.app.widgets.flow_layout import FlowLayout

ATTENTION = ""  # the picker's first entry: the grid shows the heads' attention, no score colours


class HeadScoresBar(QWidget):
    """Emits metric_changed(name) ("" for none), probe_requested() and probe_enabled(bool)."""

    metric_changed = Signal(str)
    probe_requested = Signal()
    probe_enabled = Signal(bool)  # whether the probe can be asked for now (for a menu entry)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("headScoresBar")
        self.picker = QComboBox()
        self.picker.setObjectName("headMetricPicker")
        self.picker.setToolTip(
            self.tr("Colour each head of the grid by one of its scores (hover a head for the value)")
        )
        self.picker.addItem(self.tr("attention"), ATTENTION)
        for name, metric in METRICS.items():
            self.picker.addItem(i18n.title(metric.title), name)
            self.picker.setItemData(self.picker.count() - 1, i18n.title(metric.tip), 3)  # 3: Qt.ToolTipRole
        self.set_probe_available(False)
        self.probing = False  # a probe was asked for and has not answered
        self.probe_button = QPushButton(self.tr("Induction probe"))
        self.probe_button.setObjectName("inductionProbeButton")
        self.probe_button.setToolTip(
            self.tr(
                "Run a seeded sequence of random tokens, repeated twice, through the model and score "
                "every head on it: an induction head attends from each repeated token to the token after "
                "its first copy (score near 1)"
            )
        )
        self.status = QLabel("")
        self.status.setObjectName("headScoresStatus")
        self.status.setStyleSheet("color: #666;")
        self.status.setWordWrap(True)
        # The controls wrap like words and the status wraps too: a narrow grid pane keeps its width.
        controls = QWidget()
        row = FlowLayout(controls)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (QLabel(self.tr("colour heads by")), self.picker, self.probe_button):
            row.addWidget(widget)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(controls)
        column.addWidget(self.status)
        self.picker.currentIndexChanged.connect(lambda _index: self.metric_changed.emit(self.chosen))
        self.probe_button.clicked.connect(self.probe_requested)

    @property
    def chosen(self) -> str:
        return self.picker.currentData() or ATTENTION

    def set_metric(self, name: str) -> None:
        """Choose a metric programmatically (emits metric_changed when it changes)."""
        index = self.picker.findData(name)
        if index >= 0:
            self.picker.setCurrentIndex(index)

    def set_probe_available(self, available: bool) -> None:
        """The probe's entry is offered once the probe has run for this model."""
        index = self.picker.findData(PROBE)
        item = self.picker.model().item(index)  # type: ignore[attr-defined]  # a QStandardItemModel
        item.setEnabled(available)
        if not available and self.chosen == PROBE:
            with QSignalBlocker(self.picker):
                self.picker.setCurrentIndex(0)
            self.metric_changed.emit(ATTENTION)

    def set_probing(self, probing: bool, can_probe: bool = True) -> None:
        self.probing = probing
        self.probe_button.setEnabled(can_probe and not probing)
        self.probe_enabled.emit(self.probe_button.isEnabled())
        self.probe_button.setText(self.tr("Probing…") if probing else self.tr("Induction probe"))
