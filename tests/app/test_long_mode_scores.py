"""The engine worker in long-document mode: head scores from recomputed rows (with progress, given up when
newer work is queued), rollout answered with a message; checked against the same text in exact mode."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from tiny_models import tiny_gpt2

from attnlab.app.engine_worker import EngineWorker
from attnlab.app.requests import Analyse, Latest, Load, Rollout, ScoreHeads
from attnlab.engine.analyses.head_scores import head_scores
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import GenerationSession

TEXT = " ".join(["the cat sat on the mat and the dog ran to the big red rug"] * 8)


def _worker(mode: str):
    """A worker whose model is a tiny GPT-2 session in `mode`, after analysing TEXT; its replies and progress."""
    model, tokenizer = tiny_gpt2(positions=256)
    session = GenerationSession(wrap_model(model, tokenizer, name="gpt2"))
    session.store_mode, session.prefill_block = mode, 32
    latest = Latest()
    worker = EngineWorker(lambda *_: (session.info, session), latest, lambda: ([], None), threading.Event())
    replies: dict[int, object] = {}
    errors: dict[int, str] = {}
    progress: list[float] = []
    worker.returned.connect(lambda rid, result: replies.__setitem__(rid, result))
    worker.errored.connect(lambda rid, message: errors.__setitem__(rid, str(message)))  # the English text
    worker.progressed.connect(lambda rid, message, fraction: progress.append(fraction))
    for rid, request in enumerate((Load("tiny"), Analyse(TEXT)), start=1):
        latest.sent = rid
        worker.handle(rid, request)
    progress.clear()  # the analysis reports how much of the text it read: not the scoring's progress
    return worker, latest, session, replies, errors, progress


@pytest.fixture(autouse=True)
def _small_blocks(monkeypatch):
    monkeypatch.setattr("attnlab.engine.long.rows.BLOCK_VALUES", 4 * 121 * 20)  # 20 recomputed rows at a time


def test_head_scores_in_long_mode_equal_the_exact_mode(qtbot):
    worker, latest, session, replies, errors, progress = _worker("long")
    _exact_worker, _latest, exact, exact_replies, _errors, _progress = _worker("exact")
    assert session.long_attention is not None and exact.long_attention is None
    snapshot = replies[2].attention
    assert "decoder" not in snapshot.stacks  # the window's snapshot holds no decoder rows in long mode
    latest.sent = 3
    worker.handle(3, ScoreHeads("decoder", snapshot, tuple(session.token_ids)))
    scores = replies[3]
    want = head_scores(exact_replies[2].attention, "decoder", exact.token_ids).prints.arrays()
    assert scores.snapshot is snapshot and scores.tokens == len(session.token_ids) == 121
    for name, values in scores.prints.arrays().items():
        np.testing.assert_allclose(values, want[name], rtol=1e-4, atol=1e-4, err_msg=name)
    assert len(progress) == 2 * 7 and progress[-1] == 1.0  # 2 layers of 7 blocks
    assert not errors


def test_long_mode_scoring_gives_way_to_newer_work_and_rollout_says_why_not(qtbot):
    worker, latest, session, replies, errors, progress = _worker("long")
    snapshot = replies[2].attention
    latest.sent = 3
    worker.progressed.connect(lambda *_: setattr(latest, "sent", 4))  # a step is sent while it scores
    worker.handle(3, ScoreHeads("decoder", snapshot, tuple(session.token_ids)))
    assert 3 in replies and replies[3] is None and len(progress) == 1  # given up after one block
    latest.sent = 5
    worker.handle(5, Rollout("decoder", snapshot))
    assert 5 not in replies and "rollout is not shown in long-document mode" in errors[5]
    assert "121 × 121" in errors[5]


def test_the_client_reports_scoring_progress_and_the_rollout_refusal(qtbot):
    """Through the engine thread: the window's signals for long-mode head scores and rollout."""
    from attnlab.app.engine_worker import EngineClient

    model, tokenizer = tiny_gpt2(positions=256)
    session = GenerationSession(wrap_model(model, tokenizer, name="gpt2"))
    session.store_mode = "long"
    client = EngineClient(loader=lambda *_: (session.info, session))
    try:
        with qtbot.waitSignal(client.analysed, timeout=20_000) as analysed:
            client.load("tiny")
            client.analyse(TEXT)
        snapshot = analysed.args[0].attention
        progress: list[tuple[str, float]] = []
        client.scoring_progressed.connect(lambda message, fraction: progress.append((message, fraction)))
        with qtbot.waitSignal(client.heads_scored, timeout=20_000) as scored:
            client.score_heads("decoder", snapshot, tuple(session.token_ids))
        assert scored.args[0].snapshot is snapshot and scored.args[0].tokens == 121
        assert progress[-1] == ("scoring heads from recomputed rows: layer 2 of 2", 1.0)
        with qtbot.waitSignal(client.scoring_failed, timeout=20_000) as failed:
            client.rollout("decoder", snapshot)
        assert failed.args[0] == "rollout" and "not shown in long-document mode" in failed.args[1]
    finally:
        client.shutdown()
