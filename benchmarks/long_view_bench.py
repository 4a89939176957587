"""The window's long-document views (issue 14), at SmolLM2's shape without the model: 30 layers × 9 heads,
8,192 tokens, overview cells of 16 × 16 tokens (the tiny size: 2 × 4 heads, 1,024 tokens).

Each figure is a call on a shown attention panel plus the event processing that paints it: one head's
overview in the large heatmap, the grid of one layer and of all layers × heads, a zoom that asks for an
exact region, the region drawn when it comes; and the engine side of what a step hands the window: a
frozen copy of the overview made afresh, or brought up to date from one the window let go of.
Targets: the heatmap's overview and the exact region each < 100 ms.
"""

from __future__ import annotations

import gc

import numpy as np

from benchmarks.common import Figure, Size, clock, median
from benchmarks.qt_support import application

TARGET_MS = 100.0


def long_views(size: Size) -> list[Figure]:
    from attnlab.app.attention_panel import AttentionPanel
    from attnlab.app.document import Document
    from attnlab.app.requests import Region, RegionWeights
    from attnlab.engine.api.attention_store import AttentionSnapshot
    from attnlab.engine.api.long_summary import LongAttention
    from attnlab.engine.api.results import AnalysisResult, Masks, ModelInfo, StackInfo

    qt = application()
    layers, heads, tokens, factor = (30, 9, 8192, 16) if size.name == "full" else (2, 4, 1024, 2)
    cells = tokens // factor
    rng = np.random.default_rng(0)
    pooled = (rng.random((layers, heads, cells, cells)) ** 8).astype(np.float16)  # [layer, head, cell, cell]
    info = ModelInfo(
        "synthetic",
        "",
        "decoder",
        "LlamaForCausalLM",
        "cpu",
        "float32",
        (StackInfo("decoder", layers, heads, True),),
        False,
        False,
        True,
        None,
        tokens,
        100,
        1,
    )
    document = Document()
    document.reset(info)
    document.apply_analysis(
        AnalysisResult(
            tokens=tuple(f" w{i % 997}" for i in range(tokens)),
            token_ids=np.arange(tokens),
            decoder_tokens=(),
            decoder_token_ids=np.zeros(0, np.int64),
            attention=AttentionSnapshot(),
            masks=Masks(),
            long=LongAttention("decoder", pooled, factor, tokens),
        )
    )
    panel = AttentionPanel()
    panel.resize(1400, 800)
    panel.show()
    panel.set_model(info)
    panel.set_document(document)
    asked: list[tuple] = []
    panel.region_wanted.connect(lambda *args: asked.append(args))
    qt.processEvents()

    def timed(action) -> float:
        start = clock()
        action()
        qt.processEvents()
        return (clock() - start) * 1000

    view = panel.heatmap.plot.getViewBox()
    overview, one, every, zoom, exact = ([] for _ in range(5))
    for repeat in range(size.repeats):
        panel.picker.all_layers_box.setChecked(False)
        view.setRange(xRange=(-0.5, tokens - 0.5), yRange=(-0.5, tokens - 0.5), padding=0)
        panel.picker.select(layer=repeat % layers, head=repeat % heads)
        qt.processEvents()
        overview.append(timed(panel.render_heatmap))
        one.append(timed(panel.render_grid))
        panel.picker.all_layers_box.setChecked(True)
        every.append(timed(panel.render_grid))
        low = tokens // 2 + 7 * repeat
        zoom.append(timed(lambda low=low: view.setRange(xRange=(low - 300, low), yRange=(low, low + 200), padding=0)))
        layer, head, queries, keys, number = asked[-1]
        weights = rng.random((queries[1] - queries[0], keys[1] - keys[0])).astype(np.float32)
        reply = RegionWeights(Region(layer, head, queries, keys, number), weights)
        exact.append(timed(lambda reply=reply: panel.show_region(reply)))
    panel.close()
    figures = [
        Figure(
            "gui-long",
            f"overview of one head @ {tokens:,} tokens",
            median(overview),
            "ms",
            target=f"< {TARGET_MS:.0f} ms",
            met=median(overview) < TARGET_MS,
        ),
        Figure("gui-long", f"grid of one layer ({heads} heads)", median(one), "ms"),
        Figure("gui-long", f"grid of all {layers} × {heads} heads", median(every), "ms"),
        Figure("gui-long", "zoom to ≤ 512 tokens (the region asked for)", median(zoom), "ms"),
        Figure(
            "gui-long",
            "exact 512 × 512 region drawn",
            median(exact),
            "ms",
            target=f"< {TARGET_MS:.0f} ms",
            met=median(exact) < TARGET_MS,
        ),
    ]
    return figures + _frozen_copies(size, layers, heads, tokens)


def _frozen_copies(size: Size, layers: int, heads: int, tokens: int) -> list[Figure]:
    """What a step costs the engine to hand the window an overview that never changes under it."""
    from attnlab.engine.long.snapshots import FrozenOverviews
    from attnlab.engine.long.store import LongState

    state = LongState(layers, heads, tokens)
    state.pooled[:] = 1e-3  # touched, like a real overview
    frozen = FrozenOverviews()

    def steps(keep: bool) -> list[float]:
        times, held = [], []
        for _ in range(size.repeats):
            state.rows += 1
            frozen.wrote(state, state.rows - 1)
            start = clock()
            snapshot = frozen.snapshot(state)
            times.append((clock() - start) * 1000)
            if keep:  # the window still holds every one; else it let each go
                held.append(snapshot)
            del snapshot
            gc.collect()
        return times

    state.rows = tokens - 2 * size.repeats - 2
    fresh, reused = steps(keep=True), steps(keep=False)
    return [
        Figure("gui-long", "a step's frozen overview, copied afresh", median(fresh), "ms"),
        Figure("gui-long", "... brought up to date from one let go of", median(reused), "ms"),
    ]
