import copy

import pytest
import torch
from tiny_models import BUILDERS

from attnlab.engine.models.loading import wrap_model


@pytest.fixture(params=sorted(BUILDERS))
def any_tiny(request):
    """(name, eager reference model, wrapped capturing model) for every architecture."""
    model, tokenizer = BUILDERS[request.param]()
    eager = copy.deepcopy(model)
    return request.param, eager, wrap_model(model, tokenizer, name=request.param)


@pytest.fixture
def tiny(request):
    """Build one named tiny model: tiny('gpt2') -> (eager copy, LoadedModel)."""

    def build(name: str, **kwargs):
        model, tokenizer = BUILDERS[name](**kwargs)
        eager = copy.deepcopy(model)
        return eager, wrap_model(model, tokenizer, name=name)

    return build


@pytest.fixture(autouse=True)
def _deterministic():
    torch.manual_seed(0)


@pytest.fixture
def private_dirs(tmp_path, monkeypatch):
    """The user's config and cache folders in a temporary folder (the CLI writes conversions, recents)."""
    monkeypatch.setenv("ATTNLAB_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("ATTNLAB_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def folders(tmp_path_factory):
    """Tiny models saved as model folders, for the command line: gpt (decoder), bert, bart (seq2seq)."""
    from tiny_models import save, tiny_bart, tiny_bert, tiny_gpt2

    root = tmp_path_factory.mktemp("models")
    return {
        "gpt": save(*tiny_gpt2(), root / "gpt"),
        "bert": save(*tiny_bert(), root / "bert"),
        "bart": save(*tiny_bart(), root / "bart"),
    }
