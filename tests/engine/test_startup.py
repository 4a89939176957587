"""The engine's start-up imports: which model code a spec names, and the phase clock the benchmark prints."""

from __future__ import annotations

import json
import sys

import pytest

from attnlab.engine.models import startup


@pytest.mark.parametrize(("spec", "package"), [("tiny-gpt", "gpt2"), ("tiny-bert", "bert"), ("tiny-seq2seq", "bart")])
def test_a_bundled_model_names_its_own_modelling_module(spec, package):
    module = startup.model_module(spec)
    assert module == f"transformers.models.{package}.modeling_{package}"
    from transformers import AutoConfig

    from attnlab.engine.models.available_models import list_models

    folder = next(e.path for e in list_models() if e.name == spec)
    assert AutoConfig.from_pretrained(folder).model_type == package  # the module transformers' Auto* would import


def test_what_cannot_name_its_code_cheaply_gets_none(tmp_path):
    assert startup.model_module(None) is None
    assert startup.model_module(str(tmp_path)) is None  # no config.json
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "../../os"}), encoding="utf-8")
    (tmp_path / "tokenizer.json").write_text("{}", encoding="utf-8")
    assert startup.model_module(str(tmp_path)) is None  # not a module name
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "no_such_model"}), encoding="utf-8")
    assert startup.model_module(str(tmp_path)) is None
    (tmp_path / "config.json").write_text("{broken", encoding="utf-8")
    assert startup.model_module(str(tmp_path)) is None


def test_import_engine_records_each_phase_once_in_order(monkeypatch):
    monkeypatch.setattr(startup, "PHASES", {})
    startup.import_engine("tiny-gpt")
    first = dict(startup.PHASES)
    assert list(first) == ["import torch", "import transformers", "import model code", "import engine"]
    assert all(start <= end for start, end in first.values())
    spans = list(first.values())
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # one after the other
    assert "transformers.models.gpt2.modeling_gpt2" in sys.modules and "attnlab.engine.session.sessions" in sys.modules
    startup.import_engine("tiny-bert")  # a later load: imports its code, the start-up clock keeps the first
    assert first == startup.PHASES
    assert "transformers.models.bert.modeling_bert" in sys.modules
