"""The engine's imports in start-up order, and a clock of each start-up phase.

Importing torch and transformers' modelling stack is most of the time before the first heatmap
(SmolLM2 on a 2-core CPU: torch 2.5 s, transformers 1.2 s, its modelling stack 4-5 s, against about
1 s to load the weights and 0.2 s for the first forward). The worker runs `import_engine` first
thing in a load, and `python -m benchmarks --only startup` prints `PHASES` as the start-up breakdown.

Starting these imports in a background thread at process start does not help on that machine: both
threads need the GIL (torch's own start-up holds it for long C stretches), so the window appeared
4-5 s later and the first heatmap no sooner (benchmarks/startup_probe.py --early-imports measures it).
Nothing here imports torch at module level.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

PHASES: dict[str, tuple[float, float]] = {}  # phase -> (start, end) as time.time(), first occurrence only
_lock = threading.Lock()
_importing = threading.Lock()
ENGINE_MODULES = ("models.loading", "session.sessions")  # what a session needs, imported in the startup phase


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Record when `name` ran (the first time only: later loads are not start-up)."""
    start = time.time()
    try:
        yield
    finally:
        with _lock:
            PHASES.setdefault(name, (start, time.time()))


def model_module(spec: str | None) -> str | None:
    """The transformers module holding `spec`'s model classes ("transformers.models.llama.modeling_llama"),
    read from its config.json when the model is on disk already; None when that is not known cheaply."""
    if not spec:
        return None
    from attnlab.engine.models.fast_tokens import tokenizer_folder
    from attnlab.engine.models.model_folder import read_json

    try:
        folder = tokenizer_folder(spec)
        model_type = read_json(folder / "config.json").get("model_type") if folder else None
    except Exception:  # noqa: BLE001 - only a hint: the load reads the config itself and says what is wrong
        return None
    if not isinstance(model_type, str) or not model_type.replace("-", "_").isidentifier():
        return None
    from transformers.models.auto.configuration_auto import model_type_to_module_name

    package = model_type_to_module_name(model_type)
    name = f"transformers.models.{package}.modeling_{package}"
    try:
        return name if importlib.util.find_spec(name) is not None else None
    except (ImportError, ValueError):
        return None


def import_engine(spec: str | None = None) -> None:
    """Import torch, transformers, `spec`'s model code and the engine's loading and session modules."""
    steps: list[tuple[str, Callable[[], object]]] = [
        ("import torch", lambda: importlib.import_module("torch")),
        ("import transformers", lambda: importlib.import_module("transformers")),
        ("import model code", lambda: _import_model_code(spec)),
        ("import engine", lambda: [importlib.import_module(f"attnlab.engine.{m}") for m in ENGINE_MODULES]),
    ]
    with _importing:  # a second caller waits for the first to finish, and finds the imports done
        for name, step in steps:
            with phase(name):
                step()


def _import_model_code(spec: str | None) -> None:
    """transformers' modelling stack, through the model's own module when the config names it."""
    module = model_module(spec)
    if module is not None:
        try:
            importlib.import_module(module)
            return
        except Exception:  # noqa: BLE001 - e.g. a missing optional dependency: the load reports it in its words
            pass
    importlib.import_module("transformers.modeling_utils")
