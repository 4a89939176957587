"""Sessions in the window: File ▸ New, Open…, Open Recent, Save, Save As…; dropping a session file
or a model on the window; autosave after every change, and the offer to restore after a crash.

A session is data (engine/saved_session.py): opening one loads its model (unless it is loaded
already), puts back its texts, masks and sampling, and replays its generated tokens under the
masks in one prefill, as a mask change does — the window then shows the same tokens, attention
and candidates. The window's own state is read and set here through its attributes; main_window
only calls `install_sessions` and takes `pending_replay` in `analyse`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QMimeData, QObject, QTimer
from PySide6.QtGui import QAction, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QVBoxLayout

from attnlab.app.autosave import AutosaveWriter, new_autosave_path, orphans, write_autosave
from attnlab.app.branch_actions import Branches
from attnlab.app.branches import Branch
from attnlab.app.dialog_folder import remember_folder, start_folder
from attnlab.app.generated_record import opened_when_generated, saved_when_generated
from attnlab.app.i18n import translate
from attnlab.app.widgets.restore_banner import RestoreBanner
from attnlab.engine.api.results import Masks, ModelInfo
from attnlab.engine.api.saved_session import (
    SUFFIX,
    ModelRef,
    SessionData,
    SessionFileError,
    model_spec,
    read_session,
    weights_hash,
    write_session,
)

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

AUTOSAVE_MS = 250  # changes are written at most this long after they happen
RECENT_KEY = "sessions/recent"
RECENT_LIMIT = 10
FILTER = QT_TRANSLATE_NOOP("Sessions", "attnlab sessions (*{0});;All files (*)")  # translated where used


def install_sessions(window: MainWindow) -> Sessions:
    """Add the session actions to the File menu and start autosaving `window`."""
    return Sessions(window)


class Sessions(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.path: Path | None = None  # the session file the window shows (None: untitled)
        self.autosave_path = new_autosave_path()
        self._writer = AutosaveWriter(self.autosave_path)
        self._pending: SessionData | None = None  # opened, waiting for its model
        self._pending_spec = ""  # the model load it waits for
        self._weights: tuple[str, str | None] = ("", None)  # (path, hash) of the loaded model's weights
        self._orphan: Path | None = None
        self.branches = Branches(window)  # saved with the session
        self._timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._timer.timeout.connect(self.autosave)
        self.banner = RestoreBanner()
        layout = cast(QVBoxLayout, window.centralWidget().layout())  # type: ignore[union-attr]  # picker, banner, views
        layout.insertWidget(layout.indexOf(window.banner) + 1, self.banner)
        self.banner.restore_requested.connect(self.restore)
        self.banner.discard_requested.connect(self.discard)
        self._add_actions()
        self._connect()
        window.setAcceptDrops(True)
        for watched in (window, window.text_input.viewport(), window.source_input.viewport()):
            watched.installEventFilter(self)
        self._offer_restore()

    # -- menu --------------------------------------------------------------------------------

    def _add_actions(self) -> None:
        w = self.window
        menu = w.menus["fileMenu"]
        first = menu.actions()[0] if menu.actions() else None

        def action(text: str, name: str, tip: str, key: QKeySequence.StandardKey, slot) -> QAction:
            item = QAction(text, w)
            item.setObjectName(name)
            item.setStatusTip(tip)
            item.setToolTip(tip)
            item.setShortcut(QKeySequence(key))
            item.triggered.connect(lambda: slot())
            menu.insertAction(first, item)  # type: ignore[arg-type]  # None appends
            return item

        keys = QKeySequence.StandardKey
        self.new_action = action(
            self.tr("&New Session"),
            "newSessionAction",
            self.tr("Start over: empty text, no masks, no tokens"),
            keys.New,
            self.new,
        )
        self.open_action = action(
            self.tr("&Open Session…"),
            "openSessionAction",
            self.tr("Open a saved .attnlab session"),
            keys.Open,
            self.open_dialog,
        )
        self.recent_menu = QMenu(self.tr("Open &Recent"), w)
        self.recent_menu.setObjectName("recentSessionsMenu")
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        menu.insertMenu(first, self.recent_menu)  # type: ignore[arg-type]
        menu.insertSeparator(first)  # type: ignore[arg-type]
        self.save_action = action(
            self.tr("&Save Session"),
            "saveSessionAction",
            self.tr("Save the model, text, masks, sampling and generated tokens"),
            keys.Save,
            self.save,
        )
        self.save_as_action = action(
            self.tr("Save Session &As…"),
            "saveSessionAsAction",
            self.tr("Save the session to a new file"),
            keys.SaveAs,
            self.save_as,
        )
        menu.insertSeparator(first)  # type: ignore[arg-type]

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        paths = self.recent()
        for path in paths:
            item = self.recent_menu.addAction(Path(path).name)
            item.setToolTip(path)
            item.triggered.connect(lambda _=False, p=path: self.open(p))
        if not paths:
            self.recent_menu.addAction(self.tr("No recent sessions")).setEnabled(False)

    def recent(self) -> list[str]:
        value = self.window.settings.value(RECENT_KEY) or []
        paths = [value] if isinstance(value, str) else [str(p) for p in value]
        return [p for p in paths if os.path.isfile(p)][:RECENT_LIMIT]

    def _remember(self, path: Path) -> None:
        entry = str(path.resolve())
        paths = [entry] + [p for p in self.recent() if p != entry]
        self.window.settings.setValue(RECENT_KEY, paths[:RECENT_LIMIT])

    # -- the window's session ----------------------------------------------------------------

    def current(self) -> SessionData | None:
        """What the window shows, as a session (None before a model is loaded)."""
        w = self.window
        info = w.document.info
        if info is None:
            return None
        options = w.picker.options()
        editing = w._analyse_timer.isActive()  # an edited text: its analysis will drop the generated tokens
        branches, current = ([], 0) if editing else self.branches.saved()
        return SessionData(
            model=ModelRef(info.name, info.path, info.kind, self._hash(info.path), options.device, options.dtype),
            text=w.text_input.toPlainText(),
            source=w.source_input.toPlainText() if info.kind == "encoder-decoder" else None,
            masks=w._masks,
            sampling=w.sampling.config(),
            generated=() if editing else tuple(step.token_id for step in w.document.steps),
            branches=tuple((b.name, tuple(b.tokens)) for b in branches),
            current_branch=current,
            when_generated=() if editing else saved_when_generated(w.document.when_generated()),
        )

    def new(self) -> None:
        """An empty, untitled session on the same model."""
        w = self.window
        w.client.stop()
        self._pending, self.path = None, None
        w._masks = Masks()
        w.text_input.setPlainText("")
        w.source_input.setPlainText("")
        w._show_marks()
        w.analyse()
        self.branches.reset()
        self._show_title()
        self.schedule()

    def open_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("Open a session"), self._folder(), self.tr(str(FILTER)).format(SUFFIX)
        )
        if name:
            remember_folder(self.window.settings, name)
            self.open(name)

    def open(self, path: str | os.PathLike[str], start: bool = False) -> bool:
        """Open a session file; False (and a message, nothing changed) when it cannot be read.
        start: the window has not started (the catalog is not listed yet)."""
        try:
            data = read_session(path)
        except SessionFileError as error:
            self.window._show_message(str(error), origin="input")
            return False
        self.path = Path(path).expanduser().resolve()
        self._remember(self.path)
        self.apply(data, start)
        return True

    def apply(self, data: SessionData, start: bool = False) -> None:
        """Show `data`: load its model if another one is loaded, then replay it."""
        w = self.window
        w.client.stop()
        self._pending = data
        w.sampling.set_config(data.sampling)
        w._on_sampling_changed(data.sampling)
        info = w.document.info
        same = info is not None and data.model.name in (info.name, info.path)
        if same and not w.client.loading:
            self._apply_pending(info)  # type: ignore[arg-type]  # same is only True with a model
            w.analyse()
        elif start or (info is None and not w.client.loading):
            w.start(model_spec(data.model))
        else:
            w.load(model_spec(data.model))
        self._pending_spec = w._spec
        self._show_title()

    def _apply_pending(self, info: ModelInfo) -> None:
        """Texts, masks and the tokens to replay; the window's next analysis replays them."""
        w = self.window
        data, self._pending = self._pending, None
        assert data is not None
        w._set_texts(data.text, data.source or "")
        w._text_kind = info.kind
        w._masks = data.masks
        w._show_marks()
        w.pending_replay = data.generated if info.can_generate else ()
        w.document.expect_generated(opened_when_generated(data) if info.can_generate else ())
        self.branches.expect([Branch(name, list(tokens)) for name, tokens in data.branches], data.current_branch)
        notes = []
        if data.model.kind and data.model.kind != info.kind:
            notes.append(
                self.tr("This session was saved with a {0} model; {1} is a {2}.").format(
                    translate("EngineMessage", data.model.kind), info.name, translate("EngineMessage", info.kind)
                )
            )
        if data.model.weights_sha256 and self._hash(info.path) != data.model.weights_sha256:
            notes.append(
                self.tr(
                    "The weights of {0} changed since this session was saved: its text, masks and "
                    "tokens are kept, but the attention and candidates are the new weights', not the "
                    "saved run's."
                ).format(data.model.name)
            )
        if notes:
            w._show_message(" ".join(notes), "info", origin="load")

    def _hash(self, path: str) -> str | None:
        """The hash of the weights at `path` as the model was loaded (computed once per load)."""
        if self._weights[0] != path:
            self._weights = (path, weights_hash(path))
        return self._weights[1]

    def save(self, path: str | os.PathLike[str] | None = None) -> bool:
        """Save to `path` (or the session's own file; asks where when it has none)."""
        w = self.window
        target = Path(path).expanduser() if path is not None else self.path
        if target is None:
            return self.save_as()
        data = self.current()
        if data is None:
            w._show_message(self.tr("Nothing to save yet: load a model first."), "info", origin="input")
            return False
        if target.suffix != SUFFIX:
            target = target.with_name(target.name + SUFFIX)
        try:
            write_session(data, target)
        except (OSError, SessionFileError) as error:
            w._show_message(self.tr("Could not save the session: {0}").format(error), origin="input")
            return False
        self.path = target.resolve()
        self._remember(self.path)
        self._show_title()
        w.statusBar().showMessage(self.tr("Saved {0}").format(self.path), 4000)
        return True

    def save_as(self) -> bool:
        name, _ = QFileDialog.getSaveFileName(
            self.window, self.tr("Save the session"), self._folder(), self.tr(str(FILTER)).format(SUFFIX)
        )
        if name:
            remember_folder(self.window.settings, name)
        return self.save(name) if name else False

    def _folder(self) -> str:
        return str(self.path.parent) if self.path else start_folder(self.window.settings)

    def _show_title(self) -> None:
        info = self.window.document.info
        parts = ([info.name] if info else []) + ([self.path.name] if self.path else [])
        if not QGuiApplication.applicationDisplayName() or not parts:  # else Qt adds " — attnlab" itself
            parts.insert(0, "attnlab")
        self.window.setWindowTitle(" — ".join(parts))

    # -- engine replies ----------------------------------------------------------------------

    def _connect(self) -> None:
        w = self.window
        w.model_loaded.connect(self._on_model_loaded)  # after the window's own handling, before its analysis
        w.client.load_failed.connect(self._on_load_failed)
        for signal in (
            w.client.analysed,
            w.client.stepped,
            w.client.undone,
            w.text_input.textChanged,
            w.source_input.textChanged,
            w.sampling.changed,
            self.branches.panel.rename_requested,
            self.branches.panel.delete_requested,
        ):
            signal.connect(self.schedule)

    def _ours(self) -> bool:
        """The load that just ended is the last one asked for, and the pending session's; when
        the user picked another model meanwhile, the session gives way."""
        if self._pending is not None and self.window._spec != self._pending_spec:
            self._pending = None
        return self._pending is not None

    def _on_model_loaded(self, info: ModelInfo) -> None:
        self._weights = (info.path, weights_hash(info.path))  # the weights as loaded, not as they become
        if self._ours():
            self._apply_pending(info)
        self._show_title()
        self.schedule()

    def _on_load_failed(self, message: str) -> None:
        if not self._ours():
            return
        data, self._pending = self._pending, None
        assert data is not None
        w = self.window
        kept = w.document.info
        w._set_texts(data.text, data.source or "")
        w._masks = Masks()
        w._show_marks()
        self.path = None  # saving now would write another model under the session's name
        shown = self.tr(" It is shown with {0}.").format(kept.name) if kept else ""
        w._show_message(
            self.tr(
                "This session's model {0} could not be loaded: {1}. Its text is kept.{2} Pick a model "
                "to analyse it, or make the model available and open the session again."
            ).format(data.model.name, message, shown),
            origin="load",
        )
        if kept:
            w.analyse()
        self._show_title()

    # -- autosave and restore ----------------------------------------------------------------

    def schedule(self, *_: object) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def autosave(self) -> None:
        data = self.current()
        if data is not None:
            self._writer.submit(data)

    def _offer_restore(self) -> None:
        for orphan in orphans():
            try:
                data = read_session(orphan)
            except SessionFileError:
                orphan.unlink(missing_ok=True)  # damaged beyond use (it was written atomically: not by us)
                continue
            self._orphan = orphan
            words = " ".join((data.source or data.text).split())
            model = Path(data.model.name).name if os.sep in data.model.name else data.model.name
            shown = words[:60] + ("…" if len(words) > 60 else "")
            self.banner.offer(
                self.tr(
                    "attnlab did not close properly last time. Restore the unsaved session on "
                    "{0} (“{1}”, {2} generated tokens)?"
                ).format(model, shown, len(data.generated))
            )
            return
        self._orphan = None
        self.banner.hide()

    def restore(self) -> None:
        orphan = self._orphan
        self.banner.hide()
        if orphan is None:
            return
        try:
            data = read_session(orphan)
        except SessionFileError as error:
            self.window._show_message(str(error), origin="input")
            return
        if write_autosave(data, self.autosave_path):  # this window's now: a second crash keeps it too
            orphan.unlink(missing_ok=True)
        self.path = None
        self.apply(data)

    def discard(self) -> None:
        if self._orphan is not None:
            self._orphan.unlink(missing_ok=True)
        self._offer_restore()  # the next one, if more windows were lost

    def _closed(self) -> None:
        self._timer.stop()
        self._writer.close()  # a clean exit: nothing to restore

    # -- drops and close ---------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind == QEvent.Type.Close and watched is self.window:
            self._closed()
        elif kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and isinstance(event, QDropEvent):
            if dropped(event.mimeData()) is not None:
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop and isinstance(event, QDropEvent):
            target = dropped(event.mimeData())
            if target is not None:
                event.acceptProposedAction()
                self.open_dropped(target)
                return True
        return False

    def open_dropped(self, path: Path) -> None:
        """A session file opens; a model folder or .gguf file loads."""
        if path.suffix == SUFFIX:
            self.open(path)
        else:
            self.window.load(str(path))


def dropped(mime: QMimeData) -> Path | None:
    """The session file, model folder or .gguf file among dropped URLs (None: not ours to take)."""
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if path.suffix == SUFFIX and path.is_file():
            return path
        if (path.is_dir() and (path / "config.json").is_file()) or (path.suffix == ".gguf" and path.is_file()):
            return path
    return None
