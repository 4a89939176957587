"""Open a model and make its session: the one way the window's engine thread and the CLI start a model.

Both then add what is theirs: the window remembers the model among its recent ones and sets its own
sampling; the CLI checks its flags against the model and runs them.
"""

from __future__ import annotations

from collections.abc import Callable

from attnlab.engine.api.config import LoadOptions, Progress, StoreMode
from attnlab.engine.models.loading import LoadedModel, load_model, set_threads
from attnlab.engine.models.startup import phase
from attnlab.engine.session.sessions import GenerationSession, Session, make_session


def open_session(
    spec: str,
    options: LoadOptions = LoadOptions(),
    progress: Progress | None = None,
    store_mode: StoreMode = "auto",
    check: Callable[[LoadedModel], None] | None = None,
) -> Session:
    """Load `spec` (catalog name, folder, .gguf file or hub id) and make the session for its kind.

    torch's CPU threads are set first (`options.threads`; None: all cores but one). `check` refuses what
    depends on the model before a session exists; `store_mode` is a generator's (exact, long or auto:
    exact rows while they fit memory, the long-document overview beyond)."""
    set_threads(options.threads)
    with phase("load"):
        loaded = load_model(spec, options, progress=progress)
    if check is not None:
        check(loaded)
    session = make_session(loaded)
    if isinstance(session, GenerationSession):
        session.store_mode = store_mode
    return session
