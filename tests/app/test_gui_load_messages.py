"""A session whose model cannot be found says why once, without the engine's full stop doubled."""

from __future__ import annotations

from attnlab.engine.api.saved_session import ModelRef, SessionData, write_session


def test_a_missing_sessions_model_message_has_no_doubled_full_stop(open_window, tiny_folders, tmp_path, qtbot):
    window = open_window(tiny_folders["gpt2"], text="the cat")
    session = tmp_path / "gone.attnlab"
    write_session(SessionData(ModelRef(name=str(tmp_path / "gone" / "model.gguf")), text="the dog"), session)
    window.sessions.open(session)
    qtbot.waitUntil(lambda: "could not be loaded" in window.banner.text, timeout=20_000)
    text = window.banner.text
    assert "gguf file." in text and ".." not in text and "Its text is kept" in text
