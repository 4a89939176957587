"""The two real pretrained models that arrive through pip, driven through the engine."""

import numpy as np
import pytest

from attnlab.engine.api.errors import UnsupportedError
from attnlab.engine.models.catalog import default_model
from attnlab.engine.models.loading import load_model
from attnlab.engine.session.sessions import EncoderSession, GenerationSession

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smollm():
    return load_model("SmolLM2-135M-Instruct")  # converted once into the user cache, then ~1 s


def test_smollm2_is_the_default_and_continues_with_paris(smollm):
    assert default_model() == "SmolLM2-135M-Instruct"
    info = smollm.info
    assert info.kind == "decoder" and info.architecture == "LlamaForCausalLM"
    assert [(s.name, s.layers, s.heads) for s in info.stacks] == [("decoder", 30, 9)]
    session = GenerationSession(smollm)
    start = session.prefill("The capital of France is")
    assert start.next_candidates[0].text == " Paris"
    step = session.step()
    row = step.attention.row("decoder", step.position)  # [layer, head, key]
    assert step.text == " Paris" and row.shape == (30, 9, len(session.token_ids))
    np.testing.assert_allclose(row.sum(-1), 1.0, atol=5e-3)


def test_smollm2_chinese_characters_split_over_byte_tokens_are_readable(smollm):
    result = GenerationSession(smollm).prefill("猫和狗")
    assert all("\ufffd" not in t for t in result.tokens)
    assert "".join(t.replace("…", "") for t in result.tokens).startswith("猫")
    # 猫 is split into byte pieces: each part shows the character, marked as a part
    assert result.tokens[0].endswith("…") and result.tokens[1].startswith("…")


def test_minilm_gives_attention_but_cannot_fill_masks():
    loaded = load_model("all-MiniLM-L6-v2")
    assert loaded.info.kind == "encoder" and not loaded.info.has_mlm_head
    session = EncoderSession(loaded)
    result = session.analyse("The cat sat on the mat.")
    assert result.attention.shape("encoder") == (6, 12, 9, 9)
    np.testing.assert_allclose(result.attention.layer("encoder", 5).sum(-1), 1.0, atol=5e-3)
    with pytest.raises(UnsupportedError, match="no masked-LM head.*knock-out"):
        session.analyse("The cat [MASK] on the mat.")
