"""Choosing a model: the offline catalog, "Open folder…", a hub id; load options; load progress."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from attnlab.engine.api.config import LoadOptions
from attnlab.engine.api.results import CatalogEntry

DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("auto", "float32", "bfloat16", "float16")


class ModelPicker(QWidget):
    """Emits load_requested(spec, options)."""

    load_requested = Signal(str, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("modelPicker")
        self.models = QComboBox()
        self.models.setObjectName("modelList")
        self.models.setMinimumContentsLength(20)  # "tiny-gpt · decoder, 3.9…": the row fits beside a lesson at 800 px
        self.models.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.models.setToolTip(self.tr("Models available offline"))
        self.hub_id = QLineEdit()
        self.hub_id.setObjectName("hubIdInput")
        self.hub_id.setPlaceholderText(self.tr("hub id or path, Enter to load"))
        self.hub_id.setClearButtonEnabled(True)
        self.hub_id.setToolTip(
            self.tr("A Hugging Face hub id (online only) or the path of a model folder or .gguf file; Enter loads it")
        )
        self.open_button = QToolButton()
        self.open_button.setObjectName("openButton")
        self.open_button.setText(self.tr("Open…"))
        self.open_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.open_button.setToolTip(self.tr("Open a model folder or a GGUF file from disk"))
        open_menu = QMenu(self.open_button)
        open_menu.addAction(self.tr("Open folder…"), self._open_folder).setObjectName("openFolder")
        open_menu.addAction(self.tr("Open GGUF file…"), self._open_gguf).setObjectName("openGguf")
        self.open_button.setMenu(open_menu)
        self.options_button = QToolButton()
        self.options_button.setObjectName("loadOptionsButton")
        self.options_button.setText(self.tr("Options"))
        self.options_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.options_button.setToolTip(self.tr("How the next model loads: device, precision, spreading over devices"))
        self.options_button.setMenu(self._options_menu())
        self.progress = QProgressBar()
        self.progress.setObjectName("loadProgress")
        self.progress.setMaximumWidth(220)
        self.progress.setMinimumWidth(48)  # a busy bar needs little; its default minimum widened the row
        self.progress.setFormat("%p%")
        self.progress.hide()
        self.progress_label = QLabel()
        self.progress_label.setObjectName("loadProgressText")
        # as wide as the row leaves (its tooltip says it all): a long message must not widen the window past
        # a small screen, which Qt would do and keep (a lesson open while its model loads did: 1,060 px)
        self.progress_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.progress_label.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(self.tr("Model")))
        row.addWidget(self.models, 2)
        row.addWidget(self.hub_id, 2)
        row.addWidget(self.open_button)
        row.addWidget(self.options_button)
        row.addWidget(self.progress_label, 2)
        row.addWidget(self.progress, 1)
        self.models.activated.connect(self._on_activated)
        self.hub_id.returnPressed.connect(self._on_hub_id)
        self._current = ""
        self._loading = ""  # the model being loaded, shown in the list meanwhile

    # -- load options ------------------------------------------------------------------------

    def _options_menu(self) -> QMenu:
        menu = QMenu(self)
        self._device = self._choice(menu.addMenu(self.tr("Device")), DEVICES)
        self._dtype = self._choice(menu.addMenu(self.tr("Precision")), DTYPES)
        menu.addSeparator()  # a model's own code or pickled weights: asked per model when needed (app/consent.py)
        self._spread = menu.addAction(self.tr("Spread a model too big for one device over the GPUs and RAM"))
        self._spread.setObjectName("deviceMapAuto")
        self._spread.setCheckable(True)
        return menu

    def _choice(self, menu: QMenu, values: Sequence[str]) -> QActionGroup:
        group = QActionGroup(menu)
        for value in values:
            action = QAction(self.tr("auto") if value == "auto" else value, menu, checkable=True)
            action.setData(value)
            action.setChecked(value == "auto")
            group.addAction(action)
            menu.addAction(action)
        return group

    def options(self) -> LoadOptions:
        return LoadOptions(
            device=self._device.checkedAction().data(),
            dtype=self._dtype.checkedAction().data(),
            device_map="auto" if self._spread.isChecked() else None,
        )

    # -- catalog -----------------------------------------------------------------------------

    def _size(self, size: float) -> str:
        units = (self.tr("%1 bytes"), self.tr("%1 KB"), self.tr("%1 MB"), self.tr("%1 GB"))
        for power, unit in enumerate(units):
            if size < 1024 or power == len(units) - 1:
                return unit.replace("%1", f"{size:.0f}" if power == 0 else f"{size:.1f}")
            size /= 1024
        return ""

    def _details(self, entry: CatalogEntry) -> str:
        """What kind of model, how big, where it was found: in the window's language."""
        kinds = {
            "encoder": self.tr("encoder"),
            "decoder": self.tr("decoder"),
            "encoder-decoder": self.tr("encoder-decoder"),
            "unknown": self.tr("unknown kind"),
        }
        sources = {
            "bundled": self.tr("bundled"),
            "pip": self.tr("pip package"),
            "hf-cache": self.tr("Hugging Face cache"),
            "recent": self.tr("opened recently"),
            "converted": self.tr("converted"),
        }
        details = self.tr("%1, %2, %3")  # kind, size, source
        kind, source = kinds.get(entry.kind, entry.kind), sources.get(entry.source, entry.source)
        return details.replace("%1", kind).replace("%2", self._size(entry.size_bytes)).replace("%3", source)

    def set_catalog(self, entries: Sequence[CatalogEntry]) -> None:
        with QSignalBlocker(self.models):
            self.models.clear()
            for entry in entries:
                text = f"{entry.name}  ·  {self._details(entry)}"
                self.models.addItem(text, entry.name)
                tip = entry.description or entry.path
                self.models.setItemData(self.models.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        if self._loading:
            self.show_loading(self._loading)
        else:
            self.set_current(self._current)

    def show_loading(self, spec: str) -> None:
        """While `spec` loads, the list shows it (when the catalog has it), not the model it replaces."""
        self._loading = spec
        index = self.models.findData(spec)
        if index >= 0:
            with QSignalBlocker(self.models):
                self.models.setCurrentIndex(index)

    def set_current(self, name: str) -> None:
        """Show which model is loaded (adds it to the list when it is not in the catalog)."""
        self._current = name
        self._loading = ""
        if not name:
            return
        index = self.models.findData(name)
        if index < 0:
            self.models.addItem(name, name)
            index = self.models.count() - 1
        with QSignalBlocker(self.models):
            self.models.setCurrentIndex(index)

    def request_load(self, spec: str) -> None:
        spec = spec.strip()
        if spec:
            self.load_requested.emit(spec, self.options())

    # -- progress ----------------------------------------------------------------------------

    def set_loading(self, loading: bool, message: str = "", fraction: float = -1.0) -> None:
        for widget in (self.models, self.hub_id, self.open_button, self.options_button):
            widget.setEnabled(not loading)
        self.progress.setVisible(loading)
        self.progress_label.setVisible(loading)
        self.progress_label.setText(message)
        self.progress_label.setToolTip(message)
        if fraction < 0:
            self.progress.setRange(0, 0)  # busy indicator
        else:
            self.progress.setRange(0, 100)
            self.progress.setValue(round(100 * fraction))

    # -- events ------------------------------------------------------------------------------

    def _on_activated(self, index: int) -> None:
        name = self.models.itemData(index)
        if name and name != self._current:
            self.request_load(name)

    def _on_hub_id(self) -> None:
        self.request_load(self.hub_id.text())

    def _open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a model folder"))
        if folder:
            self.request_load(folder)

    def _open_gguf(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open a GGUF model"), filter=self.tr("GGUF models (*.gguf)")
        )
        if path:
            self.request_load(path)
