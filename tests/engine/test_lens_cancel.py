"""A cancelled logit lens stops between layers, changes nothing, and leaves no hook behind (issue 24)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from tiny_models import tiny_gpt2

from attnlab.engine.api.errors import Cancelled
from attnlab.engine.interpret.lens import logit_lens
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import make_session


def test_a_cancelled_lens_stops_and_the_next_one_is_whole():
    model, tokenizer = tiny_gpt2()
    session = make_session(wrap_model(model, tokenizer))
    session.prefill("the cat sat on the mat")
    expected = logit_lens(session, 3)
    blocks_run = []
    hooks = [b.register_forward_pre_hook(lambda *_: blocks_run.append(1)) for b in model.transformer.h]
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        logit_lens(session, 3, cancel=cancel)
    assert blocks_run == [1]  # the first block's own hooks ran, then the lens gave up before its work
    for hook in hooks:
        hook.remove()
    again = logit_lens(session, 3, cancel=threading.Event())
    np.testing.assert_array_equal(again.topk_ids, expected.topk_ids)
    np.testing.assert_allclose(again.topk_probs, expected.topk_probs)
    assert all(not b._forward_pre_hooks for b in model.transformer.h)  # nothing left installed
