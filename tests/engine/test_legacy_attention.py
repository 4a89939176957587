"""Models whose attention is their own code (GPT-Neo, BLOOM, MPNet), and a module shared by layers (ALBERT).

Every expectation comes from the plain eager model: its own `output_attentions`, `generate()`, and
its weights with one head's slice of the output projection zeroed.
"""

import copy

import numpy as np
import pytest
import torch
from tiny_models import save, tiny_albert, tiny_bloom, tiny_gpt_neo, tiny_mpnet

from attnlab.engine.api.errors import UnsupportedError
from attnlab.engine.api.results import Masks
from attnlab.engine.interpret.inspector import explain_cell
from attnlab.engine.models.loading import load_model, wrap_model
from attnlab.engine.session.sessions import make_session

BUILT = {"gpt_neo": tiny_gpt_neo, "bloom": tiny_bloom, "mpnet": tiny_mpnet, "albert": tiny_albert}
DECODERS = ["gpt_neo", "bloom"]
PROMPT = "the cat sat on the mat and the dog ran to the red rug"
PROJECTION = {"gpt_neo": "attn.attention.out_proj", "bloom": "self_attention.dense", "mpnet": "attention.attn.o"}


def _build(name: str):
    model, tokenizer = BUILT[name]()
    eager = copy.deepcopy(model)
    return eager, wrap_model(model, tokenizer, name=name)


def _eager_attentions(model, ids: list[int]) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    with torch.no_grad():
        out = model(input_ids=torch.tensor([ids]), output_attentions=True)
    return out.logits[0], out.attentions


@pytest.mark.parametrize("name", sorted(BUILT))
def test_logits_and_stored_attention_equal_eager(name):
    eager, loaded = _build(name)
    session = make_session(loaded)
    if loaded.kind == "encoder":
        result = session.analyse(PROMPT)
        ids, stack = result.token_ids.tolist(), "encoder"
    else:
        session.prefill(PROMPT)
        session.run(4)
        ids, stack = session.token_ids, "decoder"
    ref_logits, ref_attn = _eager_attentions(eager, ids)
    logits, attn = _eager_attentions(loaded.model, ids)
    torch.testing.assert_close(logits, ref_logits, atol=1e-5, rtol=0)
    assert [s.layers for s in loaded.info.stacks] == [len(ref_attn)]
    snapshot = session.store.snapshot()
    for layer, expected in enumerate(ref_attn):
        torch.testing.assert_close(attn[layer], expected, atol=1e-5, rtol=0)
        np.testing.assert_allclose(snapshot.layer(stack, layer), expected[0].numpy(), atol=1e-3)


def test_shared_attention_module_is_one_layer_per_call():
    """ALBERT runs one attention module three times: three layers, each its own call's attention."""
    eager, loaded = _build("albert")
    assert {(s.name, s.layers) for s in loaded.info.stacks} == {("encoder", 3)}
    result = make_session(loaded).analyse(PROMPT)
    _, ref_attn = _eager_attentions(eager, result.token_ids.tolist())
    assert not torch.allclose(ref_attn[0], ref_attn[2])
    for layer, expected in enumerate(ref_attn):
        np.testing.assert_allclose(result.attention.layer("encoder", layer), expected[0].numpy(), atol=1e-3)


@pytest.mark.parametrize("name", DECODERS)
def test_stepping_equals_greedy_generate(name):
    eager, loaded = _build(name)
    session = make_session(loaded)
    session.prefill(PROMPT)
    session.run(8)
    prompt = torch.tensor([session.token_ids[: session.prompt_length]])
    with torch.no_grad():
        expected = eager.generate(prompt, max_new_tokens=8, do_sample=False, pad_token_id=0)[0].tolist()
    assert session.token_ids == expected


@pytest.mark.parametrize("name", ["gpt_neo", "bloom", "mpnet", "albert"])
def test_knocked_out_key_gets_zero_weight(name):
    """The key's column is 0 for every query, its own included (it has keys before it); layer 0 is
    eager layer 0 with that column removed and the rows renormalised."""
    eager, loaded = _build(name)
    session = make_session(loaded)
    knocked = 3
    masks = Masks(knockouts=frozenset({(loaded.info.input_stack, knocked)}))
    if loaded.kind == "encoder":
        result = session.analyse(PROMPT, masks)
        ids, stack = result.token_ids.tolist(), "encoder"
    else:
        session.prefill(PROMPT, masks)
        session.run(3)
        ids, stack = session.token_ids, "decoder"
    snapshot = session.store.snapshot()
    for layer in range(loaded.info.stacks[0].layers):
        assert np.abs(snapshot.layer(stack, layer)[:, :, knocked]).max() == 0  # it has keys before it
    _, ref_attn = _eager_attentions(eager, ids)
    expected = ref_attn[0][0].clone()  # [head, query, key]
    expected[:, :, knocked] = 0
    expected /= expected.sum(-1, keepdim=True)
    np.testing.assert_allclose(snapshot.layer(stack, 0), expected.numpy(), atol=1e-3)


@pytest.mark.parametrize("name", ["gpt_neo", "bloom", "mpnet"])
def test_ablated_head_equals_zeroing_its_output_projection(name):
    eager, loaded = _build(name)
    session = make_session(loaded)
    layer, head = 1, 2
    stack = loaded.info.input_stack
    heads, width = loaded.info.stacks[0].heads, eager.config.hidden_size
    dim = width // heads
    block = eager.base_model.get_submodule({"gpt_neo": "h", "bloom": "h", "mpnet": "encoder.layer"}[name])[layer]
    with torch.no_grad():
        block.get_submodule(PROJECTION[name]).weight[:, head * dim : (head + 1) * dim] = 0
    masks = Masks(ablated_heads=frozenset({(stack, layer, head)}))
    if loaded.kind == "encoder":
        result = session.analyse(PROMPT, Masks(mask_positions=frozenset({4}), ablated_heads=masks.ablated_heads))
        slot = result.mask_predictions[0]
        logits, _ = _eager_attentions(eager, result.token_ids.tolist())
        scores, candidates = logits[slot.position], slot.candidates
    else:
        result = session.prefill(PROMPT, masks)
        logits, _ = _eager_attentions(eager, result.token_ids.tolist())
        scores, candidates = logits[-1], result.next_candidates
    expected = torch.softmax(scores, -1).topk(len(candidates))
    assert [c.token_id for c in candidates] == expected.indices.tolist()
    np.testing.assert_allclose([c.prob for c in candidates], expected.values.numpy(), atol=1e-6)
    unablated_logits, _ = _eager_attentions(loaded.model, result.token_ids.tolist())
    assert not torch.allclose(unablated_logits, logits, atol=1e-4)  # the ablation changed something


def test_what_cannot_work_is_named_and_refused():
    _, loaded = _build("gpt_neo")
    reason = loaded.info.why_unsupported("inspector")
    assert reason and "AttentionInterface" in str(reason)
    assert loaded.info.why_unsupported("knockout") is None
    assert loaded.info.why_unsupported("ablation") is None
    session = make_session(loaded)
    session.prefill(PROMPT)
    with pytest.raises(UnsupportedError, match="cannot explain a cell"):
        explain_cell(session, "decoder", 0, 0, 2, 1)


def test_loads_from_a_folder(tmp_path):
    """What users met as `cannot load …: 'attnlab'`."""
    folder = save(*tiny_gpt_neo(), tmp_path / "neo")
    loaded = load_model(str(folder))
    assert loaded.info.architecture == "GPTNeoForCausalLM"
    assert [(s.name, s.layers, s.heads) for s in loaded.info.stacks] == [("decoder", 2, 4)]


def test_an_architecture_whose_capture_is_not_exact_is_refused_with_the_reason():
    from transformers import FSMTConfig, FSMTForConditionalGeneration

    from attnlab.engine.api.errors import ModelLoadError

    config = FSMTConfig(
        langs=["en", "de"],
        src_vocab_size=40,
        tgt_vocab_size=40,
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=32,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
    )
    torch.manual_seed(0)
    model = FSMTForConditionalGeneration(config).eval()
    with pytest.raises(ModelLoadError, match="does not yet match the model's own eager forward"):
        wrap_model(model, None, name="fsmt", kind="encoder-decoder")
