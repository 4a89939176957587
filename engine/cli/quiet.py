"""Keeping transformers' own output (FutureWarnings, load reports, progress bars) out of the CLI.

Scoped to a `with` block, so the process-wide state is back as it was afterwards: tests and the
app still see every warning.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial


@contextmanager
def quiet_transformers(verbose: bool = False) -> Iterator[None]:
    """Silence transformers' logging, progress bars and Python warnings inside the block (unless verbose)."""
    if verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
        yield
        return
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    gguf_bar = _silence_gguf_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()
        gguf_bar()


def _silence_gguf_bar() -> Callable[[], None]:
    """transformers' GGUF reader draws its "Converting and de-quantizing GGUF tensors" bar with
    tqdm directly, which disable_progress_bar does not reach: its tqdm is swapped for a silent one
    for the block. Returns what puts it back."""
    try:
        import transformers.modeling_gguf_pytorch_utils as gguf_utils
    except ImportError:
        return lambda: None
    original = gguf_utils.tqdm
    gguf_utils.tqdm = partial(original, disable=True)
    return lambda: setattr(gguf_utils, "tqdm", original)
