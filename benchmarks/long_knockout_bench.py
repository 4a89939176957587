"""A knock-out on a long document (issue 24, item 14): SmolLM2 at 4,096 tokens in long-document mode.

The rows before a knocked-out token cannot see it, so the engine keeps them and reads only the rest of the text
again. Timed here: the first read of the text, then a knock-out at the middle (the second half read again), then
one more at the last token (that token read again); each against the first read, whose share of the tokens
the re-read should roughly take (more: the later half of a text holds three quarters of its attention), and
against what a knock-out cost before: every token read again. One run each: a read takes minutes on a CPU.
"""

from __future__ import annotations

import time

from attnlab.engine.api.config import SamplingConfig
from attnlab.engine.api.results import Masks
from attnlab.engine.session.sessions import GenerationSession
from benchmarks import models
from benchmarks.common import Figure, Size, clock


def knockout_rereads(size: Size) -> list[Figure]:
    key = "smollm2" if "smollm2" in size.models else size.models[0]
    tokens = size.long_lengths[0]
    loaded = models.load(key)
    text = models.prompt(loaded, tokens)
    case = f"{models.TITLES[key]} @ {tokens:,} tokens, long mode"

    def session() -> GenerationSession:
        made = GenerationSession(loaded)
        made.store_mode = "long"
        made.set_sampling(SamplingConfig(max_new_tokens=1))
        return made

    def read(reader: GenerationSession, masks: Masks) -> tuple[float, float]:
        started, cpu = clock(), time.process_time()
        result = reader.prefill(text, masks)
        assert result.long is not None and result.long.rows == tokens
        return clock() - started, time.process_time() - cpu

    middle = tokens // 2
    knocked = Masks().with_knockout("decoder", middle)
    reader = session()
    first, first_cpu = read(reader, Masks())
    at_middle, middle_cpu = read(reader, knocked)
    at_end, end_cpu = read(reader, knocked.with_knockout("decoder", tokens - 1))
    whole, whole_cpu = read(session(), knocked)  # every token read again, as before
    note = f"{loaded.device}; process CPU time {{:.1f}} s vs {first_cpu:.1f} s for the first read"
    figures = [Figure("long-knockout", f"first read, {case}", first, "s", note=str(loaded.device))]
    halfway = f"knock-out at the middle (token {middle:,}), {tokens - middle:,} tokens read again"
    last = f"knock-out at the end (token {tokens - 1:,}), 1 token read again"
    everything = f"knock-out at the middle, every token read (a new session: what it cost before), {case}"
    for where, seconds, cpu, share in ((halfway, at_middle, middle_cpu, 0.5), (last, at_end, end_cpu, 1 / tokens)):
        ratio = seconds / first
        figures.append(
            Figure(
                "long-knockout",
                f"{where}, {case}",
                seconds,
                "s",
                baseline=first,
                baseline_name="the first read of the same text (every token)",
                ratio=ratio,
                target=f"<= {share + 0.25:.2f}x (the share read again + 0.25)",
                met=ratio <= share + 0.25,
                note=note.format(cpu) + f"; {seconds / whole:.2f}x of reading every token with the knock-out",
            )
        )
    figures.append(
        Figure(
            "long-knockout",
            everything,
            whole,
            "s",
            baseline=first,
            baseline_name="the first read of the same text (every token)",
            ratio=whole / first,
            note=note.format(whole_cpu),
        )
    )
    return figures
