"""How a token's text is shown in a chip or on an axis: whitespace made visible, long ones cut."""

from __future__ import annotations

from functools import lru_cache

_VISIBLE = str.maketrans({"\n": "↵", "\t": "⇥", "\r": "␍"})


@lru_cache(maxsize=1 << 16)  # axes relabel every token on every redraw; the texts repeat
def display_text(token: str, limit: int = 0) -> str:
    """The readable engine string, with newlines and tabs drawn and an all-space token as ␣."""
    if token == "":
        return "∅"
    text = token.translate(_VISIBLE)
    text = "␣" * len(text) if not text.strip() else text.strip(" ")
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def looks_special(token: str) -> bool:
    """[CLS], <s>, <|endoftext|>, </s>: drawn quieter than words."""
    t = token.strip()
    return len(t) > 2 and ((t[0] == "[" and t[-1] == "]") or (t[0] == "<" and t[-1] == ">"))
