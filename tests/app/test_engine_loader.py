"""The window's loader opens models through open_session, like the CLI: one way to open a model."""

from tiny_models import save, tiny_gpt2

from attnlab.app.engine_worker import engine_loader
from attnlab.engine.api.config import LoadOptions
from attnlab.engine.session.sessions import GenerationSession


def test_the_window_loader_opens_through_it_with_auto_store(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTNLAB_CONFIG", str(tmp_path / "config"))  # it remembers the model among the recent
    monkeypatch.setenv("ATTNLAB_CACHE", str(tmp_path / "cache"))
    folder = save(*tiny_gpt2(), tmp_path / "gpt")
    progress: list[float] = []
    info, session = engine_loader(str(folder), LoadOptions(threads=1), lambda m, f: progress.append(f))
    assert isinstance(session, GenerationSession) and session.store_mode == "auto"
    assert info == session.info and info.kind == "decoder" and progress
