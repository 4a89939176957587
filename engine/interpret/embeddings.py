"""Runs of the session's input with its token embeddings replaced: what attribution and patching vary.

Both analyses change the input in embedding space (a path from a baseline, noise on chosen tokens)
and keep everything else as the session runs it (positions, knock-outs, ablated heads). The one
place to do that for every architecture is the output of the model's input embedding module
(`get_input_embeddings()`): what comes after it (position embeddings, Gemma's scaling, BERT's
token types and LayerNorm) is the model's own forward, untouched. The session's `_rerun` does the
rest, so masks and ablations stay in force.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import torch

from attnlab.engine.api.errors import UnsupportedError

if TYPE_CHECKING:
    from attnlab.engine.session.analysis_session import AnalysisSession as Session


def check_kind(session: Session, what: str) -> None:
    """Refuse what the embedding runs cannot do yet: an encoder-decoder's two stacks share one embedding
    module, and the analyses replace only the predicting stack's tokens."""
    if session.info.kind == "encoder-decoder":
        raise UnsupportedError("embeddings_no_encoder_decoder", what=what, model=session.info.name)


def embedding_module(session: Session) -> torch.nn.Module:
    module = session.model.get_input_embeddings()
    if module is None:
        raise UnsupportedError("no_input_embedding", model=session.info.name)
    return module


def embed(session: Session, ids: list[int]) -> torch.Tensor:
    """The embedding module's output for `ids`, [token, hidden], without tracking gradients."""
    with torch.no_grad():
        tensor = torch.tensor([ids], device=session.loaded.device)
        return embedding_module(session)(tensor)[0].detach().clone()


def embedding_sigma(session: Session) -> float:
    """The standard deviation of the embedding matrix's entries: the σ of Meng et al.'s noise."""
    weight = getattr(embedding_module(session), "weight", None)
    if weight is None:
        raise UnsupportedError("embedding_no_weight", model=session.info.name)
    with torch.no_grad():
        return float(weight.float().std())


@contextmanager
def replaced(session: Session, values: torch.Tensor) -> Iterator[None]:
    """Within the block, every call of the embedding module returns `values` ([batch, token, hidden], or
    [token, hidden] for every row) in place of what it computed; the hook is always removed."""

    def swap(module, args, output):
        if output.shape[-2] != values.shape[-2]:
            raise RuntimeError(f"embedding of {output.shape[-2]} tokens, {values.shape[-2]} replacements")
        cast = values.to(output.dtype)
        return cast.expand(output.shape[0], -1, -1) if cast.ndim == 2 else cast

    handle = embedding_module(session).register_forward_hook(swap)
    try:
        yield
    finally:
        handle.remove()
