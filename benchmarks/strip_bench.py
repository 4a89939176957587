"""The token strip at document length (issue 14): no widget per token, no stall on the GUI thread.

Each figure is a call on a shown strip plus the synchronous repaint of what it changed, at 10,000
tokens (1,000 at the tiny size): a new document, one more generated token, a mark changed, a page
scrolled. The document's tokens are drawn from a Zipf-like vocabulary of 5,000 word pieces, as a
real text repeats its tokens; a document of all-distinct tokens is the worst case (every text
measured afresh). Target: each < 100 ms.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from benchmarks.common import Figure, Size, clock, median
from benchmarks.qt_support import application

TARGET_MS = 100.0
VOCABULARY = 5_000


def _document(count: int, seed: int, distinct: bool = False) -> list[str]:
    if distinct:
        return [f" w{seed}_{i}" for i in range(count)]
    rng = np.random.default_rng(seed)
    ranks = np.minimum(rng.zipf(1.2, count), VOCABULARY)
    return ["<s>"] + [f" piece{rank}" if rank % 3 else f"ing{rank}" for rank in ranks[1:]]


def token_strip(size: Size) -> list[Figure]:
    from attnlab.app.widgets.token_strip import TokenStrip

    application()
    count = 10_000 if size.name == "full" else 1_000
    strip = TokenStrip()
    strip.resize(1200, 160)
    strip.show()
    strip.set_kinds("knockout", ("knockout",), ("knockout",))
    application().processEvents()

    def timed(action, *args) -> float:
        start = clock()
        action(*args)
        strip.viewport().repaint()
        return (clock() - start) * 1000

    bar = strip.verticalScrollBar()
    new, grown, marked, scrolled = (
        f"set_tokens, a new {count:,}-token document",
        "... one more generated token",
        "a mark changed",
        "a page scrolled",
    )
    worst = f"set_tokens, {count:,} all-distinct tokens (worst case)"
    cases: dict[str, list[float]] = {case: [] for case in (new, grown, marked, scrolled, worst)}
    for repeat in range(size.repeats):
        text = _document(count, repeat)
        strip.set_tokens([])
        cases[new].append(timed(strip.set_tokens, text))
        cases[grown].append(timed(strip.set_tokens, text[:-1], text[-1:]))
        cases[marked].append(timed(strip.set_marks, dict.fromkeys(range(repeat, count, 97), "knockout")))
        cases[scrolled].append(timed(bar.setValue, max(0, bar.value() - bar.pageStep())))
        strip.set_tokens([])
        cases[worst].append(timed(strip.set_tokens, _document(count, repeat, distinct=True)))
    strip.close()
    return [
        Figure(
            "gui-strip",
            case,
            median(values),
            "ms",
            target=f"< {TARGET_MS:.0f} ms",
            met=median(values) < TARGET_MS,
            samples=values,
            note=f"{len(strip.findChildren(QObject))} child objects" if not index else "",
        )
        for index, (case, values) in enumerate(cases.items())
    ]
