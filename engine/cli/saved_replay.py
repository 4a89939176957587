"""Sessions and the command line: the session of a run on flags, and a run replayed from a session.

`attnlab export ... --save-session run.attnlab` writes `session_of`; `attnlab export --session
run.attnlab` runs `replay_session`, which feeds the saved tokens one step at a time exactly as
the export generated them, so the arrays come out bit for bit the same (same machine, device
and dtype).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from attnlab.engine.api.config import LoadOptions
from attnlab.engine.api.saved_session import ModelRef, SessionData, model_spec, read_session, weights_hash
from attnlab.engine.cli.run_flags import Run, cli_open, masks_from, sampling_config

log = logging.getLogger(__name__)


def session_of(args, run: Run) -> SessionData:
    """What `run` (made by run_session on `args`) needs to be replayed."""
    info = run.loaded.info
    name = args.model
    if Path(name).expanduser().exists():  # a folder or file given relative to here: absolute in the file
        name = str(Path(name).expanduser().resolve())
    from attnlab.engine.session.sessions import GenerationSession  # the run loaded torch already

    session = run.session
    generated = tuple(session.token_ids[session.prompt_length :]) if isinstance(session, GenerationSession) else ()
    return SessionData(
        model=ModelRef(name, info.path, info.kind, weights_hash(info.path), args.device, args.dtype),
        text=args.text,
        source=args.source if run.loaded.kind == "encoder-decoder" else None,
        masks=masks_from(args, run.loaded.kind),
        sampling=sampling_config(args, args.top_k_candidates),
        generated=generated,
    )


def weights_changed(ref: ModelRef, loaded_path: str) -> bool:
    """The weights now at `loaded_path` are not the ones the session was saved with."""
    return ref.weights_sha256 is not None and weights_hash(loaded_path) != ref.weights_sha256


def replay_session(
    path: str, device: str | None, dtype: str | None, candidates: int | None, warn=print, allow_missing: bool = False
) -> tuple[Run, SessionData]:
    """Load the session's model and run it again: the same input, masks and generated tokens."""
    from attnlab.engine.models.loading import LoadedModel
    from attnlab.engine.session.sessions import EncoderSession

    data = read_session(path)
    ref = data.model
    sampling = data.sampling if candidates is None else replace(data.sampling, candidates=candidates)

    def check(loaded: LoadedModel) -> None:
        if weights_changed(ref, loaded.info.path):
            warn(f"warning: the weights of {ref.name} changed since the session was saved: the arrays will differ")

    options = LoadOptions(device or ref.device, dtype or ref.dtype, allow_missing_weights=allow_missing)
    session = cli_open(model_spec(ref), options, store_mode="exact", check=check)
    loaded = session.loaded
    if isinstance(session, EncoderSession):
        return Run(loaded, session, session.analyse(data.text, data.masks, top_k=sampling.candidates), []), data
    session.set_sampling(sampling)
    # every token read again (reuse_rows=False), not from the probe's knock-out on: the arrays bit for bit
    if _knocks_generated(session, data):  # as the window shows them: prompt and tokens in one forward
        result = session.prefill(data.text, data.masks, source=data.source, replay=data.generated, reuse_rows=False)
        return Run(loaded, session, session.state(), list(result.steps)), data
    session.prefill(data.text, data.masks, source=data.source, reuse_rows=False)
    steps = [session.step(choose=token) for token in data.generated]  # the same forwards as generating
    return Run(loaded, session, session.state(), steps), data


def _knocks_generated(session, data: SessionData) -> bool:
    """A decoder knock-out falls on a generated token (only the window makes those)."""
    knocked = data.masks.knocked("decoder")
    if not knocked or not data.generated:
        return False
    unknocked = replace(data.masks, knockouts=frozenset(k for k in data.masks.knockouts if k[0] != "decoder"))
    session.prefill(data.text, unknocked, source=data.source)
    return max(knocked) >= len(session.token_ids)
