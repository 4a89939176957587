"""Consent to the risky parts of loading one model: running its code, reading pickled weights, or
loading weights that do not match its architecture.

Consent is per model: a `Consent` names the model (its resolved folder, or its hub id) and the
content it was given for (`content_hash`: weights, config and code), so consent given to one model
never lets another run, nor the same folder after its code or weights changed. The engine refuses
a load that needs one with `ConsentNeeded`, which says what is needed and for which model; whoever
asked (the window, in a dialog) asks the user and loads again with that `Consent` in
`LoadOptions.consents`. Consent lives in memory only: no session or settings file carries it.
No torch, no Qt.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from attnlab.engine.api.errors import ModelLoadError
from attnlab.engine.api.messages import EngineMessage, Param
from attnlab.engine.api.saved_session import weights_hash

Need = Literal["remote_code", "pickle", "unmatched_weights"]
NEEDS: tuple[Need, ...] = ("remote_code", "pickle", "unmatched_weights")
_CODE_FILES = ("config.json", "tokenizer_config.json", "generation_config.json")
_MAX_CODE_BYTES = 16 * 2**20  # a model's own code and configs; more is not hashed whole (its size still counts)


@dataclass(frozen=True)
class Consent:
    """The user allowed `need` for exactly this model."""

    model: str  # the resolved folder (its real path), or the hub id
    content: str | None  # content_hash(folder) when consent was given; None: a hub id
    need: Need


@dataclass(frozen=True)
class ConsentRequest:
    """What the window needs to ask: which model, what for, and the consent to give for it."""

    consent: Consent
    name: str  # what the user picked (catalog name, folder, hub id)
    message: EngineMessage  # the engine's refusal, for the user (the window translates it by code)


class ConsentNeeded(ModelLoadError):
    """A load that needs the user's consent for this model; `request` says which and for what.
    `ConsentNeeded("consent_needed", request, reason=...)`: it pickles with its request."""

    def __init__(self, code: str, /, request: ConsentRequest, **params: Param):
        super().__init__(code, **params)
        self.request = request

    def __reduce__(self):  # the request travels too (CodedError's rebuilds from the message alone)
        return (_rebuild_consent, (type(self), self.message, self.request))


def _rebuild_consent(cls: type[ConsentNeeded], coded: EngineMessage, request: ConsentRequest) -> ConsentNeeded:
    return cls(coded.code, request, **coded.values())


def model_key(path: str) -> str:
    """The folder's real path (a symlink or a relative path names the same model), or a hub id as given."""
    location = Path(path).expanduser()
    return os.path.realpath(location) if location.exists() else path


def content_hash(path: str) -> str | None:
    """sha256 over what running or reading a model trusts: its weight files (`weights_hash`), its
    config files and every Python file it ships. None for a hub id (nothing on this disk yet)."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        return weights_hash(folder) if folder.is_file() else None
    digest = hashlib.sha256(f"weights\0{weights_hash(folder)}\0".encode())
    files = sorted(p for p in folder.iterdir() if p.name in _CODE_FILES or p.suffix == ".py")
    for file in files:
        digest.update(f"{file.name}\0".encode())
        try:
            if file.is_file() and file.stat().st_size <= _MAX_CODE_BYTES:
                digest.update(file.read_bytes())
            else:
                digest.update(f"size {file.stat().st_size}".encode())
        except OSError as error:
            digest.update(f"unreadable {error.errno}".encode())
        digest.update(b"\0")
    return digest.hexdigest()
