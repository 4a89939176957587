"""When the engine process dies, the window stays, says so in one line, and replays its session.

The client has already started a new engine (app/engine_worker.py, `engine_lost`). What the window
holds is what it saves as a session (model, texts, masks, ablations, sampling, generated tokens,
branches: `Sessions.current`); the new engine gets it through the path that opens a saved session
(`Sessions.replay`). The autosave holds still until the replay's analysis is back, so it never records
a half-replayed window. An engine that dies again while loading the same model is not asked a third
time: the window says so and waits for the user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject

from attnlab.app.engine_messages import translate_engine_message

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow
    from attnlab.engine.api.messages import EngineMessage

MOMENTS = {  # what the engine was doing, as the message says it (translated where used)
    "load": QT_TRANSLATE_NOOP("EngineRecovery", "loading a model"),
    "run": QT_TRANSLATE_NOOP("EngineRecovery", "a run"),
    "step": QT_TRANSLATE_NOOP("EngineRecovery", "a step"),
    "analysis": QT_TRANSLATE_NOOP("EngineRecovery", "an analysis"),
    "idle": QT_TRANSLATE_NOOP("EngineRecovery", "no request"),
}


class EngineRecovery(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self._failed_load = ""  # the model whose load the last death interrupted
        self.replaying = False
        client = window.client
        client.engine_lost.connect(self._on_lost)
        client.engine_failed.connect(self._on_failed)
        client.analysed.connect(self._replayed)
        client.analysis_failed.connect(self._replayed)
        client.load_failed.connect(self._replayed)
        client.model_loaded.connect(self._loaded)

    def _on_lost(self, lost: EngineMessage, moment: str) -> None:
        reason = translate_engine_message(lost)
        w = self.window
        spec = w._spec
        data = w.sessions.current()
        what = self.tr(str(MOMENTS.get(moment, MOMENTS["idle"])))
        if moment == "load" and spec and self._failed_load == spec:
            self._failed_load = ""
            w.picker.set_loading(False)
            w._show_message(
                self.tr(
                    "The engine stopped again ({0}) while loading {1}: it was not asked a third time. "
                    "The model may need more memory than this machine has; pick another one."
                ).format(reason, spec),
                origin="recovery",
            )
            return
        self._failed_load = spec if moment == "load" else ""
        w._show_message(
            self.tr("The engine stopped ({0}) during {1}; a new engine is replaying the session.").format(reason, what),
            "info",
            origin="recovery",
        )
        self.replaying = True
        w.sessions.hold_autosave = True
        if moment == "load" and spec:
            w.load(spec)  # the load again: its texts are analysed once it is there, as after any load
        elif data is not None:
            w.sessions.replay(data)
        elif spec:
            w.load(spec)
        else:
            self._done()

    def _on_failed(self, failed: EngineMessage) -> None:
        reason = translate_engine_message(failed)
        w = self.window
        w.picker.set_loading(False)
        w._show_message(self.tr("No engine: {0}").format(reason), origin="recovery")

    def _loaded(self, *_: object) -> None:
        self._failed_load = ""

    def _replayed(self, *_: object) -> None:
        if self.replaying:
            self._done()

    def _done(self) -> None:
        self.replaying = False
        self.window.sessions.hold_autosave = False
        self.window.sessions.schedule()


def install_recovery(window: MainWindow) -> EngineRecovery:
    return EngineRecovery(window)
