"""Every row of the README's parity table holds: tools/parity_table.py's checks, one architecture per test."""

import copy
import importlib.util
from pathlib import Path

import pytest

from attnlab.engine.models.loading import wrap_model

_spec = importlib.util.spec_from_file_location("parity_table", Path(__file__).parents[2] / "tools" / "parity_table.py")
assert _spec is not None and _spec.loader is not None
table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(table)


@pytest.mark.parametrize("name", list(table.ARCHITECTURES))
def test_row_holds(name):
    model, tokenizer = table.ARCHITECTURES[name]()
    eager = copy.deepcopy(model)
    loaded = wrap_model(model, tokenizer, name=name)
    cells = [
        check(eager, loaded)
        for check in (table.check_attention, table.check_stepping, table.check_knockout, table.check_ablation)
    ]
    assert cells[0] == "yes"
    assert cells[1] in ("yes", "—")
    assert all(cell == "yes" or cell.startswith("unsupported (") for cell in cells[2:]), cells
