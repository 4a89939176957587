"""Readable token strings: no Ġ/▁ artefacts, Chinese as characters, partial UTF-8 shown sensibly.

A byte-level tokenizer may split one character over several tokens (SmolLM2 splits most Chinese
characters in two or three). Decoding such a token alone gives a replacement character; we
instead show the character it belongs to with an ellipsis on the side where it continues:
"中…" then "…中" for a character split in two.
"""

from __future__ import annotations

import re
from functools import lru_cache

from attnlab.engine.api.byte_text import readable_from_bytes
from attnlab.engine.api.errors import EngineError

_SENTENCEPIECE_SPACE = "\u2581"  # ▁
_BYTE_FALLBACK = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")
_SURROGATE = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=1)
def _byte_level_alphabet() -> dict[str, int]:
    """Inverse of the byte-level BPE alphabet: printable bytes stand for themselves, the others
    (controls, space, some Latin-1) are shifted to code points from 256 upwards, in byte order."""
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAC + 1), *range(0xAE, 0xFF + 1)]
    mapping = {chr(b): b for b in printable}
    shifted = 0
    for b in range(256):
        if b not in printable:
            mapping[chr(256 + shifted)] = b
            shifted += 1
    return mapping


def _is_byte_level(tokenizer) -> bool:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    decoder = getattr(backend, "decoder", None)
    return decoder is not None and "ByteLevel" in repr(decoder)


def token_bytes(tokenizer, pieces: list[str]) -> list[bytes | None]:
    """The raw bytes of each token piece, or None when a piece is not bytes (a special token)."""
    specials = set(getattr(tokenizer, "all_special_tokens", []) or [])
    alphabet = _byte_level_alphabet() if _is_byte_level(tokenizer) else None
    out: list[bytes | None] = []
    for piece in pieces:
        if piece is None or piece in specials:
            out.append(None)
        elif alphabet is not None:
            if all(ch in alphabet for ch in piece):
                out.append(bytes(alphabet[ch] for ch in piece))
            else:
                out.append(piece.encode("utf-8"))
        elif match := _BYTE_FALLBACK.match(piece):
            out.append(bytes([int(match.group(1), 16)]))
        else:
            out.append(piece.replace(_SENTENCEPIECE_SPACE, " ").encode("utf-8"))
    return out


def readable_tokens(tokenizer, ids: list[int]) -> list[str]:
    """One display string per token id, in order."""
    pieces = tokenizer.convert_ids_to_tokens([int(i) for i in ids])
    raw = token_bytes(tokenizer, pieces)
    return readable_from_bytes([piece if b is None else "" for piece, b in zip(pieces, raw, strict=True)], raw)


def readable_token(tokenizer, token_id: int) -> str:
    """Display string of one token on its own (e.g. a candidate for the next position)."""
    return readable_tokens(tokenizer, [token_id])[0]


def check_unicode(text: str, what: str = "text") -> None:
    """Refuse a lone surrogate: tokenizers cannot encode one (a command line with bytes that are not
    UTF-8 arrives as one, through Python's surrogateescape decoding)."""
    found = _SURROGATE.search(text)
    if found:
        raise EngineError("invalid_character", what=what, position=found.start(), code=f"U+{ord(found.group()):04X}")
