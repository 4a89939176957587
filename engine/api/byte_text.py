"""Reading tokens from their bytes: a character split over several tokens shows on each part.

Imports neither torch, tokenizers nor Qt: engine/tokens.py reads a tokenized text with it, and
the GUI reads a generation with it, from the bytes each step carries (StepResult.raw), so that
generated tokens read like the prompt's.
"""

from __future__ import annotations


def _utf8_length(lead: int) -> int:
    if lead < 0x80:
        return 1
    if lead >> 5 == 0b110:
        return 2
    if lead >> 4 == 0b1110:
        return 3
    if lead >> 3 == 0b11110:
        return 4
    return 1  # a stray continuation byte: treat it alone


def _undecodable(stream: bytearray, i: int) -> tuple[str, int, bool]:
    """Bytes that are no whole character, as hex: (text, bytes used, continues past the text).

    The start of a character cut off at the end of the text (e.g. a lone candidate token) shows
    as "‹e4 b8›…"; a stray byte as "‹ad›" ("…‹ad›" when it is the tail of something before).
    """
    rest = stream[i:]
    if rest[0] >= 0xC0 and len(rest) < _utf8_length(rest[0]) and all(0x80 <= b < 0xC0 for b in rest[1:]):
        return f"‹{rest.hex(' ')}›", len(rest), True
    before = "…" if 0x80 <= rest[0] < 0xC0 else ""
    return f"{before}‹{rest[0]:02x}›", 1, False


def readable_from_bytes(texts: list[str], raw: list[bytes | None]) -> list[str]:
    """Display strings of a sequence from each token's bytes; a token without bytes (a special
    token, or one whose bytes are unknown) keeps its text from `texts` and cuts the byte stream.

    Pure: the GUI re-derives a generation's texts with it, so that a character split over two
    generated tokens reads "猫…", "…猫" once both have arrived, as the prompt's do.
    """
    out = [text if b is None else "" for text, b in zip(texts, raw, strict=True)]

    # Walk the byte stream of each run of tokens with bytes, character by character.
    owner: list[int] = []  # token index of every byte in `stream`
    stream = bytearray()

    def flush() -> None:
        i = 0
        while i < len(stream):
            n = _utf8_length(stream[i])
            chunk = bytes(stream[i : i + n])
            open_end = False
            try:
                char = chunk.decode("utf-8")
            except UnicodeDecodeError:
                char, n, open_end = _undecodable(stream, i)
            holders = owner[i : i + n]
            first, last = holders[0], holders[-1]
            for t in dict.fromkeys(holders):
                before = "…" if t != first else ""
                after = "…" if t != last or open_end else ""
                out[t] += f"{before}{char}{after}"
            i += n
        stream.clear()
        owner.clear()

    for index, b in enumerate(raw):
        if b is None:
            flush()
            continue
        stream.extend(b)
        owner.extend([index] * len(b))
    flush()
    return out


def open_tail(raw: list[bytes | None]) -> int:
    """How many tokens at the end of `raw` hold the start of a character not yet complete (0: none).

    A candidate for the next token is read after them: "…猫" rather than a lone "…‹ab›".
    """
    stream = bytearray()
    owners: list[int] = []
    for index in range(len(raw) - 1, max(len(raw) - 4, 0) - 1, -1):
        b = raw[index]
        if b is None:
            break
        stream[:0] = b
        owners[:0] = [index] * len(b)
        if len(stream) >= 4:
            break
    for back in range(1, min(4, len(stream)) + 1):
        lead = stream[-back]
        if lead >= 0xC0:  # the last character starts here: complete or not?
            return len(raw) - owners[-back] if back < _utf8_length(lead) else 0
        if lead < 0x80:
            return 0
    return 0
