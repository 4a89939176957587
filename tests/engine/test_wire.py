"""The process boundary's encoding: every request and result type round-trips as data; attention rows are
sent once; nothing but registered dataclasses and numeric arrays can be built from a message."""

from __future__ import annotations

import dataclasses
import json
import threading
from multiprocessing.connection import Pipe

import numpy as np
import pytest

from attnlab.engine.analyses.fingerprints import HeadFingerprints
from attnlab.engine.analyses.head_scores import HeadScores, StackRollout
from attnlab.engine.api import requests as rq
from attnlab.engine.api.attention_store import AttentionSnapshot, AttentionStore
from attnlab.engine.api.config import Corruption, LoadOptions, SamplingConfig
from attnlab.engine.api.consent import Consent, ConsentRequest
from attnlab.engine.api.long_summary import LongAttention
from attnlab.engine.api.messages import EngineMessage, message
from attnlab.engine.api.results import (
    AnalysisResult,
    Attribution,
    Candidate,
    CatalogEntry,
    CellExplanation,
    FlowGraph,
    HeadImportance,
    LensResult,
    LogitAttribution,
    MaskPrediction,
    Masks,
    ModelInfo,
    PatchedRun,
    PatchingResult,
    StackInfo,
    StepResult,
    ValueNorms,
)
from attnlab.engine.server import wire

RNG = np.random.default_rng(0)


def _store(rows: int = 5) -> AttentionStore:
    store = AttentionStore()
    store.configure("decoder", 2, 3, causal=True, keys=rows, capacity=rows + 3)
    store.configure("encoder", 2, 3, causal=False, keys=4, capacity=4)
    for layer in range(2):
        store.write("decoder", layer, 0, RNG.random((3, rows, rows)).astype(np.float32))
        store.write("encoder", layer, 0, RNG.random((3, 4, 4)).astype(np.float32))
    store.set_rows("decoder", rows)
    store.set_rows("encoder", 4)
    return store


SNAPSHOT = _store().snapshot()
MASKS = Masks(frozenset({1, 3}), frozenset({("decoder", 2)}), frozenset({("decoder", 0, 1)}))
CANDIDATE = Candidate(5, "cat", 0.25, b"\xe4\xbd")
STACK = StackInfo("decoder", 2, 3, True)
INFO = ModelInfo(
    "tiny", "/m", "decoder", "GPT2LMHeadModel", "cpu", "float32", (STACK,), False, False, True, None, 128, 50, 1000,
    (("knockout", message("knockout_needs_mask")),), ("lm_head.weight",), ("unmatched_weights",),
)  # fmt: skip
PRINTS = HeadFingerprints(*(RNG.random((2, 3)).astype(np.float32) for _ in range(6)))
STEP = StepResult(7, "dog", 5, (CANDIDATE,), 0.5, b"dog", SNAPSHOT, None, False, "", (CANDIDATE,), 0.01)
LONG = LongAttention("decoder", RNG.random((2, 3, 4, 4)).astype(np.float16), 2, 7)
REGION = rq.Region(0, 1, (0, 3), (0, 2), 4)
CONSENT = Consent("/models/odd", "ab12", "remote_code")
# a message whose parameter is a message (a reason inside a sentence), and numbers of both kinds
NESTED = message("cannot_knock_out", model="tiny", reason=message("knockout_needs_mask"))

# One example of every type that may cross; the test below fails when a registered type has none.
EXAMPLES: dict[type, object] = {
    rq.ListCatalog: rq.ListCatalog(),
    rq.Load: rq.Load("tiny-gpt", LoadOptions(device="cpu", threads=2), (("decoder", "hello"),)),
    rq.SetSampling: rq.SetSampling(SamplingConfig(greedy=False, temperature=0.7, seed=3)),
    rq.Analyse: rq.Analyse("The cat", MASKS, None, (4, 5)),
    rq.Step: rq.Step(),
    rq.Choose: rq.Choose(9, True),
    rq.Undo: rq.Undo(),
    rq.ExplainCell: rq.ExplainCell("decoder", 1, 2, 3, 0),
    rq.SetStoreMode: rq.SetStoreMode("long"),
    rq.Region: REGION,
    rq.RegionWeights: rq.RegionWeights(REGION, RNG.random((3, 2)).astype(np.float32)),
    rq.ScoreHeads: rq.ScoreHeads("decoder", SNAPSHOT, (1, 2, 3, 4, 5)),
    rq.Rollout: rq.Rollout("encoder", SNAPSHOT),
    rq.ProbeInduction: rq.ProbeInduction(),
    rq.Run: rq.Run(20),
    rq.ExplainPrediction: rq.ExplainPrediction("exact", 3, None),
    rq.ForgetLensRows: rq.ForgetLensRows(),
    rq.CatalogListing: rq.CatalogListing((CatalogEntry("tiny", "decoder", 10, "bundled", "/m", "d"),), "tiny"),
    rq.TokenPreview: rq.TokenPreview("decoder", ("a", "b")),
    rq.SamplingApplied: rq.SamplingApplied(None),
    rq.RunSummary: rq.RunSummary(3, "stopped"),
    rq.MeasureValues: rq.MeasureValues("decoder", 7),
    rq.AttributeLogit: rq.AttributeLogit(42),
    rq.TraceFlow: rq.TraceFlow(0.02),
    rq.ExplainCause: rq.ExplainCause("patching", 5, Corruption(positions=(1, 2), noise=2.5, seed=4), site="mlp"),
    rq.LensSkipped: rq.LensSkipped(),
    Corruption: Corruption(text="The dog"),
    Attribution: Attribution(
        "decoder",
        ("a", "b"),
        7,
        "dog",
        1,
        -0.5,
        RNG.random(2).astype(np.float32),
        RNG.random(2).astype(np.float32),
        np.zeros(0, np.float32),
        "pad",
        -3.0,
        0.01,
        64,
        True,
    ),  # fmt: skip
    PatchingResult: PatchingResult(
        "decoder",
        ("a", "b"),
        ("a", "c"),
        7,
        "dog",
        -1,
        2.0,
        -1.0,
        *(np.full((2, 2), np.nan, np.float32) for _ in range(3)),
        RNG.random((2, 3)).astype(np.float32),
        5,
        9,
    ),  # fmt: skip
    PatchedRun: PatchedRun("heads", 1, 2, 0.5, 0.25, (CANDIDATE,)),
    LoadOptions: LoadOptions(device_map="auto", consents=frozenset({CONSENT, Consent("org/m", None, "pickle")})),
    SamplingConfig: SamplingConfig(),
    AnalysisResult: AnalysisResult(
        ("a", "b"),
        np.arange(2),
        (),
        np.zeros(0, np.int64),
        SNAPSHOT,
        MASKS,
        (MaskPrediction(1, (CANDIDATE,)),),
        0.75,
        (CANDIDATE,),
        False,
        0.1,
        (STEP,),
        LONG,
    ),  # fmt: skip
    Candidate: CANDIDATE,
    CatalogEntry: CatalogEntry("x", "unknown", 0, "pip", "/x"),
    CellExplanation: CellExplanation(
        "cross",
        0,
        1,
        2,
        3,
        "q",
        "k",
        0,
        np.ones(4),
        np.zeros(4),
        0.5,
        0.125,
        None,
        0.06,
        0.0,
        0.0,
        -1e9,
        -1e9,
        -1e9,
        2.0,
        0.0,
        True,
        False,
        True,
        0.0,
        float("nan"),
        np.array([1.0, -np.inf]),
        np.array([1.0, 0.0]),
    ),  # fmt: skip
    HeadImportance: HeadImportance("decoder", RNG.random((2, 3)).astype(np.float32), 4, "x", 3, -1.5, True),
    LensResult: LensResult(
        "decoder", ("a",), np.zeros((3, 1, 2), np.int64), np.ones((3, 1, 2), np.float32), ((("x", "y"),),) * 3, 2
    ),
    MaskPrediction: MaskPrediction(2, ()),
    Masks: MASKS,
    ModelInfo: INFO,
    StackInfo: STACK,
    StepResult: STEP,
    LongAttention: LONG,
    HeadFingerprints: PRINTS,
    HeadScores: HeadScores("decoder", PRINTS, 5, SNAPSHOT, np.arange(4)),
    StackRollout: StackRollout("encoder", RNG.random((2, 4, 4)).astype(np.float32), None),
    ValueNorms: ValueNorms(
        "decoder", RNG.random((2, 3, 5)).astype(np.float32), RNG.random((2, 3, 5)).astype(np.float32)
    ),
    LogitAttribution: LogitAttribution(
        "decoder",
        4,
        7,
        "dog",
        -1,
        "",
        RNG.random((2, 3)).astype(np.float32),
        None,
        RNG.random(2).astype(np.float32),
        0.5,
        -0.25,
        3.0,
        1e-6,
    ),  # fmt: skip
    FlowGraph: FlowGraph("decoder", 4, 2, ("a", "b", "c", "d", "e"), RNG.random((6, 6)).astype(np.float32), 0.01, 0.2),
    EngineMessage: NESTED,
    Consent: CONSENT,
    ConsentRequest: ConsentRequest(CONSENT, "odd", NESTED),
}


def same(a: object, b: object) -> bool:
    """Equal values, arrays by content and dtype, snapshots by their valid attention, NaN equal to NaN."""
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, AttentionSnapshot):
        return (
            isinstance(b, AttentionSnapshot)
            and a.stacks == b.stacks
            and all(a.shape(s) == b.shape(s) and np.array_equal(a.full(s), b.full(s)) for s in a.stacks)
        )
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a):
        return bool(np.isnan(b))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        if type(a) is not type(b):
            return False
        return all(
            same(getattr(a, f.name), getattr(b, f.name))
            for f in dataclasses.fields(a)
            if not isinstance(getattr(a, f.name), threading.Event)
        )
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, frozenset):
        return a == b
    return type(a) is type(b) and a == b


def test_every_registered_type_has_an_example():
    assert set(wire.registered()) == set(EXAMPLES), set(wire.registered()) ^ set(EXAMPLES)


@pytest.mark.parametrize("kind", sorted(EXAMPLES, key=lambda t: t.__name__), ids=lambda t: t.__name__)
def test_every_type_round_trips(kind):
    example = EXAMPLES[kind]
    back = wire.round_trip(example)
    assert type(back) is kind
    assert same(example, back)


def test_a_round_trip_through_a_real_connection_keeps_arrays_writable_and_cancel_flags_fresh():
    left, right = Pipe()
    run = rq.Run(5)
    run.cancel.set()
    wire.send(left, wire.Sender(), {"op": "request", "rid": 3, "request": run, "result": EXAMPLES[AnalysisResult]})
    message = wire.receive(right, wire.Receiver())
    assert message["rid"] == 3 and message["request"].count == 5
    assert not message["request"].cancel.is_set()  # a cancel is a message of its own, never a copied flag
    result = message["result"]
    assert same(EXAMPLES[AnalysisResult], result)
    assert result.token_ids.flags.writeable


def test_steps_send_only_new_rows_and_the_mirror_equals_the_store():
    """Prefill 5 rows, step, undo, replace the last step, grow past the capacity: the receiver's snapshot
    equals the engine's each time, and a step moves one row per layer and head, not the triangle."""
    store = _store(5)
    sender, receiver = wire.Sender(), wire.Receiver()

    def send() -> int:
        encoded = sender.encode(store.snapshot())
        back = receiver.decode(encoded[0], [memoryview(bytearray(b)) for b in encoded[1:]])
        assert same(store.snapshot(), back)
        return sum(memoryview(b).nbytes for b in encoded[1:])

    send()
    grown = 0
    for row in range(5, 12):  # past the capacity of 8: the engine's buffer grows (a new array)
        before = store.snapshot()._buffers[0][1]
        store.write("decoder", 0, row, RNG.random((3, 1, row + 1)).astype(np.float32))
        store.write("decoder", 1, row, RNG.random((3, 1, row + 1)).astype(np.float32))
        store.set_rows("decoder", row + 1)
        moved = send()
        encoder = 2 * 3 * 1 * 4 * 2  # the encoder stack: its last row again
        if store.snapshot()._buffers[0][1] is before:  # two rows (the last again, the new one) per layer and head
            assert moved - encoder <= 2 * 3 * (row + row + 1) * 2
        else:  # a grown buffer is sent whole, once
            grown += 1
            assert moved - encoder == 2 * 3 * (row + 1) * (row + 2) // 2 * 2
    assert grown >= 1
    store.set_rows("decoder", 11)  # undo
    send()
    store.write("decoder", 0, 11, np.full((3, 1, 12), 0.5, np.float32))  # replaced step: row 11 rewritten
    store.set_rows("decoder", 12)
    send()
    store.set_rows("decoder", 11)  # undo, then a choice replaces the step without a snapshot between
    store.write("decoder", 1, 11, np.full((3, 1, 12), 0.25, np.float32))
    store.set_rows("decoder", 12)
    send()


@pytest.mark.parametrize(
    "header",
    [
        {"$c": "Popen", "f": {"args": ["sh"]}},  # not registered: nothing but registered dataclasses
        {"$a": 0, "dtype": "|O", "shape": [1]},  # object arrays would unpickle
        {"$c": "Step", "f": {"surprise": 1}},  # fields of another version
        {"$x": 1},
    ],
)
def test_unknown_types_and_object_arrays_are_refused(header):
    with pytest.raises(wire.WireError):
        wire.Receiver().decode(json.dumps(header).encode(), [memoryview(bytearray(8))])


def test_an_error_crosses_as_its_code_and_params():
    """An engine error reaches the window as data it translates by code, a nested reason and numbers intact."""
    error = message("memory_exceeded", what=message("memory_attention_tokens", tokens=9000), needed=3.5, free=1)
    back = wire.round_trip({"op": "errored", "rid": 2, "message": error})
    assert back["message"] == error
    assert str(back["message"]) == str(error)
    assert type(back["message"].values()["needed"]) is float and type(back["message"].values()["free"]) is int


def test_unregistered_types_cannot_be_sent():
    @dataclasses.dataclass
    class Secret:
        value: int

    with pytest.raises(wire.WireError, match="register"):
        wire.Sender().encode(Secret(1))
    with pytest.raises(wire.WireError):
        wire.Sender().encode(np.array([object()]))
