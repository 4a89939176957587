"""The window's figure actions: File ▸ Export Figure… (Ctrl+E), and on each view's right-click menu
Export Figure…, Copy Image, Save Matrix… and the PNG resolution.

The actions ask for a file and call export_figure / save_matrix / copy_image, which take the path
and do the work: tests and scripts call those directly, without a dialog.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu

from attnlab.app.actions import ActionSpec
from attnlab.app.attention_panel import AttentionPanel
from attnlab.app.dialog_folder import remember_folder, start_path
from attnlab.app.engine_messages import translate_engine_message
from attnlab.app.figures import (
    DATA_FORMATS,
    IMAGE_FORMATS,
    MINIMUM_SIZE,
    FigureData,
    FigureMetadata,
    at_least,
    masks_dict,
    render_image,
    save_figure,
    save_matrix,
)
from attnlab.app.menus import make_action
from attnlab.app.plots.plot_title import TitledView
from attnlab.engine.api.messages import as_message
from attnlab.engine.api.saved_session import weights_hash

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

# Titles are translated where shown (context "FigureActions").
VIEW_TITLES = {
    "heatmap": QT_TRANSLATE_NOOP("FigureActions", "Large heatmap"),
    "grid": QT_TRANSLATE_NOOP("FigureActions", "Head grid"),
}
FORMAT_TITLES = {
    "png": QT_TRANSLATE_NOOP("FigureActions", "PNG image"),
    "svg": QT_TRANSLATE_NOOP("FigureActions", "SVG (vector, text stays text)"),
    "pdf": QT_TRANSLATE_NOOP("FigureActions", "PDF (vector)"),
    "csv": QT_TRANSLATE_NOOP("FigureActions", "matrix as CSV"),
    "npy": QT_TRANSLATE_NOOP("FigureActions", "matrix as NumPy .npy"),
}
RESOLUTIONS = {
    QT_TRANSLATE_NOOP("FigureActions", "2× the screen's pixels"): None,
    "150 dpi": 150,
    "300 dpi": 300,
    "600 dpi": 600,
}


def describe(
    panel: AttentionPanel, which: str, text: str = "", source: str | None = None, weights_hash: str | None = None
) -> FigureData | None:
    """The numbers and metadata of the panel's heatmap ("heatmap") or head grid ("grid"), or None
    when it shows nothing. `weights_hash`: the content hash of the model's weights, when known."""
    current = panel.showing()
    if current is None or panel.picker.stack is None:
        return None
    document, snapshot, stack, layer = current
    info = document.info
    picker = panel.picker
    queries, keys = document.labels(stack)
    head = None if picker.mean else picker.head
    layers: tuple[int, ...]
    if which == "heatmap":
        matrix, layers, title = panel.heatmap.matrix, (layer,), panel.heatmap.title
        view = "rollout" if panel.rollout_on else "heatmap"  # rollout up to `layer`, of no one head
        head = None if panel.rollout_on else head
    else:
        layers = tuple(range(snapshot.shape(stack)[0])) if picker.all_layers else (layer,)
        matrix = np.stack([snapshot.layer(stack, i) for i in layers])  # [layer, head, query, key]
        view, title = ("all-layers" if picker.all_layers else "grid"), panel.grid.title
    metadata = FigureMetadata(
        model=info.name if info else "",
        view=view,
        stack=stack,
        layer=layer,
        head=head,
        title=title,
        text=text,
        source=source,
        weights_hash=weights_hash,
        masks=masks_dict(document.masks),
        generated_ids=tuple(step.token_id for step in document.steps),
        colour_scale=picker.scale if which == "heatmap" else "linear",  # the grid is always linear
        hide_first_token=picker.hide_first and which == "heatmap",
    )
    return FigureData(matrix, layers, tuple(queries), tuple(keys), metadata)


class FigureActions(QObject):
    """Figure export for one window; `install_figures(window)` makes it and adds its actions."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.views: dict[str, TitledView] = {"heatmap": window.attention.heatmap, "grid": window.attention.grid}
        self.dpi: float | None = None  # PNG resolution: None is twice the screen's pixels
        self._weights: tuple[str, str | None] = ("", None)  # (model path, its weights' hash)
        self.export_action = window.action_registry.add(
            ActionSpec(
                "exportFigureAction",
                self.tr("&Export Figure…"),
                "fileMenu",
                lambda: self.ask_and_export(None),
                self.tr("Save a view as PNG, SVG or PDF, or its matrix as CSV or .npy"),
                "Ctrl+E",
                before="quitAction",
            )
        )
        self.resolution_menu = self._resolution_menu()
        for which, view in self.views.items():
            view.menu_actions = self._view_actions(which)

    def _view_actions(self, which: str) -> list[QAction]:
        export = make_action(
            self, self.tr("Export Figure…"), f"exportFigure_{which}", self.tr("Save this view as PNG, SVG or PDF")
        )
        export.triggered.connect(lambda: self.ask_and_export(which))
        copy = make_action(
            self, self.tr("Copy Image"), f"copyImage_{which}", self.tr("Copy this view to the clipboard as an image")
        )
        copy.triggered.connect(lambda: self.copy_image(which))
        matrix = make_action(
            self,
            self.tr("Save Matrix…"),
            f"saveMatrix_{which}",
            self.tr("Save the weights this view shows as CSV or .npy"),
        )
        matrix.triggered.connect(lambda: self.ask_and_export(which, DATA_FORMATS))
        return [export, copy, matrix, self.resolution_menu.menuAction()]

    def _resolution_menu(self) -> QMenu:
        menu = QMenu(self.tr("PNG Resolution"), self.window)
        menu.setObjectName("pngResolutionMenu")
        group = QActionGroup(menu)
        for title, dpi in RESOLUTIONS.items():
            action = menu.addAction(self.tr(str(title)))
            action.setCheckable(True)
            action.setChecked(dpi == self.dpi)
            action.triggered.connect(lambda _checked=False, dpi=dpi: setattr(self, "dpi", dpi))
            group.addAction(action)
        return menu

    # -- what the actions do (tests call these) ----------------------------------------------

    def data(self, which: str) -> FigureData | None:
        window = self.window
        info = window.document.info
        source = window.source_input.toPlainText() if info and info.kind == "encoder-decoder" else None
        if info is not None and self._weights[0] != info.path:
            self._weights = (info.path, weights_hash(info.path))  # once per model: it reads the files
        return describe(window.attention, which, window.text_input.toPlainText(), source, self._weights[1])

    def export(self, path: Path, which: str = "heatmap") -> Path | None:
        """Write the view as .png/.svg/.pdf, or its matrix as .csv/.npy, by the file's ending.
        Returns the file, or None after showing why nothing was written."""
        if self._long_refused():
            return None
        data = self.data(which)
        if data is None:
            self._fail(self.tr("Nothing to export yet: load a model and type some text first."))
            return None
        try:
            if Path(path).suffix.lower().lstrip(".") in DATA_FORMATS:
                written = save_matrix(data, Path(path))
            else:
                with at_least(self.views[which], MINIMUM_SIZE[which]):
                    written = save_figure(self.views[which], Path(path), data.metadata, self.dpi)
        except (OSError, ValueError) as error:
            self._fail(self.tr("Could not export: {0}").format(translate_engine_message(as_message(error))))
            return None
        self.window.statusBar().showMessage(self.tr("Saved {0}").format(written), 6000)
        return written

    def copy_image(self, which: str = "heatmap") -> None:
        """The view as an image on the clipboard (at the PNG resolution)."""
        if self._long_refused():
            return
        if self.data(which) is None:
            self._fail(self.tr("Nothing to copy yet: load a model and type some text first."))
            return
        clipboard = QApplication.clipboard()
        with at_least(self.views[which], MINIMUM_SIZE[which]):
            clipboard.setImage(render_image(self.views[which], self.dpi))
        title = self.tr(str(VIEW_TITLES[which])).lower()
        self.window.statusBar().showMessage(self.tr("Copied the {0} as an image").format(title), 4000)

    def ask_and_export(self, which: str | None, formats: tuple[str, ...] = IMAGE_FORMATS) -> None:
        """Ask for a file (and, from the File menu, which view) and export to it."""
        choices = [(w, f) for w in ([which] if which else list(self.views)) for f in formats]
        if which is None:
            choices += [(w, f) for w in self.views for f in DATA_FORMATS]
        filters = [f"{self.tr(str(VIEW_TITLES[w]))}: {self.tr(str(FORMAT_TITLES[f]))} (*.{f})" for w, f in choices]
        data = self.data(which or "heatmap")
        if data is None:
            self._fail(self.tr("Nothing to export yet: load a model and type some text first."))
            return
        name = _default_name(data.metadata)
        path, chosen = QFileDialog.getSaveFileName(
            self.window,
            self.tr("Export Figure"),
            start_path(self.window.settings, f"{name}.{choices[0][1]}"),
            ";;".join(filters),
        )
        if not path:
            return
        remember_folder(self.window.settings, path)
        view, suffix = choices[filters.index(chosen)] if chosen in filters else choices[0]
        path_obj = Path(path)
        if not path_obj.suffix:
            path_obj = path_obj.with_suffix(f".{suffix}")
        self.export(path_obj, view)

    def _long_refused(self) -> bool:
        """A long document has only an overview here, not the full matrix a figure carries: say so."""
        if self.window.document.long is None:
            return False
        self._fail(
            self.tr(
                "A long document keeps only an overview of its attention here, not the full matrix a "
                "figure carries: export the layers and heads you need with `attnlab export --layers "
                "L --heads H` instead."
            )
        )
        return True

    def _fail(self, message: str) -> None:
        self.window.banner.show_message(message, "error")


def _default_name(metadata: FigureMetadata) -> str:
    head = "mean" if metadata.head is None else f"h{metadata.head}"
    model = re.sub(r"[^\w.-]+", "_", Path(metadata.model).name) or "model"
    where = f"{metadata.stack}-l{metadata.layer}" if metadata.view != "all-layers" else metadata.stack
    return f"{model}-{metadata.view}-{where}-{head}"


def install_figures(window: MainWindow) -> FigureActions:
    """Add File ▸ Export Figure… (before Quit) and the views' right-click figure actions."""
    figures = FigureActions(window)
    registry = window.action_registry
    quit_action = registry.action("quitAction")
    menu = registry.menus["fileMenu"]
    menu.insertMenu(quit_action, figures.resolution_menu)
    menu.insertSeparator(quit_action)
    return figures
