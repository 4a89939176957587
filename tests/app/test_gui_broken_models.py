"""A broken model folder: the window's banner says what the CLI says, and the window keeps working."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

PROMPT = "the cat sat on the mat"


def test_broken_folder_shows_the_engine_message(open_window, tiny_folders, qtbot, wait_idle, tmp_path):
    broken = Path(shutil.copytree(tiny_folders["gpt2"], tmp_path / "negative"))
    config = json.loads((broken / "config.json").read_text())
    config["n_layer"] = -1
    (broken / "config.json").write_text(json.dumps(config))
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    with qtbot.waitSignal(window.client.load_failed, timeout=30_000) as failed:
        window.load(str(broken))
    wait_idle(window)
    assert "n_layer = -1" in failed.args[0] or "num_hidden_layers = -1" in failed.args[0]
    assert "\n" not in failed.args[0]
    assert failed.args[0] in window.banner.text and "Still using" in window.banner.text
    assert window.document.info.path.endswith("gpt2")
