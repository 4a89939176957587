"""Keeping transformers' own output (FutureWarnings, load reports, progress bars) out of the CLI.

Scoped to a `with` block, so the process-wide state is back as it was afterwards: tests and the
app still see every warning.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager


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
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()
