"""How much of a text a WordPiece model reads as pieces or unknowns, for results that are only as
good as its vocabulary (tiny-bert's next-sentence probability turns backwards on everyday
sentences its small vocabulary spells out as `s ##a ##t`)."""

from __future__ import annotations

from collections.abc import Sequence

SPECIAL = frozenset({"[CLS]", "[SEP]", "[PAD]", "[MASK]"})
UNKNOWN = "[UNK]"


def split_share(tokens: Sequence[str]) -> float | None:
    """Share of the text's words that are unknown or split into several word pieces ("##" marks a
    continuation); None when there are no words. Special tokens are not words."""
    words: list[list[str]] = []  # each word: its pieces
    for token in tokens:
        if token in SPECIAL:
            continue
        if token.startswith("##") and words:
            words[-1].append(token)
        else:
            words.append([token])
    if not words:
        return None
    odd = sum(1 for pieces in words if len(pieces) > 1 or UNKNOWN in pieces)
    return odd / len(words)
