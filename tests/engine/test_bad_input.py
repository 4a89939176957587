"""Bad input: a clear message that says what to do, never a crash. (Stepping after EOS: test_stepping.py.)"""

import json

import pytest
from tiny_models import save, tiny_gpt2

from attnlab.engine.api.config import LoadOptions, SamplingConfig
from attnlab.engine.api.errors import EngineError, ModelLoadError, UnsupportedError
from attnlab.engine.api.results import Masks
from attnlab.engine.models.loading import load_model, pick_device
from attnlab.engine.session.sessions import MAX_TEXT_CHARS, EncoderSession, GenerationSession


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTNLAB_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("ATTNLAB_CACHE", str(tmp_path / "cache"))


def test_empty_text(tiny):
    _, bert = tiny("bert")
    _, gpt = tiny("gpt2")
    _, bart = tiny("bart")
    with pytest.raises(EngineError, match="prompt is empty"):
        GenerationSession(gpt).prefill("")
    with pytest.raises(EngineError, match="source is empty"):
        GenerationSession(bart).prefill("", source="  ")
    with pytest.raises(EngineError, match="text is empty"):
        EncoderSession(bert).analyse(" \n ")


def test_text_longer_than_the_model_accepts_is_refused(tiny):
    _, gpt = tiny("gpt2")  # 64 positions
    with pytest.raises(EngineError, match="accepts at most 64: it is refused, not truncated"):
        GenerationSession(gpt).prefill(" ".join(["cat"] * 100))


def test_huge_paste_is_refused_before_tokenising(tiny):
    _, bert = tiny("bert")
    with pytest.raises(EngineError, match="at most 100,000"):
        EncoderSession(bert).analyse("cat " * (MAX_TEXT_CHARS // 4 + 1))


def test_folder_that_is_not_a_model(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ModelLoadError, match="not a model folder"):
        load_model(str(tmp_path))


def test_corrupt_config(tmp_path):
    folder = save(*tiny_gpt2(), tmp_path / "gpt")
    (folder / "config.json").write_text("{ this is not json")
    with pytest.raises(ModelLoadError, match="corrupt"):
        load_model(str(folder))
    (folder / "config.json").write_text(json.dumps({"hidden_size": 3}))
    with pytest.raises(ModelLoadError, match="no model_type"):
        load_model(str(folder))


def test_pickled_weights_are_refused_unless_allowed(tmp_path):
    folder = save(*tiny_gpt2(), tmp_path / "gpt")
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    with pytest.raises(ModelLoadError, match="pickled weights"):
        load_model(str(folder))


def test_mask_on_model_without_mlm_head(tiny):
    _, gpt = tiny("gpt2")
    with pytest.raises(UnsupportedError, match="not a masked language model"):
        GenerationSession(gpt).prefill("the cat", Masks(mask_positions=frozenset({1})))


@pytest.mark.parametrize(
    "masks",
    [Masks(mask_positions=frozenset({9})), Masks(knockouts=frozenset({("encoder", 9)}))],
    ids=["mask", "knockout"],
)
def test_positions_out_of_range(tiny, masks):
    _, bert = tiny("bert")
    with pytest.raises(EngineError, match=r"position\(s\) \[9\] out of range: the input has 4 tokens"):
        EncoderSession(bert).analyse("the cat", masks)


def test_ablating_a_head_that_does_not_exist(tiny):
    _, gpt = tiny("gpt2")
    with pytest.raises(EngineError, match="2 layers × 4 heads"):
        GenerationSession(gpt).prefill("the cat", Masks(ablated_heads=frozenset({("decoder", 0, 7)})))


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("nan")])
def test_temperature_must_be_positive_when_sampling(temperature):
    with pytest.raises(ValueError, match="temperature must be > 0"):
        SamplingConfig(greedy=False, temperature=temperature)
    SamplingConfig(greedy=True, temperature=temperature)  # ignored when greedy


@pytest.mark.parametrize("top_p", [0.0, 1.5, -0.1])
def test_top_p_outside_unit_interval(top_p):
    with pytest.raises(ValueError, match=r"top-p must be in \(0, 1\]"):
        SamplingConfig(greedy=False, top_p=top_p)


def test_unknown_token_id_is_refused(tiny):
    _, gpt = tiny("gpt2")
    session = GenerationSession(gpt)
    session.prefill("the cat")
    with pytest.raises(EngineError, match="not in the vocabulary"):
        session.step(choose=10**6)


def test_unknown_words_become_the_unknown_token(tiny):
    _, bert = tiny("bert")
    result = EncoderSession(bert).analyse("the zyzzyva sat")
    assert result.tokens[2] == "[UNK]"


@pytest.mark.parametrize("device", ["tpu", "banana", "cuda:7"])
def test_unknown_device(device):
    with pytest.raises(ModelLoadError, match="device"):
        pick_device(device)


def test_unknown_dtype(tmp_path):
    folder = save(*tiny_gpt2(), tmp_path / "gpt")
    with pytest.raises(ModelLoadError, match="unknown dtype 'float8'"):
        load_model(str(folder), LoadOptions(dtype="float8"))


def test_request_too_big_for_memory_is_refused_and_keeps_the_session(tiny, monkeypatch):
    from attnlab.engine.api.memory_budget import AttentionMemoryError, check_fits
    from attnlab.engine.session import store_policy

    _, gpt = tiny("gpt2")
    session = GenerationSession(gpt)
    session.store_mode = "exact"  # "auto" would switch to the long-document mode instead
    session.prefill("the cat sat")
    before = list(session.token_ids)
    monkeypatch.setattr(store_policy, "check_fits", lambda needed, what, **_: check_fits(needed, what, budget=1))
    with pytest.raises(AttentionMemoryError, match="needs .* GiB but only .* is free: use a shorter text"):
        session.prefill("the dog ran on the mat")
    assert session.token_ids == before
    monkeypatch.undo()
    assert session.step().position == len(before)  # the old state still steps
