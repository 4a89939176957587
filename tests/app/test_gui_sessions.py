"""Sessions in the window: save → open shows the same tokens, attention and candidates (decoder with
sampling, masked LM with masks, encoder-decoder with knock-outs); bad files, missing models and
changed weights say so and keep the text; the File menu, recent sessions, drops and autosave."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
from conftest import LOAD_TIMEOUT_MS
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QKeySequence

from attnlab.app.autosave import autosave_dir, orphans
from attnlab.app.main_window import MainWindow
from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.api.saved_session import read_session, to_json


def _shown(window: MainWindow) -> dict:
    """What the window shows: tokens, every stack's attention, the candidates of every step and the next."""
    doc = window.document
    snapshot = doc.snapshot
    steps = []
    for index in range(len(doc.steps)):
        doc.select(index)
        view = doc.candidates()
        steps.append(([c.token_id for c in view.candidates], [c.prob for c in view.candidates]))
    doc.select(None)
    analysis = doc.analysis
    return {
        "tokens": list(doc.input_tokens),
        "sequence": doc.sequence(),
        "generated": [s.token_id for s in doc.steps],
        "attention": {stack: snapshot.full(stack) for stack in snapshot.stacks},
        "steps": steps,
        "next": [(c.token_id, c.prob) for c in analysis.next_candidates] if not doc.steps else [],
        "fillers": [[(c.token_id, c.prob) for c in p.candidates] for p in analysis.mask_predictions],
        "masks": doc.masks,
    }


def _assert_same(before: dict, after: dict) -> None:
    for key in ("tokens", "sequence", "generated", "masks"):
        assert before[key] == after[key], key
    assert sorted(before["attention"]) == sorted(after["attention"])
    for stack, matrix in before["attention"].items():
        # the saved window stepped one token at a time, the opened one replays them in one forward
        np.testing.assert_allclose(after["attention"][stack], matrix, atol=2e-3, err_msg=stack)
    for (ids, probs), (ids_after, probs_after) in zip(before["steps"], after["steps"], strict=True):
        assert ids[:3] == ids_after[:3]
        np.testing.assert_allclose(probs_after, probs, atol=1e-4)
    for key in ("next", "fillers"):
        assert json.dumps(before[key]) == json.dumps(after[key]) or np.allclose(
            np.array(before[key], float), np.array(after[key], float), atol=1e-5
        ), key


def _open_in_new_window(qtbot, path) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
        assert window.sessions.open(path, start=True)
    return window


def test_decoder_with_sampling_round_trip(open_window, tiny_folders, qtbot, wait_idle, tmp_path):
    window = open_window(tiny_folders["gpt2"], text="the cat sat on the mat")
    window.sampling.set_config(SamplingConfig(greedy=False, temperature=1.3, top_k=20, seed=11))
    window._on_sampling_changed(window.sampling.config())
    with qtbot.waitSignal(window.client.run_finished, timeout=LOAD_TIMEOUT_MS):
        window.run(5)
    wait_idle(window)
    window.set_mark(2, "knockout")  # replays the five under the knock-out
    wait_idle(window)
    window.step()
    window.step()
    wait_idle(window)
    before = _shown(window)
    assert len(before["generated"]) == 7
    path = tmp_path / "decoder"
    assert window.sessions.save(path)
    saved = read_session(tmp_path / "decoder.attnlab")
    assert list(saved.generated) == before["generated"] and saved.sampling.seed == 11
    assert window.windowTitle().endswith("decoder.attnlab")

    opened = _open_in_new_window(qtbot, tmp_path / "decoder.attnlab")
    qtbot.waitUntil(lambda: opened.is_idle() and len(opened.document.steps) == 7, timeout=LOAD_TIMEOUT_MS)
    _assert_same(before, _shown(opened))
    assert opened.text_input.toPlainText() == "the cat sat on the mat"
    assert opened.sampling.config() == window.sampling.config()
    assert opened.token_strip.chip(2).mark == "knockout"
    assert not opened.banner.text  # no complaint
    opened.close()


def test_masked_lm_round_trip_in_the_same_window(open_window, tiny_folders, qtbot, wait_idle, tmp_path):
    window = open_window(tiny_folders["bert"], text="the cat sat on the mat")
    window.set_mark(2, "mask")
    window.set_mark(4, "knockout")
    window.toggle_ablation("encoder", 0, 1)
    wait_idle(window)
    before = _shown(window)
    assert window.sessions.save(tmp_path / "bert.attnlab")
    window.sessions.new()
    wait_idle(window)
    assert window.text_input.toPlainText() == "" and window.document.analysis is None
    assert window.sessions.open(tmp_path / "bert.attnlab")
    qtbot.waitUntil(lambda: window.is_idle() and window.document.analysis is not None, timeout=LOAD_TIMEOUT_MS)
    after = _shown(window)
    _assert_same(before, after)
    for stack, matrix in before["attention"].items():  # the same single forward: the same numbers exactly
        assert after["attention"][stack].tobytes() == matrix.tobytes()
    assert before["fillers"] == after["fillers"] and before["fillers"]


def test_encoder_decoder_with_knockouts_round_trip(open_window, tiny_folders, qtbot, wait_idle, tmp_path):
    window = open_window(tiny_folders["bart"], text="dog", source="the cat sat on the mat")
    window.set_mark(1, "knockout")  # a source token
    wait_idle(window)
    with qtbot.waitSignal(window.client.run_finished, timeout=LOAD_TIMEOUT_MS):
        window.run(3)
    wait_idle(window)
    window.set_decoder_mark(1, "knockout")  # the prefix token
    wait_idle(window)
    before = _shown(window)
    assert sorted(before["attention"]) == ["cross", "decoder", "encoder"] and before["generated"]
    assert window.sessions.save(tmp_path / "bart.attnlab")
    opened = _open_in_new_window(qtbot, tmp_path / "bart.attnlab")
    count = len(before["generated"])
    qtbot.waitUntil(lambda: opened.is_idle() and len(opened.document.steps) == count, timeout=LOAD_TIMEOUT_MS)
    _assert_same(before, _shown(opened))
    assert opened.source_input.toPlainText() == "the cat sat on the mat" and opened.text_input.toPlainText() == "dog"
    opened.close()


def test_bad_file_missing_model_and_changed_weights(open_window, tiny_folders, qtbot, wait_idle, tmp_path):
    window = open_window(tiny_folders["gpt2"], text="the cat")
    bad = tmp_path / "bad.attnlab"
    bad.write_text("not json")
    assert not window.sessions.open(bad)
    assert "not an attnlab session" in window.banner.text and window.text_input.toPlainText() == "the cat"

    assert window.sessions.save(tmp_path / "good.attnlab")
    data = to_json(read_session(tmp_path / "good.attnlab"))
    missing = {
        **data,
        "model": {**data["model"], "name": str(tmp_path / "gone"), "path": str(tmp_path / "gone")},
        "text": "the dog ran",
    }
    (tmp_path / "missing.attnlab").write_text(json.dumps(missing))
    assert window.sessions.open(tmp_path / "missing.attnlab")
    qtbot.waitUntil(lambda: "could not be loaded" in window.banner.text, timeout=LOAD_TIMEOUT_MS)
    assert "Its text is kept" in window.banner.text
    assert window.text_input.toPlainText() == "the dog ran"
    wait_idle(window)
    assert window.document.info.path == tiny_folders["gpt2"]  # the model before is kept

    changed = {**data, "model": {**data["model"], "weights_sha256": "0" * 64}, "text": "the sun"}
    (tmp_path / "changed.attnlab").write_text(json.dumps(changed))
    assert window.sessions.open(tmp_path / "changed.attnlab")
    wait_idle(window)
    assert "changed since this session was saved" in window.banner.text
    assert window.text_input.toPlainText() == "the sun" and window.document.analysis is not None


def test_file_menu_recent_and_drop(open_window, tiny_folders, qtbot, wait_idle, tmp_path):
    window = open_window(tiny_folders["gpt2"], text="the cat")
    names = [a.objectName() for a in window.menus["fileMenu"].actions()]
    for name in ("newSessionAction", "openSessionAction", "saveSessionAction", "saveSessionAsAction"):
        assert names.index(name) < names.index("quitAction")
    assert window.sessions.save_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Save)
    assert window.sessions.open_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert window.sessions.save(tmp_path / "one.attnlab")
    window.text_input.setPlainText("the dog")
    wait_idle(window)
    assert window.sessions.save(tmp_path / "two.attnlab")
    window.sessions._fill_recent()
    assert [a.text() for a in window.sessions.recent_menu.actions()] == ["two.attnlab", "one.attnlab"]

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "one.attnlab"))])
    drop = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    assert window.acceptDrops()
    assert window.sessions.eventFilter(window, drop)  # as Qt delivers it (sendEvent skips drops without a drag)
    wait_idle(window)
    assert window.text_input.toPlainText() == "the cat" and window.sessions.path.name == "one.attnlab"


def test_autosave_and_restore(open_window, tiny_folders, qtbot, wait_idle):
    window = open_window(tiny_folders["gpt2"], text="the cat sat")
    window.step()
    window.step()
    wait_idle(window)
    path = window.sessions.autosave_path
    qtbot.waitUntil(lambda: path.exists() and len(read_session(path).generated) == 2, timeout=5_000)
    assert read_session(path).text == "the cat sat"
    window.close()
    assert not path.exists()  # a clean close leaves nothing to restore

    # A window of a process that is gone left its autosave: the next window offers it.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = autosave_dir() / f"{int(dead.stdout)}-1.attnlab"
    orphan.write_text(json.dumps({**to_json(read_session_of(window)), "text": "the dog ran"}))
    assert orphan in orphans()
    fresh = MainWindow()
    qtbot.addWidget(fresh)
    fresh.show()
    assert fresh.sessions.banner.isVisible() and "the dog ran" in fresh.sessions.banner.label.text()
    with qtbot.waitSignal(fresh.model_loaded, timeout=LOAD_TIMEOUT_MS):
        qtbot.mouseClick(fresh.sessions.banner.restore, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fresh.is_idle() and len(fresh.document.steps) == 2, timeout=LOAD_TIMEOUT_MS)
    assert fresh.text_input.toPlainText() == "the dog ran" and not orphan.exists()
    assert not fresh.sessions.banner.isVisible()
    fresh.close()


def read_session_of(window: MainWindow):
    """The window's session as it stood (its autosave was removed on close: build it again)."""
    data = window.sessions.current()
    assert data is not None
    return data


def test_attnlab_with_a_session_file_opens_the_window_on_it(
    open_window, tiny_folders, qtbot, wait_idle, tmp_path, monkeypatch
):
    import attnlab.app as app
    from attnlab.app import cli, gui

    calls = []
    monkeypatch.setattr(gui, "run", lambda model=None, session=None: calls.append((model, session)) or 0)
    assert cli.main([str(tmp_path / "run.attnlab")]) == 0 and cli.main([tiny_folders["bert"]]) == 0
    assert calls == [(None, str(tmp_path / "run.attnlab")), (tiny_folders["bert"], None)]

    window = open_window(tiny_folders["gpt2"], text="the dog ran")
    window.step()
    wait_idle(window)
    assert window.sessions.save(tmp_path / "run.attnlab")
    window.close()
    opened = app.create_main_window(session=str(tmp_path / "run.attnlab"))
    qtbot.addWidget(opened)
    qtbot.waitUntil(
        lambda: opened.document.info is not None and opened.is_idle() and bool(opened.document.steps),
        timeout=LOAD_TIMEOUT_MS,
    )
    assert opened.text_input.toPlainText() == "the dog ran" and opened.windowTitle().endswith("run.attnlab")
    opened.close()


def test_discard_deletes_the_offer_and_shows_the_next(qtbot, fresh_settings):
    from attnlab.engine.api.saved_session import ModelRef, SessionData, write_session

    dead = int(
        subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout
    )
    autosave_dir().mkdir(parents=True, exist_ok=True)
    older, newer = autosave_dir() / f"{dead}-1.attnlab", autosave_dir() / f"{dead}-2.attnlab"
    write_session(SessionData(ModelRef("tiny-gpt"), "older text"), older)
    write_session(SessionData(ModelRef("tiny-gpt"), "newer text"), newer)
    os.utime(older, (1, 1))
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    banner = window.sessions.banner
    assert banner.isVisible() and "newer text" in banner.label.text()
    qtbot.mouseClick(banner.discard, Qt.MouseButton.LeftButton)
    assert not newer.exists() and banner.isVisible() and "older text" in banner.label.text()
    qtbot.mouseClick(banner.discard, Qt.MouseButton.LeftButton)
    assert not older.exists() and not banner.isVisible() and not orphans()


def test_retrained_weights_open_with_a_message(open_window, tiny_folders, qtbot, wait_idle, tmp_path):
    import shutil

    from tiny_models import save, tiny_gpt2

    folder = shutil.copytree(tiny_folders["gpt2"], tmp_path / "gpt")
    window = open_window(str(folder), text="the cat sat")
    window.step()
    wait_idle(window)
    assert window.sessions.save(tmp_path / "run.attnlab")
    window.close()
    save(*tiny_gpt2(seed=5, positions=128), folder)  # retrained in place
    opened = _open_in_new_window(qtbot, tmp_path / "run.attnlab")
    qtbot.waitUntil(lambda: opened.is_idle() and len(opened.document.steps) == 1, timeout=LOAD_TIMEOUT_MS)
    assert "changed since this session was saved" in opened.banner.text
    assert opened.text_input.toPlainText() == "the cat sat"
    opened.close()
