"""The logit lens: every layer through the model's own final norm and head; the last entry is the model's output."""

import copy

import numpy as np
import pytest
import torch
from tiny_models import BUILDERS, MASK, tiny_gemma2

from attnlab.app.cli import main
from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.results import Masks
from attnlab.engine.interpret.lens import logit_lens
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import make_session

TEXT = "the cat sat on the mat"
ARCHITECTURES = {**BUILDERS, "gemma2": tiny_gemma2}
K = 5


def _run(name: str, masks: Masks = Masks()):
    """(session on TEXT, eager copy of the model, the eager model's output with hidden states)."""
    model, tokenizer = ARCHITECTURES[name]()
    eager = copy.deepcopy(model)
    session = make_session(wrap_model(model, tokenizer, name=name))
    with torch.no_grad():
        if session.info.kind == "encoder":
            masks = Masks(mask_positions=frozenset({2}), knockouts=masks.knockouts, ablated_heads=masks.ablated_heads)
            session.analyse(TEXT, masks)
            ids = session._inputs["input_ids"]
            out = eager(input_ids=ids, token_type_ids=torch.zeros_like(ids), output_hidden_states=True)
        elif session.info.kind == "decoder":
            session.prefill(TEXT, masks)
            out = eager(input_ids=torch.tensor([session.token_ids]), output_hidden_states=True)
        else:
            session.prefill("dog", masks, source=TEXT)
            src = torch.from_numpy(session.state().token_ids)[None]
            out = eager(input_ids=src, decoder_input_ids=torch.tensor([session.token_ids]), output_hidden_states=True)
    return session, eager, out


def _logits(out) -> torch.Tensor:
    logits = getattr(out, "prediction_logits", None)
    return (out.logits if logits is None else logits)[0]


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_last_entry_is_the_model_output(name):
    session, _, out = _run(name)
    lens = logit_lens(session, K)
    probs = torch.softmax(_logits(out).float(), dim=-1)  # [position, vocab]
    top = torch.topk(probs, K, dim=-1)
    layers = session.info.stacks[-1 if session.info.kind != "encoder" else 0].layers
    assert lens.topk_ids.dtype == np.int64 and lens.topk_probs.dtype == np.float32
    assert lens.topk_ids.shape == (layers + 1, probs.shape[0], K)
    np.testing.assert_allclose(lens.topk_probs[-1], top.values.numpy(), atol=1e-4)
    assert (lens.topk_ids[-1] == top.indices.numpy()).all()
    assert len(lens.tokens) == probs.shape[0]


def _by_hand(name: str, eager, out, layer: int) -> torch.Tensor:
    """Layer `layer`'s hidden states through the final norm and head, written out per architecture."""
    if name == "gpt2":
        return eager.lm_head(eager.transformer.ln_f(out.hidden_states[layer]))
    if name in ("llama", "gemma2"):
        return eager.lm_head(eager.model.norm(out.hidden_states[layer]))  # no final softcap in tiny gemma2
    if name == "bert":
        return eager.cls.predictions(out.hidden_states[layer])
    if name == "bart":
        return eager.lm_head(out.decoder_hidden_states[layer]) + eager.final_logits_bias
    if name == "t5":
        h = eager.decoder.final_layer_norm(out.decoder_hidden_states[layer])
        return eager.lm_head(h * eager.config.d_model**-0.5)
    raise AssertionError(name)


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_an_intermediate_entry_is_the_hidden_state_through_norm_and_head(name):
    session, eager, out = _run(name)
    lens = logit_lens(session, K)
    with torch.no_grad():
        for layer in (0, 1):
            probs = torch.softmax(_by_hand(name, eager, out, layer)[0].float(), dim=-1)
            top = torch.topk(probs, K, dim=-1)
            np.testing.assert_allclose(lens.topk_probs[layer], top.values.numpy(), atol=1e-5)
            assert (lens.topk_ids[layer] == top.indices.numpy()).all()


@pytest.mark.parametrize("name", ["gpt2", "bert", "bart"])
def test_the_lens_follows_ablations_and_knockouts(name):
    main = "decoder" if name == "gpt2" else "encoder"
    heads = {(main, 0, 1)} | ({("decoder", 1, 2)} if name != "bert" else set())
    masks = Masks(knockouts=frozenset({(main, 1)}), ablated_heads=frozenset(heads))
    masked, _, _ = _run(name, masks)
    plain, _, _ = _run(name)
    lens = logit_lens(masked, K)
    assert not np.allclose(lens.topk_probs[1:], logit_lens(plain, K).topk_probs[1:])
    # the last entry is what the masked session itself predicts (a cached prefill, not the lens' forward)
    if name == "bert":
        [slot] = masked.analyse(TEXT, masked.masks, top_k=K).mask_predictions
        expected, where = slot.candidates, slot.position
    else:
        expected, where = masked.state().next_candidates, -1
    np.testing.assert_allclose(lens.topk_probs[-1, where], [c.prob for c in expected[:K]], atol=1e-5)


def test_nothing_to_read_before_any_input():
    model, tokenizer = BUILDERS["gpt2"]()
    session = make_session(wrap_model(model, tokenizer))
    with pytest.raises(EngineError, match="give a prompt first"):
        logit_lens(session)


@pytest.fixture
def _private(private_dirs):
    """The CLI writes to the user's folders: keep them temporary."""


def test_cli_lens_arrays(folders, tmp_path, _private):
    out = tmp_path / "lens.npz"
    args = [
        "export",
        "--model",
        str(folders["gpt"]),
        "--text",
        "the cat sat",
        "--generate",
        "1",
        "--top-k-candidates",
        "4",
        "--analyses",
        "lens",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    data = np.load(out)
    tokens = len(data["sequence_tokens"])
    assert data["lens_topk_ids"].dtype == np.int64 and data["lens_topk_probs"].dtype == np.float32
    assert data["lens_topk_ids"].shape == data["lens_topk_probs"].shape == (3, tokens, 4)
    # the prompt's last position predicted the generated token: its last entry is that step's candidates
    np.testing.assert_allclose(data["lens_topk_probs"][-1, tokens - 2], data["step_topk_probs"][0], atol=1e-4)
    assert (data["lens_topk_ids"][-1, tokens - 2] == data["step_topk_ids"][0]).all()


def test_cli_masked_lm_lens_counts_the_input_tokens(folders, tmp_path, _private):
    out = tmp_path / "lens.npz"
    assert (
        main(
            [
                "export",
                "--model",
                str(folders["bert"]),
                "--text",
                TEXT,
                "--mask-positions",
                "2",
                "--top-k-candidates",
                "3",
                "--analyses",
                "lens",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    data = np.load(out)
    assert data["token_ids"][2] == MASK
    assert data["lens_topk_ids"].shape == (3, len(data["tokens"]), 3)
    np.testing.assert_allclose(data["lens_topk_probs"][-1, 2], data["mask_topk_probs"][0], atol=1e-4)


def test_positions_in_blocks_give_the_same_lens():
    """Long texts are read a few positions at a time (no [layer, position, vocab] array): same numbers."""
    from attnlab.engine.interpret.lens import lens_topk

    torch.manual_seed(0)
    head = torch.nn.Linear(8, 30)
    hidden = [torch.randn(7, 8) for _ in range(3)]
    logits = torch.randn(7, 30)
    whole = lens_topk(hidden, logits, head, 4)
    for block in (1, 3):
        parts = lens_topk(hidden, logits, head, 4, block=block)
        assert torch.equal(parts[0], whole[0]) and torch.allclose(parts[1], whole[1])
    assert torch.equal(whole[0][-1], torch.topk(logits, 4).indices)


@pytest.mark.parametrize("name", ["gpt2", "bart"])
def test_the_lens_of_the_last_positions_only(name):
    session, _, _ = _run(name)
    whole = logit_lens(session, K)
    tail = logit_lens(session, K, positions=2)
    n = whole.topk_ids.shape[1]
    assert tail.start == n - 2 and whole.start == 0 and tail.tokens == whole.tokens[-2:]
    assert (tail.topk_ids == whole.topk_ids[:, -2:]).all()
    np.testing.assert_allclose(tail.topk_probs, whole.topk_probs[:, -2:], atol=1e-6)
    assert logit_lens(session, K, positions=100).start == 0
