"""Hooks compose: several concerns in one forward, each its own small `Hooks`, in order."""

import torch
from tiny_models import tiny_gpt2

from attnlab.engine.capture import attention as capture
from attnlab.engine.models.loading import wrap_model


class Watch(capture.Hooks):
    """Keeps each layer's probabilities, as the parts before it left them."""

    def __init__(self) -> None:
        self.probs: list[torch.Tensor] = []

    def on_probs(self, module, probs):
        self.probs.append(probs.clone())


class ZeroHead(capture.Hooks):
    """Zeroes one head's output in every layer: what an ablation of that head does."""

    def __init__(self, head: int) -> None:
        self.head = head

    def on_output(self, module, output):
        output = output.clone()
        output[:, self.head] = 0
        return output


def _logits(loaded, hooks) -> torch.Tensor:
    ids = torch.tensor([[3, 7, 1, 9, 4, 2]])
    with torch.inference_mode(), capture.recording(hooks):
        return loaded.model(input_ids=ids, position_ids=torch.arange(6)[None], use_cache=False).logits


def test_composed_hooks_run_in_order_and_equal_the_concerns_done_by_one_recorder():
    loaded = wrap_model(*tiny_gpt2(), name="gpt2")
    layers = {layer for _, layer in loaded.sites.values()}
    knock = {"decoder": torch.tensor([False, True, False, False, False, False])}
    ablate = {("decoder", layer): [2] for layer in layers}
    one = _logits(loaded, capture.Recorder(loaded.sites, None, {}, knock, ablate))

    watch = Watch()
    knocked = capture.Recorder(loaded.sites, None, {}, knock)
    composed = capture.compose(knocked, ZeroHead(2), watch)
    torch.testing.assert_close(_logits(loaded, composed), one, atol=1e-6, rtol=0)
    assert len(watch.probs) == len(layers)
    for probs in watch.probs:  # [batch, head, query, key]: the watcher saw the knock-out done before it
        assert float(probs[0, :, 2:, 1].abs().max()) == 0.0
        torch.testing.assert_close(probs.sum(-1), torch.ones_like(probs.sum(-1)))
    plain = _logits(loaded, capture.Hooks())
    assert not torch.allclose(plain, one)


def test_buffers_are_reused_only_when_every_part_allows_it():
    reusing = capture.Recorder({}, None, reuse_scores=True)
    assert capture.compose(reusing, reusing).reuse_scores
    assert not capture.compose(reusing, Watch()).reuse_scores
    assert capture.compose(reusing) is reusing
