import copy

import pytest
import torch
from tiny_models import BUILDERS

from engine.loading import wrap_model


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
