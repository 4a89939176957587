"""What main's engine says crosses the process boundary as data and reaches the window as the thread's does:
errors as codes (translated by the client), a refused text stopping the next step, per-model consent asked
and given through a real engine process, the information-flow analyses' results and
input attribution."""

from __future__ import annotations

import numpy as np
from conftest import LOAD_TIMEOUT_MS, REPLY_TIMEOUT_MS
from risky_models import code_folder

from attnlab.app.engine_worker import EngineClient
from attnlab.engine.api.config import LoadOptions
from attnlab.engine.api.messages import message
from attnlab.engine.api.requests import ExplainCause
from attnlab.engine.api.results import Attribution, FlowGraph, LogitAttribution, ValueNorms

MODEL = "tiny-gpt"
TEXT = "The cat sat on the mat and the"


def _analyses(qtbot, client: EngineClient) -> dict[str, object]:
    """Errors before and after a refused text, then the contribution norms, DLA and the flow graph of TEXT."""
    got: dict[str, object] = {}
    errors: list[str] = []
    client.errored.connect(errors.append)
    with qtbot.waitSignal(client.errored, timeout=REPLY_TIMEOUT_MS):
        client.step()  # no model yet
    got["no model"] = errors[-1]
    with qtbot.waitSignal(client.model_loaded, timeout=LOAD_TIMEOUT_MS):
        client.load(MODEL)
    with qtbot.waitSignal(client.analysis_failed, timeout=REPLY_TIMEOUT_MS):
        client.analyse("")
    got["empty"] = errors[-1]
    with qtbot.waitSignal(client.errored, timeout=REPLY_TIMEOUT_MS):
        client.step()  # behind a refused text: not the previous prompt continued
    got["after refusal"] = errors[-1]
    with qtbot.waitSignal(client.analysed, timeout=REPLY_TIMEOUT_MS):
        client.analyse(TEXT)
    with qtbot.waitSignal(client.values_measured, timeout=REPLY_TIMEOUT_MS) as measured:
        client.measure_values("decoder", ticket=7)
    got["values"] = measured.args
    with qtbot.waitSignal(client.information_traced, timeout=REPLY_TIMEOUT_MS) as traced:
        client.attribute_logit()
    got["dla"] = traced.args[0]
    with qtbot.waitSignal(client.information_traced, timeout=REPLY_TIMEOUT_MS) as traced:
        client.trace_flow(0.01)
    got["flow"] = traced.args[0]
    with qtbot.waitSignal(client.cause_explained, timeout=REPLY_TIMEOUT_MS) as caused:
        client.explain_cause(ExplainCause("attribution", max_steps=16))
    got["attribution"] = caused.args[0]
    return got


def test_codes_refusals_and_information_flow_cross_the_boundary(qtbot):
    results = {}
    for target in ("thread", "private"):
        client = EngineClient(target=target)
        try:
            results[target] = _analyses(qtbot, client)
        finally:
            client.shutdown()
    thread, process = results["thread"], results["private"]
    assert process["no model"] == thread["no model"] == str(message("no_model_loaded"))
    assert process["empty"] == thread["empty"] == str(message("prompt_empty"))
    assert process["after refusal"] == thread["after refusal"] == str(message("not_analysed"))
    ticket, norms = process["values"]
    assert ticket == 7 and isinstance(norms, ValueNorms)
    np.testing.assert_array_equal(norms.projected, thread["values"][1].projected)
    assert (norms.projected >= 0).all() and norms.values.shape == norms.projected.shape  # [layer, head, key]
    dla = process["dla"]
    assert isinstance(dla, LogitAttribution)
    np.testing.assert_array_equal(dla.heads, thread["dla"].heads)
    parts = dla.heads.sum() + dla.mlp.sum() + dla.embed + dla.bias  # the decomposition adds up to the logit
    assert abs(parts + dla.error - dla.logit) < 1e-3 and abs(dla.error) < 1e-2 * max(1.0, abs(dla.logit))
    flow = process["flow"]
    assert isinstance(flow, FlowGraph)
    np.testing.assert_array_equal(flow.edges, thread["flow"].edges)
    assert flow.tokens == thread["flow"].tokens and len(flow.edges) > 0
    attributed = process["attribution"]
    assert isinstance(attributed, Attribution) and attributed.tokens == thread["attribution"].tokens
    np.testing.assert_array_equal(attributed.integrated, thread["attribution"].integrated)
    assert len(attributed.integrated) == len(attributed.grad_x_input) == len(attributed.tokens) == len(flow.tokens)


def test_consent_is_asked_and_given_through_the_engine_process(qtbot, tmp_path):
    """The engine refuses a model's own code with a ConsentRequest (data over the socket); the load with that
    consent in its options runs the code in the engine process, and only then."""
    ran = tmp_path / "ran.txt"
    folder = code_folder(tmp_path / "shipped", ran)
    client = EngineClient(target="private")
    failures: list[str] = []
    client.load_failed.connect(failures.append)
    try:
        with qtbot.waitSignal(client.consent_needed, timeout=LOAD_TIMEOUT_MS) as asked:
            client.load(str(folder))
        qtbot.waitUntil(lambda: bool(failures), timeout=REPLY_TIMEOUT_MS)  # and the load failed, saying why
        request = asked.args[0]
        assert request.consent.need == "remote_code" and request.consent.model == str(folder.resolve())
        assert not ran.exists()
        with qtbot.waitSignal(client.model_loaded, timeout=LOAD_TIMEOUT_MS) as loaded:
            client.load(str(folder), LoadOptions(consents=frozenset({request.consent})))
        assert ran.exists() and "remote_code" in loaded.args[0].consented
    finally:
        client.shutdown()
