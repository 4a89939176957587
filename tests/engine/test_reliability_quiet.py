"""Issue 23: the CLI's first GGUF conversion draws no tqdm bar (transformers draws it with tqdm
directly, past disable_progress_bar); outside the CLI's quiet block the bar is transformers' own."""

from __future__ import annotations

import transformers.modeling_gguf_pytorch_utils as gguf_utils

from attnlab.engine.cli.quiet import quiet_transformers


def test_the_gguf_conversion_bar_is_silent_in_the_cli(capsys):
    original = gguf_utils.tqdm
    with quiet_transformers():
        for _ in gguf_utils.tqdm(range(50), desc="Converting and de-quantizing GGUF tensors..."):
            pass
    assert "Converting and de-quantizing" not in capsys.readouterr().err
    assert gguf_utils.tqdm is original
    for _ in gguf_utils.tqdm(range(5), desc="Converting and de-quantizing GGUF tensors..."):
        pass
    assert "Converting and de-quantizing" in capsys.readouterr().err  # the control: it draws outside the block
