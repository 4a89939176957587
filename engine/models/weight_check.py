"""Weights that do not match the architecture: refused, never filled with random numbers unasked.

transformers initialises every tensor the checkpoint lacks (or holds in another shape) at random
and carries on; for a tool whose point is the numbers that is the worst failure there is. Its
loading report (`from_pretrained(..., output_loading_info=True)`) lists them: this turns it into
a refusal that names the first few, or, when the user loads the model anyway, into the names of
the tensors that are random (`ModelInfo.random_weights`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SHOWN = 4  # names in a message: the first few say where the mismatch is


@dataclass(frozen=True)
class Unmatched:
    missing: tuple[str, ...] = ()  # in the architecture, not in the files: random
    unexpected: tuple[str, ...] = ()  # in the files, not in the architecture: ignored
    mismatched: tuple[str, ...] = ()  # in both, in other shapes: random

    @property
    def random(self) -> tuple[str, ...]:
        """The tensors a load anyway leaves at their random initial values."""
        return tuple(sorted(self.missing + self.mismatched))

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.mismatched)

    def describe(self) -> str:
        """ "2 missing (a, b), 1 of the wrong shape (c: 4x8 in the file, 4x16 in the model)"."""
        parts = []
        for what, names in (
            ("missing", self.missing),
            ("unexpected", self.unexpected),
            ("of the wrong shape", self.mismatched),
        ):
            if names:
                more = f", and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
                parts.append(f"{len(names)} {what} ({', '.join(names[:SHOWN])}{more})")
        return "; ".join(parts)


def unmatched(loading_info: dict, parts: Iterable[str] = ()) -> Unmatched:
    """The mismatches in transformers' loading report (mismatched entries are (name, file shape, model shape)).

    `parts`: the model's top-level parts (and its base model's prefix). An unexpected tensor outside
    them belongs to a head this load does not build (a classifier over a bare encoder): its numbers
    are not needed, so it is no mismatch; one inside them (a layer the config does not declare) is.
    """
    own = set(parts)
    mismatched = []
    for item in loading_info.get("mismatched_keys") or ():
        if isinstance(item, (tuple, list)) and len(item) == 3:
            name, stored, wanted = item
            mismatched.append(f"{name}: {_shape(stored)} in the file, {_shape(wanted)} in the model")
        else:
            mismatched.append(str(item))
    return Unmatched(
        missing=_sorted(loading_info.get("missing_keys")),
        unexpected=_sorted(
            name for name in loading_info.get("unexpected_keys") or () if not own or str(name).split(".")[0] in own
        ),
        mismatched=tuple(sorted(mismatched)),
    )


def _sorted(names: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(sorted(str(name) for name in names or ()))


def _shape(shape: object) -> str:
    try:
        return "x".join(str(int(n)) for n in shape)  # type: ignore[attr-defined]  # a torch.Size or tuple
    except (TypeError, ValueError):
        return str(shape)
