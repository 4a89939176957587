"""Asking the user, per model and at the moment it is needed, before a load runs a model's own code,
reads its pickled weights, or fills weights it lacks with random numbers.

The engine refuses such a load with a `ConsentRequest` (engine/api/consent.py): it names the model
(its folder's real path or hub id, and a hash of its weights, configs and code) and what is needed.
This asks in a dialog; a yes is kept for exactly that key, in memory, for this window only, and
the load runs again with it. No session or settings file carries consent, and consent given to one
model never opens another: a session or a dropped folder naming another model is asked about anew.
While a consent is in force, the status bar (and the title) say so.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject
from PySide6.QtWidgets import QLabel, QMessageBox

from attnlab.app.engine_messages import translate_engine_message
from attnlab.engine.api.config import LoadOptions
from attnlab.engine.api.consent import Consent, ConsentRequest
from attnlab.engine.api.results import ModelInfo

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow


def _tr(text: object) -> str:
    return QCoreApplication.translate("Consent", str(text))


class ConsentBook(QObject):
    """The consents the user gave in this window, each for one model's content and one need."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.setObjectName("consentBook")
        self.window = window
        self.granted: set[Consent] = set()
        self.dialog: QMessageBox | None = None  # the open question, if any (tests answer it)
        self.label = QLabel("")
        self.label.setObjectName("consentStatus")
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        window.client.consent_needed.connect(self.ask)
        window.model_loaded.connect(self.show_marks)

    def apply(self, options: LoadOptions) -> LoadOptions:
        """`options` with every consent given so far (the engine uses only the one for the model it
        loads), and never a consent for whatever model it is."""
        return replace(
            options,
            trust_remote_code=False,
            allow_pickle=False,
            allow_missing_weights=False,
            consents=frozenset(self.granted) | options.consents,
        )

    def ask(self, request: ConsentRequest) -> None:
        """Ask whether to allow `request` for its model; yes loads it again with that consent."""
        if self.dialog is not None:
            self.dialog.close()
        spec = self.window._spec  # the load that was refused (the picker's, a session's, a dropped folder's)
        sessions = self.window.sessions
        session = sessions.waiting()  # a session waiting for this model: replayed
        session_path = sessions.path
        title, question, allow = _QUESTIONS[request.consent.need]
        box = QMessageBox(QMessageBox.Icon.Warning, _tr(title), _tr(question).format(request.name), parent=self.window)
        box.setObjectName("consentDialog")
        box.setInformativeText(translate_engine_message(request.message))
        yes = box.addButton(_tr(allow), QMessageBox.ButtonRole.AcceptRole)
        yes.setObjectName("consentAllow")
        no = box.addButton(QMessageBox.StandardButton.Cancel)
        no.setObjectName("consentRefuse")
        box.setDefaultButton(no)

        def answered() -> None:
            self.dialog = None
            if box.clickedButton() is yes:
                self.granted.add(request.consent)
                if session is not None:  # the whole session again (its tokens too), under its own file name
                    sessions.apply(session)
                    sessions.path = session_path
                else:
                    self.window.load(spec)

        box.finished.connect(answered)
        self.dialog = box
        box.open()  # not exec(): the window keeps running while the question waits

    def show_marks(self, info: ModelInfo) -> None:
        text = marks(info)
        self.label.setText(text)
        self.label.setVisible(bool(text))
        self.label.setStyleSheet("color: #b3261e; font-weight: bold;" if info.partly_random else "")
        self.label.setToolTip("\n".join(info.random_weights[:20]))


def marks(info: ModelInfo | None) -> str:
    """What the user allowed for the loaded model, in words for the status bar and the title ("" none)."""
    if info is None:
        return ""
    shown = [_tr(_MARKS[need]) for need in info.consented if need in _MARKS]
    if info.partly_random:
        shown.append(_tr(_RANDOM).format(len(info.random_weights)))
    return " · ".join(shown)


_MARKS = {
    "remote_code": QT_TRANSLATE_NOOP("Consent", "runs its own code (allowed for this model)"),
    "pickle": QT_TRANSLATE_NOOP("Consent", "pickled weights (allowed for this model)"),
}
_RANDOM = QT_TRANSLATE_NOOP("Consent", "partly random: {0} weights missing or mismatched")
_QUESTIONS = {
    "remote_code": (
        QT_TRANSLATE_NOOP("Consent", "Run this model's own code?"),
        QT_TRANSLATE_NOOP(
            "Consent",
            "{0} ships Python code that loading it would run, with your permissions. Allow it only if you "
            "trust where this model came from. The permission is for this model only, until attnlab closes.",
        ),
        QT_TRANSLATE_NOOP("Consent", "Run its code"),
    ),
    "pickle": (
        QT_TRANSLATE_NOOP("Consent", "Read pickled weights?"),
        QT_TRANSLATE_NOOP(
            "Consent",
            "{0} has only pickled weights, which can run arbitrary code when read. Allow it only if you "
            "trust where this model came from. The permission is for this model only, until attnlab closes.",
        ),
        QT_TRANSLATE_NOOP("Consent", "Read them"),
    ),
    "unmatched_weights": (
        QT_TRANSLATE_NOOP("Consent", "Load weights that do not match?"),
        QT_TRANSLATE_NOOP(
            "Consent",
            "The weights of {0} do not match its architecture. Loading it anyway fills the missing ones with "
            "random numbers: everything it shows is then partly random, and the window says so.",
        ),
        QT_TRANSLATE_NOOP("Consent", "Load anyway"),
    ),
}
