"""Direct logit attribution: which heads, MLPs and embeddings write the predicted token's logit.

One forward of the current input (masks and ablations in force) records, at the predicting position,
the first block's input (the embeddings), each attention output projection's input (split per head
through W_Oʰ) and output, every norm inside the blocks, every block's output and each module of the
readout (final norm, unembedding; a masked LM's transform, activation, norm and decoder).

The residual stream at the position is then rebuilt as a sum of components (embeddings, one vector per
head, the rest each layer adds: its MLP, and the constants: projection biases) and pushed through every
norm on the stream with its scale frozen at the real residual's: a LayerNorm becomes
z ↦ γ ⊙ (z − mean z) / σ* + β (each component centred by it, so no separate centring term is left), any
other elementwise module (RMSNorm, the MLM head's activation) z ↦ (y*/z*) ⊙ z, a linear layer stays
linear. Every map is exact at the real residual, so the components add up to the model's own logit
(`LogitAttribution.error` is what they miss, float rounding). Post-norm models (BERT, BART) renormalise
the stream after each sublayer: the block's norms are then on the stream and applied in order; a block
is post-norm when its output is its last norm's output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from attnlab.engine.api.errors import EngineError, UnsupportedError
from attnlab.engine.api.results import LogitAttribution
from attnlab.engine.interpret import lens
from attnlab.engine.interpret import residual_parts as parts

if TYPE_CHECKING:
    from attnlab.engine.session.analysis_session import AnalysisSession as Session


@dataclass
class _Event:
    """One thing the forward did at the position, in order."""

    kind: str  # "in" (first block's input) | "attn" | "norm" | "out" (a block's output) | "read" (readout module)
    module: torch.nn.Module | None
    input: torch.Tensor | None  # [width] at the position
    output: torch.Tensor  # [width] at the position


def _at(t: torch.Tensor, position: int) -> torch.Tensor:
    """A [batch, seq, width] tensor's vector at the position (a readout that kept only the last: its only one)."""
    return (t[0, position] if t.shape[1] > position else t[0, -1]).detach().double()


def is_norm(module: torch.nn.Module) -> bool:
    return isinstance(module, torch.nn.LayerNorm) or "norm" in type(module).__name__.lower()


def _leaves(module: torch.nn.Module) -> list[torch.nn.Module]:
    return [m for m in module.modules() if not list(m.children())]


def readout_modules(session: Session) -> list[torch.nn.Module]:
    """The modules that turn the last residual into logits, for the stack that predicts."""
    model, kind = session.model, session.info.kind
    if kind == "encoder":
        for path in lens._MLM_HEADS:
            try:
                return [leaf for p in path for leaf in _leaves(model.get_submodule(p))]
            except AttributeError:
                continue
        raise UnsupportedError("dla_no_mlm_head", architecture=type(model).__name__)
    stack = model.get_decoder() if kind == "encoder-decoder" else model.base_model
    norm = next((m for m in (getattr(stack, n, None) for n in lens._NORMS) if isinstance(m, torch.nn.Module)), None)
    head = model.get_output_embeddings()
    if head is None:
        raise UnsupportedError("dla_no_output_head", architecture=type(model).__name__)
    if getattr(model.config, "final_logit_softcapping", None) or getattr(model.config, "scale_decoder_outputs", False):
        raise UnsupportedError("dla_rescaled_logits", architecture=type(model).__name__)
    return ([norm] if norm is not None else []) + [head]


class _Components:
    """The stream as rows (one per component) plus a constant row; every frozen map applies to all of them."""

    def __init__(self, hidden: int):
        self.names: list[tuple] = []
        self.rows: list[torch.Tensor] = []
        self.bias = torch.zeros(hidden, dtype=torch.float64)

    def add(self, name: tuple, vector: torch.Tensor) -> None:
        if name in self.names:
            self.rows[self.names.index(name)] = self.rows[self.names.index(name)] + vector
        else:
            self.names.append(name)
            self.rows.append(vector)

    def total(self) -> torch.Tensor:
        return torch.stack(self.rows).sum(0) + self.bias

    def apply(self, linear, offset: torch.Tensor | None = None) -> None:
        """rows ← linear(rows), constant ← linear(constant) + offset."""
        matrix = linear(torch.stack(self.rows))
        self.rows = list(matrix)
        self.bias = linear(self.bias[None])[0] + (0 if offset is None else offset)


def _frozen(module: torch.nn.Module, z: torch.Tensor, y: torch.Tensor, components: _Components) -> None:
    """Apply `module` (input z*, output y* at the position) to every component, linearised at z*."""
    if isinstance(module, torch.nn.LayerNorm):
        sigma = torch.sqrt(z.var(unbiased=False) + module.eps)
        gain = (module.weight.detach().double() if module.weight is not None else torch.ones_like(z)) / sigma
        beta = module.bias.detach().double() if module.bias is not None else None
        components.apply(lambda r: (r - r.mean(-1, keepdim=True)) * gain, beta)
    elif isinstance(module, torch.nn.Linear):
        weight = module.weight.detach().double()
        bias = module.bias.detach().double() if module.bias is not None else None
        components.apply(lambda r: r @ weight.T, bias)
    elif z.shape == y.shape:  # elementwise: RMSNorm, an activation, dropout in eval
        ratio = torch.where(z.abs() > 1e-12, y / torch.where(z.abs() > 1e-12, z, 1), torch.zeros_like(z))
        components.apply(lambda r: r * ratio)
    else:
        raise UnsupportedError("dla_cannot_linearise", module=type(module).__name__)
    if not torch.allclose(components.total(), y, atol=1e-4 * (1 + float(y.abs().max()))):
        raise UnsupportedError("dla_frozen_differs", module=type(module).__name__)


def logit_attribution(session: Session, target: int | None = None, alternative: int | None = None) -> LogitAttribution:
    """DLA of the prediction the analyses explain (the next token; a masked LM's first [MASK]): the
    target (default: the top-1 token) minus the alternative's logit when one is given."""
    prediction = session.prediction()
    stack, position = prediction.stack, prediction.position
    if position is None:
        raise EngineError("dla_mask_a_token_first")
    lens.check_rerun_fits(session, "direct logit attribution")
    model = session.model
    writers = [stack] + (["cross"] if session.info.kind == "encoder-decoder" else [])
    sites = {s: parts.stack_sites(model, session.loaded.sites, s) for s in writers}
    for s in writers:
        parts.require_projections(sites[s], session.info.name, "direct logit attribution")
    stack_blocks = lens.blocks(model, session.loaded.sites, stack)
    readout = readout_modules(session)
    layers, heads = session.stack_shape(stack)
    with torch.inference_mode():
        events, logits = _record(session, stack_blocks, sites, readout, position)
    vocab = logits.shape[-1]
    chosen = int(torch.argmax(logits)) if target is None else int(target)
    for token in (chosen, alternative):
        if token is not None and not 0 <= token < vocab:
            raise EngineError("token_not_in_vocabulary", id=token, range=f"0..{vocab - 1}")
    components = _replay(events, sites, heads, session.info.name)
    row = _unembedding_row(readout[-1], chosen, alternative)
    values = {name: float(vector @ row) for name, vector in zip(components.names, components.rows, strict=True)}
    head_bias = _final_bias(session.model, chosen, alternative)
    bias = float(components.bias @ row) + head_bias
    logit = float(logits[chosen]) - (float(logits[alternative]) if alternative is not None else 0.0)
    per_head = {s: np.zeros((layers, heads), np.float32) for s in writers}
    mlp = np.zeros(layers, np.float32)
    for name, value in values.items():
        if name[0] == "head":
            per_head[name[1]][name[2], name[3]] = value
        elif name[0] == "mlp":
            mlp[name[1]] = value
    embed = values.get(("embed",), 0.0)
    total = sum(values.values()) + bias
    return LogitAttribution(
        stack=stack,
        position=position,
        target_id=chosen,
        target_text=session.token_text(chosen),
        alternative_id=-1 if alternative is None else int(alternative),
        alternative_text="" if alternative is None else session.token_text(alternative),
        heads=per_head[stack],
        cross_heads=per_head.get("cross"),
        mlp=mlp,
        embed=embed,
        bias=bias,
        logit=logit,
        error=logit - total,
    )


def _record(session: Session, stack_blocks, sites, readout, position: int) -> tuple[list[_Event], torch.Tensor]:
    """Run the current input once with hooks that note, in call order, what happened at the position."""
    events: list[_Event] = []
    handles = []
    hidden_modules = {id(b) for b in stack_blocks}

    def note(kind: str):
        def hook(module, args, output):
            out = output[0] if isinstance(output, tuple) else output
            inp = args[0] if args and isinstance(args[0], torch.Tensor) else None
            if isinstance(out, torch.Tensor) and out.ndim == 3:
                events.append(_Event(kind, module, None if inp is None else _at(inp, position), _at(out, position)))

        return hook

    def first_input(module, args, kwargs):
        hidden = args[0] if args else kwargs["hidden_states"]
        events.append(_Event("in", None, None, _at(hidden, position)))

    try:
        handles.append(stack_blocks[0].register_forward_pre_hook(first_input, with_kwargs=True))
        projections = {id(s.projection): s.projection for site_list in sites.values() for s in site_list}
        handles += [p.register_forward_hook(note("attn")) for p in projections.values()]
        norms = {id(m): m for b in stack_blocks for m in b.modules() if is_norm(m) and not list(m.children())}
        handles += [m.register_forward_hook(note("norm")) for m in norms.values()]
        handles += [b.register_forward_hook(note("out")) for b in {id(b): b for b in stack_blocks}.values()]
        handles += [m.register_forward_hook(note("read")) for m in readout]
        assert hidden_modules  # blocks found
        logits = session.rerun(session.interventions(), 1, position)[0].double()  # [vocab]
    finally:
        for handle in handles:
            handle.remove()
    return events, logits


def _replay(events: list[_Event], sites: dict[str, list[parts.Site]], heads: int, name: str) -> _Components:
    """The stream at the position as components, pushed through every norm on it and the readout."""
    calls: dict[int, int] = {}  # id(projection) -> calls seen so far
    layer_of = {(id(s.projection), s.call): (stack, s.layer) for stack, sl in sites.items() for s in sl}
    period = {
        id(s.projection): 1 + max(x.call for x in sl if x.projection is s.projection)
        for sl in sites.values()
        for s in sl
    }
    maps = {}
    start = next(e for e in events if e.kind == "in")
    components = _Components(start.output.shape[0])
    components.add(("embed",), start.output)
    blocks = _split_blocks(events[events.index(start) + 1 :])
    for layer, block in enumerate(blocks[:-1]):
        norms = [e for e in block if e.kind == "norm" and e.output.shape == start.output.shape]
        out = block[-1]
        post = bool(norms) and torch.allclose(
            norms[-1].output, out.output, atol=1e-6 * (1 + float(out.output.abs().max()))
        )
        for event in block[:-1]:
            if event.kind == "attn":
                assert event.module is not None and event.input is not None
                key = id(event.module)
                call = calls.get(key, 0)
                calls[key] = call + 1
                stack, at = layer_of[key, call % period[key]]
                if key not in maps:
                    maps[key] = parts.head_maps(event.module, heads)
                weight, bias = maps[key].weight.double(), maps[key].bias.double()
                per_head = torch.einsum("hd,hdo->ho", event.input.view(heads, -1), weight)  # [head, hidden]
                if not torch.allclose(
                    per_head.sum(0) + bias, event.output, atol=1e-4 * (1 + float(event.output.abs().max()))
                ):
                    raise UnsupportedError("dla_projection_not_linear", module=name)
                for h in range(heads):
                    components.add(("head", stack, at, h), per_head[h])
                components.bias = components.bias + bias
            elif event.kind == "norm" and post and event.output.shape == start.output.shape:
                assert event.module is not None and event.input is not None
                components.add(("mlp", layer), event.input - components.total())
                _frozen(event.module, event.input, event.output, components)
        components.add(("mlp", layer), out.output - components.total())
    for event in blocks[-1]:
        if event.kind != "read":
            continue
        assert event.module is not None and event.input is not None
        if not torch.allclose(event.input, components.total(), atol=1e-4 * (1 + float(event.input.abs().max()))):
            raise UnsupportedError("dla_between_layer_and_head", model=name)
        if event is blocks[-1][-1] or event.module is _last_read(blocks[-1]):
            break  # the unembedding: projected on the target's row only
        _frozen(event.module, event.input, event.output, components)
    return components


def _last_read(events: list[_Event]) -> torch.nn.Module | None:
    reads = [e for e in events if e.kind == "read"]
    return reads[-1].module if reads else None


def _split_blocks(events: list[_Event]) -> list[list[_Event]]:
    """Events per block (each ending with its "out"), then what came after the last block."""
    blocks, current = [], []
    for event in events:
        current.append(event)
        if event.kind == "out":
            blocks.append(current)
            current = []
    return blocks + [current]


def _unembedding_row(head: torch.nn.Module, target: int, alternative: int | None) -> torch.Tensor:
    """W_U[target] (minus W_U[alternative]) of the output layer, float64."""
    weight = getattr(head, "weight", None)
    if not isinstance(head, torch.nn.Linear) or not isinstance(weight, torch.Tensor):
        raise UnsupportedError("dla_head_not_linear", module=type(head).__name__)
    row = weight[target].detach().double()
    return row - weight[alternative].detach().double() if alternative is not None else row


def _final_bias(model: torch.nn.Module, target: int, alternative: int | None) -> float:
    """The head's bias and BART's final_logits_bias at the target (minus the alternative)."""
    total = 0.0
    getter = getattr(model, "get_output_embeddings", None)
    head = getter() if callable(getter) else None
    sources = [getattr(head, "bias", None), getattr(model, "final_logits_bias", None)]
    for source in sources:
        if isinstance(source, torch.Tensor):
            flat = source.detach().double().reshape(-1)
            total += float(flat[target]) - (float(flat[alternative]) if alternative is not None else 0.0)
    return total
