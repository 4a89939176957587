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
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QVBoxLayout

from attnlab.app.actions import ActionSpec
from attnlab.app.autosave import AutosaveWriter, folder_problem, new_autosave_path, orphans, remove
from attnlab.app.branch_actions import Branches
from attnlab.app.branches import Branch
from attnlab.app.consent import marks
from attnlab.app.dialog_folder import remember_folder, start_folder
from attnlab.app.engine_messages import translate_engine_message
from attnlab.app.generated_record import opened_when_generated, saved_when_generated
from attnlab.app.i18n import translate
from attnlab.app.session_file import MAX_BRANCHES, read_session_file
from attnlab.app.text_box import MAX_CHARS
from attnlab.app.widgets.restore_banner import RestoreBanner
from attnlab.engine.api.messages import as_message
from attnlab.engine.api.results import Masks, ModelInfo
from attnlab.engine.api.saved_session import (
    SUFFIX,
    ModelRef,
    SessionData,
    SessionFileError,
    model_spec,
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
    autosave_reported = Signal(object)  # from the autosave thread: None (written) or why the write failed

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.path: Path | None = None  # the session file the window shows (None: untitled)
        self.autosave_path = new_autosave_path()
        self.autosave_off = folder_problem()  # why autosave cannot write (None: it can)
        self._writer = AutosaveWriter(self.autosave_path, self.autosave_reported.emit)
        self._autosave_failed = False  # the last write failed, and the user was told
        self._pending: SessionData | None = None  # opened, waiting for its model
        self._pending_spec = ""  # the model load it waits for
        self._weights: tuple[str, str | None] = ("", None)  # (path, hash) of the loaded model's weights
        # (spec loaded, the session's model name) when its name did not resolve here and its folder loaded:
        # a re-save names the model as the session did (a catalog name), not the folder (a converted cache)
        self._alias: tuple[str, str] = ("", "")
        self._orphan: Path | None = None
        self._kept: set[Path] = set()  # unreadable autosaves the user chose to keep: not offered again this run
        self._restoring: tuple[Path, SessionData] | None = None  # a restored autosave, until it is all shown again
        self.branches = Branches(window)  # saved with the session
        self._timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._timer.timeout.connect(self.autosave)
        self.banner = RestoreBanner()
        layout = cast(QVBoxLayout, window.centralWidget().layout())  # type: ignore[union-attr]  # picker, banner, views
        layout.insertWidget(layout.indexOf(window.banner) + 1, self.banner)
        self.banner.restore_requested.connect(self.restore)
        self.banner.discard_requested.connect(self.discard)
        self.banner.keep_requested.connect(self.keep)
        self._add_actions()
        self._connect()
        window.setAcceptDrops(True)
        for watched in (window, window.text_input.viewport(), window.source_input.viewport()):
            watched.installEventFilter(self)
        self.autosave_reported.connect(self._on_autosave_reported)
        self._offer_restore()
        if self.autosave_off is not None:
            self._say_autosave_off()

    # -- menu --------------------------------------------------------------------------------

    def _add_actions(self) -> None:
        w = self.window
        registry = w.action_registry
        menu = registry.menus["fileMenu"]
        first = registry.action("openTextAction")

        def action(text: str, name: str, tip: str, key: QKeySequence.StandardKey, slot) -> QAction:
            return registry.add(ActionSpec(name, text, "fileMenu", slot, tip, key, before="openTextAction"))

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
        menu.insertMenu(first, self.recent_menu)
        menu.insertSeparator(first)
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
        menu.insertSeparator(first)

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
        # An edited text (its analysis will drop the generated tokens), or one the engine refused or
        # that is blank (the tokens shown are the previous prompt's): the tokens are not this text's.
        editing = w._analyse_timer.isActive() or w.views_stale or w.document.analysis is None
        branches, current = ([], 0) if editing else self.branches.saved()
        generated = () if editing else tuple(step.token_id for step in w.document.steps)
        sampling = w.sampling.config()
        longest = max([len(generated), *(len(b.tokens) for b in branches)])
        if sampling.max_new_tokens < longest:  # lowered after generating: the file must still replay them all
            sampling = replace(sampling, max_new_tokens=longest)
        name = self._alias[1] if self._alias[0] and info.name == self._alias[0] else info.name
        return SessionData(
            model=ModelRef(name, info.path, info.kind, self._hash(info.path), options.device, options.dtype),
            text=w.text_input.toPlainText(),
            source=w.source_input.toPlainText() if info.kind == "encoder-decoder" else None,
            masks=w._masks,
            sampling=sampling,
            generated=generated,
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
        """Open a session file; False (and a message, nothing changed: Save still writes where it
        did) when it cannot be read or the window cannot show its settings.
        start: the window has not started (the catalog is not listed yet)."""
        try:
            data = read_session_file(path)
        except SessionFileError as error:
            self._refuse(translate_engine_message(as_message(error)))
            return False
        unfit = self._unfit(data)
        if unfit is not None:
            self._refuse(self.tr("{0} {1}").format(Path(path).name, unfit))
            return False
        self.apply(data, start)
        self.path = Path(path).expanduser().resolve()  # only now: a refused file is never saved over
        self._remember(self.path)
        self._show_title()
        return True

    def _unfit(self, data: SessionData) -> str | None:
        """What in `data` the window cannot show as it is (it would clamp, crash or freeze), or None."""
        sampling = self.window.sampling.out_of_range(data.sampling)
        if sampling is not None:
            return self.tr("asks for sampling settings the window cannot hold: {0}.").format(sampling)
        longest = max(len(data.text), len(data.source or ""))
        if longest > MAX_CHARS:
            return self.tr("holds a text of {0:,} characters; attnlab takes at most {1:,}.").format(longest, MAX_CHARS)
        if len(data.branches) > MAX_BRANCHES:
            return self.tr("has {0:,} branches; the window keeps at most {1:,}.").format(
                len(data.branches), MAX_BRANCHES
            )
        return None

    def _refuse(self, reason: str) -> None:
        # origin "session": neither the fallback model's load nor its first analysis clears it
        self.window._show_message(self.tr("The session was not opened: {0}").format(reason), origin="session")

    def apply(self, data: SessionData, start: bool = False) -> None:
        """Show `data`: load its model if another one is loaded, then replay it."""
        w = self.window
        w.client.stop()
        self._pending = data
        w.sampling.set_config(data.sampling)
        w._on_sampling_changed(data.sampling)
        info = w.document.info
        spec = model_spec(data.model)  # its folder when its name does not resolve here
        self._alias = (spec, data.model.name) if spec != data.model.name else ("", "")
        same = info is not None and (data.model.name in (info.name, info.path) or spec in (info.name, info.path))
        if same and not w.client.loading:
            self._apply_pending(info)  # type: ignore[arg-type]  # same is only True with a model
            w.analyse()
        elif start or (info is None and not w.client.loading):
            w.start(spec)
        else:
            w.load(spec)
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
            if isinstance(error, OSError) and not isinstance(error, SessionFileError):
                reason = f"{target}: {error.strerror or error}"
            else:
                reason = translate_engine_message(as_message(error))
                reason = reason.removeprefix("cannot save the session: ")  # said once, by this message
            w._show_message(self.tr("Could not save the session: {0}").format(reason), origin="input")
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
        parts += [marks(info)] if marks(info) else []  # consent in force, partly random weights
        if not QGuiApplication.applicationDisplayName() or not parts:  # else Qt adds " — attnlab" itself
            parts.insert(0, "attnlab")
        self.window.setWindowTitle(" — ".join(parts))

    # -- engine replies ----------------------------------------------------------------------

    def _connect(self) -> None:
        w = self.window
        w.model_loaded.connect(self._on_model_loaded)  # after the window's own handling, before its analysis
        w.client.load_failed.connect(self._on_load_failed)
        w.client.analysed.connect(self._on_analysed)
        w.client.analysis_failed.connect(self._on_analysis_failed)
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

    def waiting(self) -> SessionData | None:
        """The opened session file that waits for the model being loaded (None: none, or it gave way)."""
        return self._pending if self._ours() else None

    def _ours(self) -> bool:
        """The load that just ended is the last one asked for, and the pending session's; when
        the user picked another model meanwhile, the session gives way."""
        if self._pending is not None and self.window._spec != self._pending_spec:
            self._pending = None
            self._restoring = None  # the restored autosave stays on disk, offered again next time
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
        if self._restoring is not None:  # the autosave stays as it was: offered again at the next start
            shown += " " + self.tr("The unsaved session itself is kept whole and offered again next time.")
            self._restoring = None
        w._show_message(
            self.tr(
                "This session's model {0} could not be loaded: {1}. Its text is kept.{2} Pick a model "
                "to analyse it, or make the model available and open the session again."
            ).format(data.model.name, message.rstrip(".。 "), shown),  # the engine's own full stop: not twice
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
        if self.autosave_off is not None or self._restoring is not None:
            return  # a restored session is not written until it is all shown: its orphan holds it meanwhile
        data = self.current()
        if data is not None:
            self._writer.submit(data)

    def _on_analysed(self, result: object) -> None:
        """The restored session's replay is shown: from now on this window's autosave holds it."""
        if self._restoring is None or self._pending is not None or self.window.pending_replay:
            return
        orphan, data = self._restoring
        info = self.window.document.info
        shown = tuple(step.token_id for step in self.window.document.steps)
        self._restoring = None
        if info is None or (info.can_generate and shown != data.generated):
            return  # not all of it came back: the orphan stays for the next start
        current = self.current()
        if current is not None and self.autosave_off is None:
            self._writer.submit(current, after=lambda: remove(orphan))

    def _on_analysis_failed(self, message: str) -> None:
        self._restoring = None  # the orphan stays; what the user does next is autosaved again

    def _on_autosave_reported(self, problem: object) -> None:
        """Say once when autosave starts failing (a full disk, a folder gone), and when it works again."""
        w = self.window
        if problem is not None and not self._autosave_failed:
            self._autosave_failed = True
            w._show_message(
                self.tr(
                    "Autosave failed: {0} ({1}). Your changes are not being kept automatically: save the "
                    "session (Ctrl+S) somewhere with room."
                ).format(problem, self.autosave_path),
                origin="autosave",
            )
        elif problem is None and self._autosave_failed:
            self._autosave_failed = False
            if w._banner_origin == "autosave":
                w.banner.dismiss()
            w.statusBar().showMessage(self.tr("Autosave works again"), 4000)

    def _say_autosave_off(self) -> None:
        w = self.window
        w._show_message(
            self.tr(
                "Autosave and the log are off: the data folder cannot be written ({0}). Save your work "
                "with Ctrl+S; point ATTNLAB_DATA at a writable folder to turn them back on."
            ).format(self.autosave_off),
            "info",
            origin="data",
        )

    def _offer_restore(self) -> None:
        for orphan in orphans():
            if orphan in self._kept:
                continue
            try:
                data = read_session_file(orphan)
            except SessionFileError as error:  # kept: a newer attnlab's, or damaged; the user decides
                self._orphan = orphan
                self.banner.offer(
                    self.tr(
                        "attnlab did not close properly last time, and its unsaved session cannot be read: "
                        "{0}. The file is kept at {1}."
                    ).format(translate_engine_message(str(error)), orphan),
                    restorable=False,
                )
                return
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
        """Show the orphan's session. The orphan stays on disk until all of it is shown again (its
        model loaded, its tokens replayed) and this window's autosave holds it: a crash before
        that, or a model that cannot load, loses nothing."""
        orphan = self._orphan
        self.banner.hide()
        if orphan is None:
            return
        try:
            data = read_session_file(orphan)
        except SessionFileError as error:
            self._refuse(translate_engine_message(as_message(error)))
            return
        unfit = self._unfit(data)
        if unfit is not None:
            self._refuse(self.tr("the unsaved session {0}").format(unfit))
            return
        self.path = None
        self._restoring = (orphan, data)
        self.apply(data)

    def keep(self) -> None:
        if self._orphan is not None:
            self._kept.add(self._orphan)
        self._offer_restore()

    def discard(self) -> None:
        if self._orphan is not None and not remove(self._orphan):
            self._kept.add(self._orphan)  # it could not be deleted: not offered again this run
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
