"""A catalog model opened by its path is the catalog model: one entry, its catalog name, no recent duplicate."""

from __future__ import annotations

import pytest

from attnlab.engine.models.available_models import bundled_dir
from attnlab.engine.models.catalog import list_models, resolve_model


@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch):
    for variable, name in {"ATTNLAB_CACHE": "cache", "ATTNLAB_CONFIG": "config", "HF_HUB_CACHE": "hub"}.items():
        (tmp_path / name).mkdir()
        monkeypatch.setenv(variable, str(tmp_path / name))


@pytest.mark.parametrize("how", ["folder", "config", "trailing-slash"])
def test_a_bundled_folder_resolves_to_its_catalog_name(how):
    folder = bundled_dir() / "tiny-gpt"
    spec = {"folder": str(folder), "config": str(folder / "config.json"), "trailing-slash": f"{folder}/"}[how]
    resolved = resolve_model(spec)
    assert (resolved.name, resolved.source) == ("tiny-gpt", "bundled")


def test_loading_a_bundled_model_by_path_adds_no_entry():
    from attnlab.engine.models.loading import load_model

    before = [entry.name for entry in list_models()]
    loaded = load_model(str(bundled_dir() / "tiny-bert"))
    assert loaded.info.name == "tiny-bert" and loaded.recent_path is None
    assert [entry.name for entry in list_models()] == before


def test_another_folder_keeps_its_path(tmp_path):
    from tiny_models import save, tiny_gpt2

    folder = save(*tiny_gpt2(), tmp_path / "mine")
    resolved = resolve_model(str(folder))
    assert (resolved.name, resolved.source) == (str(folder), "folder")
