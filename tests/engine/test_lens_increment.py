"""The lens of the positions a step added, read from what the steps' own forwards kept (issue 24, item 1):
it equals the lens of the whole text, after steps, after an undo and a different token, and no forward
of the text runs for it; without `LensRows` a step installs no hook at all."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tiny_models import BUILDERS

from attnlab.engine.api.results import LensResult, Masks
from attnlab.engine.interpret.lens import LensRows, blocks, logit_lens
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import GenerationSession, make_session

K = 5
PROMPT = "the cat sat on the mat"


def _session(name: str) -> GenerationSession:
    model, tokenizer = BUILDERS[name]()
    session = make_session(wrap_model(model, tokenizer, name=name))
    assert isinstance(session, GenerationSession)
    if session.info.kind == "encoder-decoder":
        session.prefill("dog", source=PROMPT)
    else:
        session.prefill(PROMPT)
    return session


def _stack_blocks(session: GenerationSession) -> list[torch.nn.Module]:
    return blocks(session.model, session.loaded.sites, "decoder")


def _whole(session: GenerationSession) -> LensResult:
    """The lens of the whole text from a forward of it (the steps' rows put aside)."""
    watcher, session.step_watcher = session.step_watcher, None
    try:
        return logit_lens(session, K)
    finally:
        session.step_watcher = watcher


def _forwards_during(session: GenerationSession, work) -> tuple[object, int]:
    """What `work()` returns, and how many times the first block ran meanwhile."""
    ran = []
    hook = _stack_blocks(session)[0].register_forward_pre_hook(lambda *_: ran.append(1))
    try:
        return work(), len(ran)
    finally:
        hook.remove()


def _assert_same(got: LensResult, expected: LensResult) -> None:
    assert (got.start, got.tokens) == (expected.start, expected.tokens)
    np.testing.assert_allclose(got.topk_probs, expected.topk_probs, atol=1e-5)
    np.testing.assert_array_equal(got.topk_ids, expected.topk_ids)
    assert got.topk_texts == expected.topk_texts


@pytest.mark.parametrize("name", ["gpt2", "llama", "bart"])
def test_the_lens_after_steps_is_the_lens_before_and_the_positions_they_added(name):
    session = _session(name)
    shown = logit_lens(session, K)  # what the dock shows before the steps
    session.step_watcher = LensRows.of(session, 64)
    for _ in range(3):
        session.step()
    added, forwards = _forwards_during(session, lambda: logit_lens(session, K, positions=3))
    assert forwards == 0  # read from the steps' own forwards, no forward of the text again
    assert added.start == shown.end and len(added.tokens) == 3
    _assert_same(shown.extended(added), _whole(session))


@pytest.mark.parametrize("name", ["gpt2", "llama"])
def test_after_an_undo_and_another_token_the_lens_is_still_the_whole_one(name):
    session = _session(name)
    session.step_watcher = LensRows.of(session, 64)
    for _ in range(3):
        session.step()
    shown = logit_lens(session, K, positions=8)
    session.undo()  # the window drops the last column
    undone = _whole(session)
    _assert_same(shown.window(shown.start, undone.end), undone.window(shown.start, undone.end))
    other = (session.token_ids[-1] + 1) % session.info.vocab_size
    session.step(choose=other)  # another token at the undone position: its rows are the new ones
    added, forwards = _forwards_during(session, lambda: logit_lens(session, K, positions=1))
    assert forwards == 0 and added.start == undone.end
    _assert_same(shown.window(shown.start, undone.end).extended(added), _whole(session).window(shown.start, added.end))


def test_positions_the_steps_did_not_feed_are_computed_from_a_forward():
    session = _session("gpt2")
    session.step_watcher = LensRows.of(session, 64)
    session.step()
    more, forwards = _forwards_during(session, lambda: logit_lens(session, K, positions=3))  # two of the prompt's
    assert forwards == 1
    _assert_same(more, _whole(session).window(more.start, more.end))
    # new masks, the same tokens (the step replayed): what the step kept is not true any more
    session.prefill(PROMPT, Masks(knockouts=frozenset({("decoder", 1)})), replay=session.token_ids[-1:])
    again, forwards = _forwards_during(session, lambda: logit_lens(session, K, positions=1))
    assert forwards == 1
    _assert_same(again, _whole(session).window(again.start, again.end))
    session.step()
    added, forwards = _forwards_during(session, lambda: logit_lens(session, K, positions=1))
    assert forwards == 0  # the step after the prefill is kept again
    _assert_same(added, _whole(session).window(added.start, added.end))


def test_only_the_last_positions_are_kept():
    session = _session("gpt2")
    session.step_watcher = LensRows.of(session, 2)
    for _ in range(3):
        session.step()
    _, forwards = _forwards_during(session, lambda: logit_lens(session, K, positions=2))
    assert forwards == 0
    _, forwards = _forwards_during(session, lambda: logit_lens(session, K, positions=3))
    assert forwards == 1


def test_a_step_without_the_lens_installs_no_hook():
    session = _session("gpt2")
    first = _stack_blocks(session)[0]
    hooks_seen: list[int] = []
    spy = first.register_forward_pre_hook(lambda module, _args: hooks_seen.append(len(module._forward_hooks)))
    session.step()
    session.step_watcher = LensRows.of(session, 64)
    session.step()
    spy.remove()
    assert hooks_seen == [0, 1]  # no hook on a step nobody's lens follows; the lens's own while one does
    assert not first._forward_hooks and not first._forward_pre_hooks  # and nothing left after the step
