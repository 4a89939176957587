"""Issue 25: the information-flow graph (and the direct logit attribution) after a step.

Target: SmolLM2, 64 tokens, the graph ready ≤ 1 s after the step (one forward with hooks plus the
graph). The baseline is one plain forward of the same input (no hooks, nothing recorded), the floor any
graph that re-runs the input has; the note gives the direct logit attribution's time.
"""

from __future__ import annotations

from benchmarks.common import Figure, Size, clock, interleaved, median

FLOW_TOKENS = 64
FLOW_TARGET_S = 1.0


def flow_graph_after_step(size: Size) -> list[Figure]:
    return [_flow(key, size) for key in size.models]


def _flow(key: str, size: Size) -> Figure:
    from attnlab.engine.interpret.flow import FLOOR, flow_graph
    from attnlab.engine.interpret.logit_attribution import logit_attribution
    from attnlab.engine.session.sessions import GenerationSession
    from benchmarks import models

    loaded = models.load(key)
    tokens = min(FLOW_TOKENS, max(size.step_lengths))
    session = GenerationSession(loaded)
    session.prefill(models.prompt(loaded, tokens - 1))
    session.step()  # the graph of the state after a step: `tokens` positions
    edges: list[int] = []
    dla: list[float] = []

    def graph() -> float:
        started = clock()
        edges.append(len(flow_graph(session, threshold=FLOOR).edges))
        return clock() - started

    def forward() -> float:
        started = clock()
        session.rerun(session.interventions(), 1, tokens - 1)
        return clock() - started

    started = clock()
    dla.append(logit_attribution(session).error)
    dla_seconds = clock() - started
    graph()  # warm up
    values, bases, ratios = interleaved(graph, forward, size.repeats)
    target = FLOW_TARGET_S if key == "smollm2" else None
    value = median(values)
    return Figure(
        "flow",
        f"{models.TITLES[key]} @ {tokens} tokens, flow graph (floor {FLOOR})",
        value,
        "s",
        baseline=median(bases),
        baseline_name="one plain forward of the same input (no hooks)",
        ratio=median(ratios),
        target=f"<= {target:.0f} s" if target else "",
        met=value <= target if target else None,
        samples=values,
        note=f"{edges[-1]} edges; direct logit attribution {dla_seconds:.2f} s, sum-rule error {abs(dla[-1]):.1e}",
    )
