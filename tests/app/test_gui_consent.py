"""Consent in the window is per model, asked in a dialog when a load needs it: a model's own code
never runs because another model was allowed, nor because a session file says so, nor on a drop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from risky_models import code_folder, gpt_missing_attention

from attnlab.engine.api.saved_session import ModelRef, SessionData, write_session

LOAD_MS = 60_000


def _answer(qtbot, window, allow: bool, names: str) -> None:
    """Wait for the consent dialog about `names`, then click allow or cancel."""
    qtbot.waitUntil(lambda: window.consents.dialog is not None and window.consents.dialog.isVisible(), timeout=LOAD_MS)
    box = window.consents.dialog
    assert names in box.text() + box.informativeText()
    button = box.findChild(type(box.buttons()[0]), "consentAllow" if allow else "consentRefuse")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.consents.dialog is None, timeout=5_000)


def _drop(window, folder: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    drop = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    assert window.sessions.eventFilter(window, drop)  # as Qt delivers it (sendEvent skips drops without a drag)


def test_code_runs_only_for_the_model_it_was_allowed_for(open_window, tiny_folders, tmp_path, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text="the cat")
    mine_ran, theirs_ran = tmp_path / "mine-ran.txt", tmp_path / "theirs-ran.txt"
    mine = code_folder(tmp_path / "mine", mine_ran, model_type="shipped-mine")
    theirs = code_folder(tmp_path / "theirs", theirs_ran, model_type="shipped-theirs")

    window.load(str(mine))  # asked, allowed: its code runs and the window says so while it is loaded
    _answer(qtbot, window, allow=True, names=str(mine))
    qtbot.waitUntil(
        lambda: window.document.info is not None and window.document.info.path == str(mine), timeout=LOAD_MS
    )
    wait_idle(window)
    assert mine_ran.exists()
    status = window.statusBar().findChild(type(window.status_model), "consentStatus")
    assert status.isVisible() and "own code" in status.text() and "own code" in window.windowTitle()

    session = tmp_path / "theirs.attnlab"  # a session file cannot carry consent, whatever it says
    extra = {"trust_remote_code": True, "consents": [{"model": str(theirs), "need": "remote_code"}]}
    write_session(SessionData(ModelRef(name=str(theirs)), text="the cat", extra=extra), session)
    window.sessions.open(session)
    _answer(qtbot, window, allow=False, names=str(theirs))
    wait_idle(window)
    assert not theirs_ran.exists()

    _drop(window, theirs)  # nor does a dropped folder, after another model was allowed
    _answer(qtbot, window, allow=False, names=str(theirs))
    wait_idle(window)
    assert not theirs_ran.exists()
    assert window.document.info.path == str(mine)  # the refused loads kept the model that was there

    window.load(tiny_folders["gpt2"])  # a model that needs nothing: no mark
    qtbot.waitUntil(lambda: window.document.info.path == tiny_folders["gpt2"], timeout=LOAD_MS)
    wait_idle(window)
    assert not status.isVisible() and "own code" not in window.windowTitle()


def test_missing_weights_are_refused_unless_loaded_anyway_then_marked(open_window, tiny_folders, tmp_path, qtbot):
    window = open_window(tiny_folders["gpt2"], text="the cat")
    folder, dropped = gpt_missing_attention(tmp_path / "holes")
    window.load(str(folder))
    _answer(qtbot, window, allow=False, names=dropped[0])
    qtbot.waitUntil(lambda: not window.client.loading, timeout=LOAD_MS)
    assert window.document.info.path == tiny_folders["gpt2"]
    assert "do not match" in window.banner.text

    window.load(str(folder))
    _answer(qtbot, window, allow=True, names=dropped[0])
    qtbot.waitUntil(lambda: window.document.info.path == str(folder), timeout=LOAD_MS)
    assert window.document.info.random_weights == tuple(dropped)
    status = window.statusBar().findChild(type(window.status_model), "consentStatus")
    assert "partly random" in status.text() and "partly random" in window.windowTitle()


def test_a_session_whose_model_needs_consent_replays_once_allowed(
    open_window, tiny_folders, tmp_path, qtbot, wait_idle
):
    window = open_window(tiny_folders["gpt2"], text="the dog")
    ran = tmp_path / "ran.txt"
    folder = code_folder(tmp_path / "shipped", ran, model_type="shipped-session")
    session = tmp_path / "shipped.attnlab"
    write_session(SessionData(ModelRef(name=str(folder)), text="the cat", generated=(9, 10)), session)
    window.sessions.open(session)
    _answer(qtbot, window, allow=True, names=str(folder))
    qtbot.waitUntil(
        lambda: window.document.info.path == str(folder) and len(window.document.steps) == 2, timeout=LOAD_MS
    )
    wait_idle(window)
    assert ran.exists() and window.text_input.toPlainText() == "the cat"
    assert [step.token_id for step in window.document.steps] == [9, 10]
    assert window.sessions.path == session.resolve()
