"""Consent to a model's own code or pickled weights is per model and per content, never general."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch
from risky_models import code_folder
from tiny_models import save, tiny_gpt2

from attnlab.engine.api.config import LoadOptions
from attnlab.engine.api.consent import Consent, ConsentNeeded, content_hash, model_key
from attnlab.engine.api.errors import ModelLoadError
from attnlab.engine.models.loading import load_model

CPU = LoadOptions(device="cpu", dtype="float32")


@pytest.fixture(autouse=True)
def _private_dirs(private_dirs):
    pass


def _try(folder, options):
    try:
        return load_model(str(folder), options)
    except ConsentNeeded:
        raise
    except ModelLoadError:
        return None  # the shipped code ran (or not) before whatever else failed


def test_shipped_code_runs_only_with_consent_for_that_folder(tmp_path):
    marker = tmp_path / "ran.txt"
    mine = code_folder(tmp_path / "mine", tmp_path / "mine-ran.txt", model_type="shipped-mine")
    theirs = code_folder(tmp_path / "theirs", marker, model_type="shipped-theirs")
    with pytest.raises(ConsentNeeded, match="ships its own code") as refused:
        load_model(str(theirs), CPU)
    request = refused.value.request
    assert request.consent == Consent(model_key(str(theirs)), content_hash(str(theirs)), "remote_code")
    assert str(theirs) in str(refused.value) and "configuration_shipped.py" in str(refused.value)
    assert not marker.exists()

    for_mine = Consent(model_key(str(mine)), content_hash(str(mine)), "remote_code")
    with pytest.raises(ConsentNeeded):  # consent to another model does not carry over
        load_model(str(theirs), replace(CPU, consents=frozenset({for_mine})))
    assert not marker.exists()
    _try(mine, replace(CPU, consents=frozenset({for_mine})))
    assert (tmp_path / "mine-ran.txt").exists()  # and it does work for the model it was given to

    before = request.consent
    (theirs / "configuration_shipped.py").write_text(
        (theirs / "configuration_shipped.py").read_text() + "\n# changed\n"
    )
    with pytest.raises(ConsentNeeded):  # the same folder with other code is another model
        load_model(str(theirs), replace(CPU, consents=frozenset({before})))
    assert not marker.exists()


def test_pickled_weights_need_consent_for_that_folder(tmp_path):
    model, tokenizer = tiny_gpt2()
    folder = save(model, tokenizer, tmp_path / "pickled")
    (folder / "model.safetensors").unlink()
    torch.save(model.state_dict(), folder / "pytorch_model.bin")
    with pytest.raises(ConsentNeeded, match="only pickled weights") as refused:
        load_model(str(folder), CPU)
    consent = refused.value.request.consent
    assert consent.need == "pickle" and consent.model == model_key(str(folder))
    other = replace(consent, model=str(tmp_path / "elsewhere"))
    with pytest.raises(ConsentNeeded):
        load_model(str(folder), replace(CPU, consents=frozenset({other})))
    loaded = load_model(str(folder), replace(CPU, consents=frozenset({consent})))
    assert loaded.info.consented == ("pickle",)
    assert torch.equal(loaded.model.state_dict()["lm_head.weight"], model.state_dict()["lm_head.weight"])


def test_a_known_architecture_with_auto_map_loads_without_running_its_code(tmp_path):
    """transformers' own GPT-2 classes load it: the shipped code is never imported, so no consent is asked."""
    marker = tmp_path / "ran.txt"
    folder = code_folder(tmp_path / "gpt", marker)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "gpt2"}))
    loaded = load_model(str(folder), CPU)
    assert loaded.info.consented == () and not marker.exists()
