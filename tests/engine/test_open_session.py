"""open_session: the one way the window's engine thread and the CLI open a model and make its session."""

import numpy as np
import pytest
import torch

from attnlab.engine.api.config import LoadOptions
from attnlab.engine.api.errors import EngineError
from attnlab.engine.session.analysis_session import BlockRerunSession, reruns_in_blocks
from attnlab.engine.session.opening import open_session
from attnlab.engine.session.sessions import EncoderSession, GenerationSession


def test_a_decoder_opens_as_a_generator_with_the_store_mode_asked_and_attends_as_its_model(folders):
    session = open_session(str(folders["gpt"]), LoadOptions(threads=1), store_mode="long")
    assert isinstance(session, GenerationSession) and session.store_mode == "long"
    session.prefill("the cat sat on the mat")
    assert session.long_mode and reruns_in_blocks(session) is session and isinstance(session, BlockRerunSession)
    ids = torch.tensor([session.token_ids])
    with torch.no_grad():  # the model's own eager attention, asked of the model itself
        eager = session.model(input_ids=ids, output_attentions=True, attn_implementation="eager")
    want = eager.attentions[1][0, 2].numpy()  # [query, key] of layer 1 head 2
    rows = range(0, len(session.token_ids))
    np.testing.assert_allclose(session.region(1, 2, rows, rows), want, atol=2e-3)


def test_an_encoder_opens_as_an_encoder_session_and_the_check_runs_before_any_session(folders):
    seen = []
    session = open_session(str(folders["bert"]), check=lambda loaded: seen.append(loaded.info.kind))
    assert isinstance(session, EncoderSession) and seen == ["encoder"] and not session.long_mode

    def refuse(loaded):
        raise EngineError(f"{loaded.info.name} is refused")

    with pytest.raises(EngineError, match="is refused"):
        open_session(str(folders["gpt"]), check=refuse)
