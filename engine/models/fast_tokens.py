"""A text's tokens from a model folder's tokenizer.json alone, shown while the model still loads.

Importing torch and transformers takes seconds; the `tokenizers` package (the Rust library under
transformers' fast tokenizers) takes milliseconds. So the worker reads the tokens first with this
module and the window shows them, marked as loading, until the model's own tokenizer replaces them.
Nothing here imports torch or transformers, and nothing here converts a .gguf: a model that has no
tokenizer.json yet simply gets no early tokens.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from attnlab.engine.api.tokens import readable_tokens
from attnlab.engine.models.available_models import list_models
from attnlab.engine.models.gguf_convert import converted_folder, is_converted
from attnlab.engine.models.hf_cache import hf_cache_snapshot
from attnlab.engine.models.model_folder import read_json
from attnlab.engine.models.model_kind import model_kind
from attnlab.engine.models.resolving import HUB_ID

MAX_PREVIEW_CHARS = 100_000  # a longer text waits for the model (which says what it accepts)


class _FastTokenizer:
    """The parts of a transformers fast tokenizer that `readable_tokens` reads, over a bare `tokenizers.Tokenizer`."""

    def __init__(self, backend) -> None:
        self.backend_tokenizer = backend
        self.all_special_tokens = [t.content for t in backend.get_added_tokens_decoder().values() if t.special]

    def convert_ids_to_tokens(self, ids: list[int]) -> list[str | None]:
        return [self.backend_tokenizer.id_to_token(i) for i in ids]


def tokenizer_folder(spec: str) -> Path | None:
    """The local folder holding `spec`'s config.json and tokenizer.json, or None (nothing to read yet)."""
    spec = spec.strip()
    path: Path | None = next((Path(e.path) for e in list_models() if e.name == spec), None)
    if path is None and spec and os.path.exists(os.path.expanduser(spec)):
        path = Path(spec).expanduser()
    elif path is None and HUB_ID.match(spec):
        path = hf_cache_snapshot(spec)
    if path is None:
        return None
    if path.is_file() and path.suffix.lower() == ".gguf":
        path = converted_folder(path)
        if not is_converted(path):
            return None
    if path.is_file() and path.name == "config.json":
        path = path.parent
    if (path / "config.json").is_file() and (path / "tokenizer.json").is_file():
        return path
    return None


def preview_tokens(spec: str, texts: Mapping[str, str]) -> tuple[str, tuple[str, ...]] | None:
    """(model kind, readable tokens of that kind's text in `texts`), or None when there is nothing to show.

    texts: the text the token strip would show for each kind ("encoder", "decoder", "encoder-decoder").
    """
    folder = tokenizer_folder(spec)
    if folder is None:
        return None
    kind = model_kind(read_json(folder / "config.json"))
    text = texts.get(kind, "")
    if not text.strip() or len(text) > MAX_PREVIEW_CHARS:
        return None
    from tokenizers import Tokenizer

    backend = Tokenizer.from_file(str(folder / "tokenizer.json"))
    ids = backend.encode(text).ids
    return kind, tuple(readable_tokens(_FastTokenizer(backend), ids))
