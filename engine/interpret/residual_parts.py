"""What the attention heads write into the residual stream: their output projections, sliced per head.

Contributions, direct logit attribution and the flow graph all need, per attention call, the head's
slice of the output projection W_Oʰ ([head_dim, hidden]: the rows of the merged projection that read
head h's output). The projection is a module of the model (`o_proj`, `c_proj`, `out_proj`, BERT's
`output.dense`...), found by name next to the attention module, and read as a matrix by feeding it
the identity (f(I) − f(0)), so nn.Linear, GPT-2's transposed Conv1D and anything else affine give
the same [in, out] layout. `ProjectionWatch` records what each projection received and returned
during one forward (hooks removed in `finally`); `check_merged` refuses a projection whose input is
not the heads' outputs side by side, rather than attributing the wrong numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch

from attnlab.engine.api.errors import UnsupportedError

_NAMES = ("o_proj", "out_proj", "c_proj", "o", "dense", "out_lin", "wo", "proj", "out")


def output_projection(model: torch.nn.Module, attention: torch.nn.Module) -> torch.nn.Module | None:
    """The module that merges an attention module's heads: a child with a known name, or (BERT-style
    `self` / `output` pairs) the parent's `output.dense`; None when there is none."""
    for name in _NAMES:
        child = getattr(attention, name, None)
        if _is_matrix(child):
            return child
    names = {id(m): n for n, m in model.named_modules()}
    parent = names[id(attention)].rpartition(".")[0]
    output = getattr(model.get_submodule(parent), "output", None) if parent else None
    dense = getattr(output, "dense", None)
    return dense if _is_matrix(dense) else None


def _is_matrix(module: object) -> bool:
    weight = getattr(module, "weight", None)
    return isinstance(module, torch.nn.Module) and isinstance(weight, torch.Tensor) and weight.ndim == 2


def _in_width(projection: torch.nn.Module) -> int:
    if isinstance(projection, torch.nn.Linear):
        return projection.in_features
    weight = projection.weight
    assert isinstance(weight, torch.Tensor)
    return int(getattr(projection, "nx", weight.shape[0]))  # GPT-2's Conv1D keeps [in, out]


@dataclass(frozen=True)
class HeadMaps:
    """One projection as per-head matrices: out = Σ_h z_h · weight[h] + bias."""

    weight: torch.Tensor  # [head, head_dim, hidden] float32, W_Oʰ
    bias: torch.Tensor  # [hidden] float32 (zeros when the projection has none)


def head_maps(projection: torch.nn.Module, heads: int) -> HeadMaps:
    """W_Oʰ of every head, float32, read off the projection itself (the identity fed through it)."""
    width = _in_width(projection)
    if width % heads:
        raise UnsupportedError("projection_width_not_heads", width=width, heads=heads)
    weight = projection.weight
    assert isinstance(weight, torch.Tensor)
    if isinstance(projection, torch.nn.Linear):  # its own layout, no product to compute: [out, in]
        bias = projection.bias.detach().float() if projection.bias is not None else weight.new_zeros(weight.shape[0])
        return HeadMaps(weight.detach().float().T.reshape(heads, width // heads, -1), bias.float())
    with torch.inference_mode():
        basis = torch.eye(width, dtype=weight.dtype, device=weight.device)  # [in, in]
        zero = torch.zeros(1, width, dtype=weight.dtype, device=weight.device)
        bias = projection(zero)[0].float()  # [hidden]
        matrix = projection(basis).float() - bias  # [in, hidden]
    return HeadMaps(matrix.view(heads, width // heads, -1), bias)


@dataclass
class ProjectionWatch:
    """During one forward: each watched projection's input and output, per call, in call order."""

    inputs: dict[int, list[torch.Tensor]] = field(default_factory=dict)  # id(projection) -> [batch, q, in] per call
    outputs: dict[int, list[torch.Tensor]] = field(default_factory=dict)  # id(projection) -> [batch, q, hidden]

    def seen(self, projection: torch.nn.Module, call: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(input, output) of the projection's `call`-th call."""
        try:
            return self.inputs[id(projection)][call], self.outputs[id(projection)][call]
        except (KeyError, IndexError):
            raise UnsupportedError("projection_did_not_run") from None


@contextmanager
def watching(projections: list[torch.nn.Module]) -> Iterator[ProjectionWatch]:
    """Record the listed projections' inputs and outputs during the forwards inside; hooks always removed."""
    watch = ProjectionWatch()

    def record(module: torch.nn.Module, args: tuple, output: torch.Tensor) -> None:
        watch.inputs.setdefault(id(module), []).append(args[0].detach())
        watch.outputs.setdefault(id(module), []).append(output.detach())

    handles = [p.register_forward_hook(record) for p in {id(p): p for p in projections}.values()]
    try:
        yield watch
    finally:
        for handle in handles:
            handle.remove()


@dataclass(frozen=True)
class Site:
    """One attention call of a stack: its module, which of its calls in a forward, its projection."""

    layer: int
    module: torch.nn.Module
    call: int  # which call of `module` in one forward this layer is (ALBERT shares one module)
    projection: torch.nn.Module | None


def stack_sites(model: torch.nn.Module, sites: dict[tuple[int, int], tuple[str, int]], stack: str) -> list[Site]:
    """The attention calls of one stack in layer order, each with its output projection (None: not found)."""
    modules = {id(m): m for m in model.modules()}
    found = sorted((layer, key) for key, (s, layer) in sites.items() if s == stack)
    out = []
    for layer, (module_id, call) in found:
        module = modules[module_id]
        out.append(Site(layer, module, call, output_projection(model, module)))
    return out


def require_projections(site_list: list[Site], model_name: str, what: str) -> None:
    """Refuse, saying why, when some layer's output projection cannot be found."""
    missing = [s.layer for s in site_list if s.projection is None]
    if missing:
        raise UnsupportedError(
            "residual_needs_projection", what=what, model=model_name, layers=", ".join(map(str, missing))
        )


def check_merged(per_head: torch.Tensor, merged: torch.Tensor, what: str) -> None:
    """Refuse a projection whose input is not the heads' outputs side by side (per_head [head, q, dim],
    merged [q, head·dim]): the numbers would belong to something else."""
    heads, queries, dim = per_head.shape
    expected = per_head.transpose(0, 1).reshape(queries, heads * dim).float()
    if merged.shape != expected.shape or not torch.allclose(merged.float(), expected, atol=1e-4, rtol=1e-3):
        raise UnsupportedError("projection_not_reading_heads", what=what)
