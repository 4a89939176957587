"""Issue 23, the window's side: text typed while a model loads is the user's; Step never continues
a prompt that is not the text shown (blank, or refused) and the message that says why stays; a data
folder that cannot be written leaves the window working and says so, a full disk too; engine
errors in their own words ("Overflow when unpacking long long", numpy's "Unable to allocate")
reach the user as what happened and what to do; saving says its reason once."""

from __future__ import annotations

import errno
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import LOAD_TIMEOUT_MS
from test_gui_engine_client import FakeSession, _info

from attnlab.app import settings as saved
from attnlab.app.engine_worker import engine_loader
from attnlab.app.main_window import EXAMPLES, MainWindow
from attnlab.engine.api.results import Masks
from attnlab.engine.api.saved_session import read_session


def _slow_loader(seconds: float):
    def load(spec, options, progress):
        time.sleep(seconds)
        return engine_loader(spec, options, progress)

    return load


def _window(qtbot, **kwargs) -> MainWindow:
    window = MainWindow(**kwargs)
    qtbot.addWidget(window)
    window.show()
    return window


# -- 2: the same text box, two owners ------------------------------------------------------------


def test_text_typed_while_a_decoder_loads_is_kept(qtbot, fresh_settings):
    saved.save_texts(fresh_settings, "encoder", "an encoder's sentence", "")  # the last model was an encoder
    window = _window(qtbot, loader=_slow_loader(1.0))
    try:
        assert window.text_input.toPlainText() == "an encoder's sentence"
        window.start("tiny-gpt")
        window.text_input.clear()
        qtbot.keyClicks(window.text_input, "my own words")  # typed before the load finished
        assert window.client.loading
        with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
            pass
        qtbot.waitUntil(window.is_idle, timeout=LOAD_TIMEOUT_MS)
        assert window.text_input.toPlainText() == "my own words" != EXAMPLES["decoder"]
        assert window.document.input_tokens  # and it is what was analysed
        assert saved.texts(fresh_settings, "encoder") == ("an encoder's sentence", "")  # the encoder's kept its own

        window.load("tiny-bert")  # switching: the same while the other model loads
        qtbot.keyClicks(window.text_input, " and more")
        with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
            pass
        assert window.text_input.toPlainText() == "my own words and more"
        assert saved.texts(fresh_settings, "decoder") == ("my own words", "")
    finally:
        window.close()


# -- 4 and 14: Step after a blank or refused text ------------------------------------------------------


def test_step_after_a_blank_text_does_not_continue_the_previous_prompt(open_window, qtbot, wait_idle):
    window = open_window("tiny-gpt", text="the cat sat")
    window.step()
    wait_idle(window)
    assert len(window.document.steps) == 1
    window.text_input.setPlainText("   ")
    wait_idle(window)
    stepped = []
    window.client.stepped.connect(lambda *args: stepped.append(args))
    window.step()
    window.run(3)
    wait_idle(window)
    qtbot.wait(200)
    assert stepped == [] and window.document.steps == []
    assert "Nothing to continue" in window.banner.text or "Type some text" in window.banner.text
    data = window.sessions.current()
    assert data.generated == () and data.text == "   "


def test_step_after_a_refused_text_keeps_the_reason_and_pairs_no_old_tokens(open_window, qtbot, wait_idle, tmp_path):
    window = open_window("tiny-gpt", text="the cat sat")
    window.step()
    window.step()
    wait_idle(window)
    old = [s.token_id for s in window.document.steps]
    assert len(old) == 2
    stepped = []
    window.client.stepped.connect(lambda *args: stepped.append(args))
    too_long = " ".join(["word"] * 2000)  # tiny-gpt takes 128 tokens: refused, not truncated
    window.text_input.setPlainText(too_long)
    window.step()  # queued behind the analysis that is about to be refused
    wait_idle(window)
    assert "accepts at most" in window.banner.text  # the real reason, not "nothing to continue"
    assert window.views_stale
    window.step()  # and again, now that the window knows
    window.candidates.chosen.emit(5, False)
    wait_idle(window)
    qtbot.wait(200)
    assert stepped == [] and [s.token_id for s in window.document.steps] == old
    assert "accepts at most" in window.banner.text
    assert "Nothing to continue" in window.statusBar().currentMessage()
    assert window.sessions.save(tmp_path / "refused.attnlab")
    data = read_session(tmp_path / "refused.attnlab")
    assert data.text == too_long and data.generated == ()  # never the new text with the old tokens


# -- 14: raw texts reach the user as a message --------------------------------------------------------


class RawErrorSession(FakeSession):
    def _result(self):
        return replace(super()._result(), masks=Masks())

    def step(self, choose=None):
        if choose == 1:
            raise OverflowError("Overflow when unpacking long long")
        if choose == 2:  # the engine's own words (memory_budget) stay as they are
            raise MemoryError("attention needs 9.0 GiB but only 1.0 GiB is free: use a shorter text")
        raise MemoryError("Unable to allocate 59.6 GiB for an array with shape (8, 1000000000) and data type float64")


@pytest.mark.parametrize(
    ("choose", "said", "raw"),
    [
        (None, "not enough memory: this needs 59.6 GiB at once", "Unable to allocate"),
        (1, "a number is too large for the engine", "unpacking long long"),
        (2, "attention needs 9.0 GiB but only 1.0 GiB is free", "not enough memory"),
    ],
)
def test_raw_engine_errors_are_said_plainly(qtbot, fresh_settings, choose, said, raw):
    window = _window(
        qtbot, loader=lambda spec, options, progress: (_info(spec), RawErrorSession()), catalog=lambda: ([], None)
    )
    try:
        window.text_input.setPlainText("one two")
        with qtbot.waitSignal(window.model_loaded, timeout=10_000):
            window.start("fake")
        qtbot.waitUntil(window.is_idle, timeout=10_000)
        with qtbot.waitSignal(window.errored, timeout=10_000):
            window.client.choose(choose, False) if choose is not None else window.client.step()
        assert said in window.banner.text and raw not in window.banner.text
    finally:
        window.close()


# -- 8: a data folder that cannot be written, a full disk ------------------------------------------


def test_an_unwritable_data_folder_leaves_the_window_working(open_window, qtbot, wait_idle, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder's parent should be")
    monkeypatch.setenv("ATTNLAB_DATA", str(blocker / "attnlab"))
    window = open_window("tiny-gpt", text="the cat sat")  # it starts
    assert "Autosave and the log are off" in window.banner.text or window.sessions.autosave_off
    assert str(blocker) in window.sessions.autosave_off
    window.step()
    wait_idle(window)
    qtbot.wait(400)
    assert len(window.document.steps) == 1 and not window.sessions.autosave_path.exists()
    assert window.sessions.save(tmp_path / "by-hand.attnlab")  # saving by hand still works


def test_a_full_disk_is_said_and_the_message_goes_when_autosave_works_again(open_window, qtbot, wait_idle, monkeypatch):
    import attnlab.app.autosave as autosave

    window = open_window("tiny-gpt", text="the cat sat")
    real = autosave.write_session

    def full(session, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(autosave, "write_session", full)
    window.text_input.setPlainText("the cat sat down")
    qtbot.waitUntil(lambda: "Autosave failed" in window.banner.text, timeout=5_000)
    assert "No space left on device" in window.banner.text
    monkeypatch.setattr(autosave, "write_session", real)
    window.text_input.setPlainText("the cat sat down again")
    qtbot.waitUntil(lambda: "Autosave failed" not in window.banner.text, timeout=5_000)
    wait_idle(window)
    assert read_session(window.sessions.autosave_path).text == "the cat sat down again"


# -- 14: saving says its reason once; long file names --------------------------------------------------


def test_a_save_failure_says_its_reason_once(open_window, tmp_path):
    window = open_window("tiny-gpt", text="the cat sat")
    assert not window.sessions.save(tmp_path / "no such folder" / "x.attnlab")
    text = window.banner.text
    assert text.startswith("Could not save the session:") and text.lower().count("cannot save the session") == 0
    assert text.count("save the session") == 1


def test_a_250_byte_file_name_saves(open_window, tmp_path):
    window = open_window("tiny-gpt", text="the cat sat")
    name = "s" * (250 - len(".attnlab")) + ".attnlab"
    assert len(name.encode()) == 250
    assert window.sessions.save(tmp_path / name), window.banner.text
    assert read_session(tmp_path / name).text == "the cat sat"


def test_overwriting_a_figure_keeps_its_mode_and_its_symlink(open_window, tmp_path):
    import os

    window = open_window("tiny-gpt", text="the cat sat")
    real = tmp_path / "real.png"
    assert window.figures.export(real)
    os.chmod(real, 0o640)
    first = real.read_bytes()
    link = tmp_path / "link.png"
    link.symlink_to(real)
    window.attention.picker.select(head=1)
    assert window.figures.export(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert os.stat(real).st_mode & 0o777 == 0o640 and real.read_bytes() != first
    folder = tmp_path / "isdir.png"
    folder.mkdir()
    assert window.figures.export(folder) is None
    assert ".tmp" not in window.banner.text and "isdir.png" in window.banner.text
    long_name = tmp_path / ("f" * 246 + ".png")
    assert window.figures.export(long_name), window.banner.text


# -- 12: nothing pasted or opened stalls the window --------------------------------------------------


def _paste(box, text: str) -> float:
    """Seconds the paste itself held the GUI thread (the redraws it queued are checked loosely after:
    the first banner's layout costs what it costs on a busy machine)."""
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.clipboard().setText(text)
    started = time.perf_counter()
    box.paste()
    held = time.perf_counter() - started
    QGuiApplication.processEvents()
    assert time.perf_counter() - started < 1.0  # it took 24.6 s for a 500 kB word
    return held


def test_a_500_kb_word_pasted_does_not_stall_the_window(open_window, wait_idle):
    window = open_window("tiny-gpt", text="the cat sat ")
    box = window.text_input
    box.moveCursor(box.textCursor().MoveOperation.End)
    assert _paste(box, "x" * 500_000) < 0.1
    assert "Not pasted" in window.banner.text and "500,012" in window.banner.text
    assert box.toPlainText() == "the cat sat "
    # A long word that fits is wrapped anywhere: word wrapping is quadratic in it (seconds at 30k)
    assert _paste(box, "y" * 30_000) < 0.1
    assert len(box.toPlainText()) == 30_012 and box.wordWrapMode() == box.wordWrapMode().WrapAnywhere
    wait_idle(window)


def test_a_session_too_big_to_show_is_refused_at_once(open_window, tmp_path):
    import json

    from attnlab.engine.api.saved_session import ModelRef, SessionData, to_json

    window = open_window("tiny-gpt", text="my own work")
    base = to_json(SessionData(ModelRef("tiny-gpt"), "x"))
    huge = tmp_path / "huge-text.attnlab"
    huge.write_text(json.dumps({**base, "text": "the cat sat " * 5_000_000}))  # 60 MB
    many = tmp_path / "many-branches.attnlab"
    many.write_text(json.dumps({**base, "branches": [{"name": "", "tokens": []}] * 1_000_000}))
    long_text = tmp_path / "long-text.attnlab"
    long_text.write_text(json.dumps({**base, "text": "the cat sat " * 10_000}))  # 120,000 characters
    some = tmp_path / "some-branches.attnlab"
    some.write_text(json.dumps({**base, "branches": [{"name": "b", "tokens": [1]}] * 5_000}))
    for path, said in ((huge, "over 8 MB"), (many, "over 8 MB"), (long_text, "120,000"), (some, "5,000 branches")):
        started = time.perf_counter()
        assert not window.sessions.open(path)
        assert time.perf_counter() - started < 0.1, path.name
        assert said in window.banner.text and window.text_input.toPlainText() == "my own work"


def test_a_huge_text_is_kept_out_of_the_settings_file(open_window, qtbot, fresh_settings):
    window = open_window("tiny-gpt", text="the cat sat " * 3_000)  # 36,000 characters
    window.close()
    fresh_settings.sync()
    assert "the cat sat the cat sat" not in Path(fresh_settings.fileName()).read_text(encoding="utf-8")
    again = MainWindow()
    qtbot.addWidget(again)
    try:
        assert again.text_input.toPlainText() == "" and "36,000 characters" in again.banner.text
        assert "36,000 characters" in again.text_input.placeholderText()
    finally:
        again.close()


# -- 14: the console stays quiet --------------------------------------------------------------------


def test_the_window_prints_no_token_length_warning(open_window, wait_idle, capfd):
    window = open_window("tiny-gpt", text="the cat sat")
    window.set_text(" ".join(["word"] * 3000))  # more tokens than the model takes: refused, and said in the window
    wait_idle(window)
    assert "accepts at most" in window.banner.text
    assert "Token indices sequence length" not in capfd.readouterr().err
