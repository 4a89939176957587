"""The formula inspector: one cell's q, k, scaling, bias, softcap and probability, as the model used them."""

import copy
import json
import math
import subprocess
import sys

import numpy as np
import pytest
import torch
from tiny_models import BUILDERS, tiny_gemma2, tiny_gpt2

from attnlab.app.cli import main
from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.results import Masks
from attnlab.engine.capture import attention as capture
from attnlab.engine.interpret.inspector import explain_cell
from attnlab.engine.models.loading import wrap_model
from attnlab.engine.session.sessions import make_session

TEXT = "the cat sat on the mat"


ARCHITECTURES = {**BUILDERS, "gemma2": tiny_gemma2}


def _session_and_eager(name: str, masks: Masks = Masks()):
    """A session on the current input (prompt and two generated tokens) and the eager model's attentions for it."""
    model, tokenizer = ARCHITECTURES[name]()
    eager = copy.deepcopy(model)
    loaded = wrap_model(model, tokenizer, name=name)
    session = make_session(loaded)
    with torch.no_grad():
        if loaded.kind == "encoder":
            session.analyse(TEXT, masks)
            ids = torch.tensor([session.tokenizer(TEXT)["input_ids"]])
            return session, {"encoder": eager(input_ids=ids, output_attentions=True).attentions}
        if loaded.kind == "decoder":
            if name == "gemma2":  # fixed words: a random model may pick the end of text
                session.prefill(TEXT, masks, replay=[9, 10])
            else:
                session.prefill(TEXT, masks)
                session.run(2)
            out = eager(input_ids=torch.tensor([session.token_ids]), output_attentions=True)
            return session, {"decoder": out.attentions}
        session.prefill("dog", masks, source=TEXT)
        session.run(2)
        src = torch.from_numpy(session.state().token_ids)[None]
        out = eager(input_ids=src, decoder_input_ids=torch.tensor([session.token_ids]), output_attentions=True)
        return session, {
            "encoder": out.encoder_attentions,
            "decoder": out.decoder_attentions,
            "cross": out.cross_attentions,
        }


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_every_cell_adds_up_and_matches_the_model(name):
    session, reference = _session_and_eager(name)
    snap = session.store.snapshot()
    config = session.model.config
    for stack, layers in reference.items():
        for layer, attentions in enumerate(layers):
            expected = attentions[0].numpy()  # [head, query, key]
            heads, queries, keys = expected.shape
            kv_heads = getattr(config, "num_key_value_heads", None) or heads
            for head in range(heads):
                for query, key in [(queries - 1, 0), (queries - 1, keys - 1), (1, min(3, keys - 1)), (2, 1)]:
                    cell = explain_cell(session, stack, layer, head, query, key)
                    where = f"{stack} layer {layer} head {head} cell ({query}, {key})"
                    assert cell.kv_head == head // (heads // kv_heads), where
                    assert cell.q.shape == cell.k.shape and cell.dot == pytest.approx(float(cell.q @ cell.k))
                    scaled = cell.dot * cell.scaling
                    capped = scaled if cell.softcap is None else math.tanh(scaled / cell.softcap) * cell.softcap
                    assert cell.capped == pytest.approx(capped, rel=1e-12, abs=1e-12), where
                    assert cell.bias == pytest.approx(cell.position_bias + cell.mask + cell.knockout), where
                    assert cell.capped + cell.bias == pytest.approx(cell.logit, rel=1e-6, abs=1e-5), where
                    assert cell.prob == pytest.approx(math.exp(cell.logit - cell.row_logsumexp), abs=1e-6), where
                    assert cell.prob == pytest.approx(snap.layer(stack, layer)[head, query, key], abs=1e-3), where
                    np.testing.assert_allclose(cell.row_probs, expected[head, query], atol=1e-5, err_msg=where)
                    np.testing.assert_allclose(cell.row_logits[key], cell.logit)
                    assert cell.masked == (expected[head, query, key] == 0), where  # causal, sliding window
                    if stack == "decoder" and key > query:
                        assert cell.masked
                    if cell.masked:
                        assert cell.prob == 0 and cell.value_norm == 0
                        assert cell.mask <= torch.finfo(torch.float32).min / 2 and not cell.knocked_out
                    assert cell.query_token and cell.key_token


def test_the_model_own_scaling_and_softcap_are_reported():
    session, _ = _session_and_eager("gemma2")
    cell = explain_cell(session, "decoder", 0, 3, 6, 5)
    assert cell.softcap == 5.0 and cell.scaling == pytest.approx(16**-0.5)
    assert cell.capped == pytest.approx(5.0 * math.tanh(cell.dot * cell.scaling / 5.0))
    assert cell.kv_head == 1 and cell.q.shape == (8,)
    # the first layer slides a window of 4: key 0 is out of sight of query 6, though causally visible
    assert explain_cell(session, "decoder", 0, 0, 6, 0).masked
    assert not explain_cell(session, "decoder", 1, 0, 6, 0).masked
    gpt = explain_cell(_session_and_eager("gpt2")[0], "decoder", 0, 0, 3, 1)
    assert gpt.softcap is None and gpt.scaling == pytest.approx(8**-0.5)


def test_t5_relative_bias_is_part_of_the_bias():
    session, _ = _session_and_eager("t5")
    cells = [explain_cell(session, "encoder", 0, h, 3, k) for h in range(4) for k in range(6)]
    assert any(abs(c.position_bias) > 1e-4 for c in cells)
    for c in cells:
        assert c.mask == 0 and c.knockout == 0 and c.bias == pytest.approx(c.position_bias)
        assert c.scaling == 1.0  # T5 folds the scaling into its weights


def test_output_shares_add_up_to_the_head_output():
    session, _ = _session_and_eager("llama")
    cells = [explain_cell(session, "decoder", 1, 2, 5, key) for key in range(9)]
    assert sum(c.output_share for c in cells) == pytest.approx(1.0, abs=1e-5)
    assert sum(c.prob for c in cells) == pytest.approx(1.0, abs=1e-6)
    for c in cells:
        assert (c.value_norm > 0) == (c.prob > 0)  # ‖prob·v‖: nothing from a hidden key


@pytest.mark.parametrize(
    "name, stack, knocked",
    [
        ("gpt2", "decoder", ("decoder", 2)),
        ("bert", "encoder", ("encoder", 2)),
        ("bart", "cross", ("encoder", 2)),
        ("t5", "encoder", ("encoder", 2)),
    ],
)
def test_a_knocked_out_key_shows_in_bias_with_probability_zero(name, stack, knocked):
    session, _ = _session_and_eager(name, Masks(knockouts=frozenset({knocked})))
    cell = explain_cell(session, stack, 1, 1, 3, 2)
    lowest = torch.finfo(torch.float32).min
    assert cell.knocked_out and cell.masked and cell.prob == 0
    assert cell.logit == lowest and cell.bias == pytest.approx(lowest) and cell.knockout < lowest / 2
    assert cell.capped + cell.bias == pytest.approx(cell.logit, rel=1e-6)
    assert session.store.snapshot().layer(stack, 1)[1, 3, 2] == 0
    visible = explain_cell(session, stack, 1, 1, 3, 1)
    assert not visible.knocked_out and visible.knockout == 0 and visible.prob > 0


def test_an_ablated_head_says_so_and_keeps_its_weights():
    session, reference = _session_and_eager("gpt2", Masks(ablated_heads=frozenset({("decoder", 1, 2)})))
    cell = explain_cell(session, "decoder", 1, 2, 5, 3)
    other = explain_cell(session, "decoder", 1, 1, 5, 3)
    assert cell.ablated and not other.ablated
    np.testing.assert_allclose(cell.row_probs, reference["decoder"][1][0, 2, 5].numpy(), atol=1e-5)


def test_explaining_changes_nothing_and_leaves_no_hook():
    model, tokenizer = tiny_gpt2()
    twin = wrap_model(copy.deepcopy(model), tokenizer, name="twin")
    a, b = make_session(wrap_model(model, tokenizer, name="gpt2")), make_session(twin)
    for s in (a, b):
        s.prefill(TEXT, Masks(knockouts=frozenset({("decoder", 3)})))
        s.run(2)
    before = a.store.snapshot().full("decoder")
    explain_cell(a, "decoder", 0, 1, 7, 2)  # stops after layer 0
    explain_cell(a, "decoder", 1, 3, 7, 7)
    assert getattr(capture._local, "hooks", None) is capture.IDLE
    np.testing.assert_array_equal(a.store.snapshot().full("decoder"), before)
    assert a.step().token_id == b.step().token_id  # the cache went on as if nothing happened


def test_cross_attention_keys_are_the_source_tokens():
    session, _ = _session_and_eager("bart")
    source = len(session.state().token_ids)
    cell = explain_cell(session, "cross", 0, 0, len(session.token_ids) - 1, source - 1)
    assert cell.key_token == session.state().tokens[-1] and len(cell.row_probs) == source
    with pytest.raises(EngineError, match=f"key {source} out of range: the source has {source} tokens"):
        explain_cell(session, "cross", 0, 0, 0, source)


@pytest.mark.parametrize(
    "args, message",
    [
        (("decoder", 0, 0, 12, 0), "query 12 out of range: the sequence has 9 tokens"),
        (("decoder", 0, 0, 0, 9), "key 9 out of range"),
        (("decoder", 2, 0, 0, 0), "layer 2 out of range: the decoder stack has 2 layers"),
        (("decoder", 0, 4, 0, 0), "head 4 out of range: the decoder stack has 4 heads"),
        (("cross", 0, 0, 0, 0), "gpt2 has no cross attention: its stacks are decoder"),
        (("bogus", 0, 0, 0, 0), "has no bogus attention"),
    ],
)
def test_bad_cells_are_refused_with_what_there_is(args, message):
    session, _ = _session_and_eager("gpt2")  # <s> + 6 words + 2 generated: 9 tokens
    with pytest.raises(EngineError, match=message):
        explain_cell(session, *args)


def test_nothing_to_explain_before_any_input():
    model, tokenizer = tiny_gpt2()
    with pytest.raises(EngineError, match="nothing to explain: give a prompt first"):
        explain_cell(make_session(wrap_model(model, tokenizer)), "decoder", 0, 0, 0, 0)


# -- attnlab explain ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _private_dirs(private_dirs):
    """The CLI here writes to the user's folders: keep them temporary."""


def _explain(capsys, *args) -> dict:
    assert main(["explain", *args]) == 0
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1
    return json.loads(out)


def test_cli_prints_one_json_object(folders, capsys):
    data = _explain(
        capsys,
        "--model",
        str(folders["gpt"]),
        "--text",
        TEXT,
        "--generate",
        "2",
        "--greedy",
        "--layer",
        "1",
        "--head",
        "2",
        "--query",
        "8",
        "--key",
        "3",
        "--knockout-positions",
        "5",
    )
    for name in (
        "q",
        "k",
        "dot",
        "scaling",
        "bias",
        "softcap",
        "logit",
        "row_logsumexp",
        "prob",
        "value_norm",
        "kv_head",
        "output_share",
        "row_logits",
        "row_probs",
    ):
        assert name in data, name
    assert data["stack"] == "decoder" and data["softcap"] is None and data["kv_head"] == 2
    assert len(data["q"]) == len(data["k"]) == 8 and len(data["row_probs"]) == 9
    assert data["row_probs"][5] == 0 and data["prob"] == pytest.approx(math.exp(data["logit"] - data["row_logsumexp"]))
    # the same cell from a session in this process
    model, tokenizer = tiny_gpt2()
    session = make_session(wrap_model(model, tokenizer))
    session.prefill(TEXT, Masks(knockouts=frozenset({("decoder", 5)})))
    session.run(2)
    assert explain_cell(session, "decoder", 1, 2, 8, 3).prob == pytest.approx(data["prob"], abs=1e-6)


def test_cli_cross_attention_with_decoder_masks(folders, capsys):
    data = _explain(
        capsys,
        "--model",
        str(folders["bart"]),
        "--source",
        TEXT,
        "--text",
        "dog",
        "--generate",
        "1",
        "--stack",
        "cross",
        "--layer",
        "0",
        "--head",
        "1",
        "--query",
        "2",
        "--key",
        "6",
        "--decoder-knockout-positions",
        "1",
        "--ablate-heads",
        "cross:0:1",
    )
    assert data["stack"] == "cross" and data["key_token"] == "</s>" and data["ablated"]
    assert len(data["row_probs"]) == 7
    default = _explain(
        capsys,
        "--model",
        str(folders["bart"]),
        "--source",
        TEXT,
        "--layer",
        "0",
        "--head",
        "0",
        "--query",
        "0",
        "--key",
        "0",
    )
    assert default["stack"] == "encoder"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--query", "12", "--key", "0"], "query 12 out of range: the sequence has 7 tokens"),
        (["--stack", "cross", "--query", "1", "--key", "0"], "has no cross attention"),
        (["--stack", "side", "--query", "1", "--key", "0"], "--stack takes encoder, decoder or cross"),
        (["--query", "1"], "the following arguments are required: --key"),
        (["--query", "1", "--key", "0", "--greedy", "--seed", "2"], "--greedy cannot be combined"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(folders, capsys, args, message):
    code = main(["explain", "--model", str(folders["gpt"]), "--text", TEXT, "--layer", "0", "--head", "0", *args])
    captured = capsys.readouterr()
    assert code == 2 and not captured.out
    assert message in captured.err and len(captured.err.strip().splitlines()) == 1


def test_attnlab_help_lists_both_commands(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "attnlab export" in out and "attnlab explain" in out


def test_installed_command_prints_only_the_error_line(folders):
    """The query is checked after the model ran: transformers' own warnings must not reach stderr."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "attnlab",
            "explain",
            "--model",
            str(folders["gpt"]),
            "--text",
            TEXT,
            "--generate",
            "1",
            "--layer",
            "0",
            "--head",
            "0",
            "--query",
            "40",
            "--key",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and not result.stdout
    assert result.stderr.strip().splitlines() == [
        "attnlab explain: error: query 40 out of range: the sequence has 8 tokens (0..7)"
    ]


def test_q_and_k_are_the_eager_model_own_projections():
    """GPT-2 recomputed by hand from the eager model: layer input → ln_1 → c_attn → one head's q and k."""
    model, tokenizer = tiny_gpt2()
    eager = copy.deepcopy(model)
    session = make_session(wrap_model(model, tokenizer))
    session.prefill(TEXT)
    session.run(2)
    with torch.no_grad():
        hidden = eager(input_ids=torch.tensor([session.token_ids]), output_hidden_states=True).hidden_states
        block = eager.transformer.h[1]
        q, k, _ = block.attn.c_attn(block.ln_1(hidden[1]))[0].split(32, dim=-1)  # [token, 32] each
    head, dim = 2, 8
    cell = explain_cell(session, "decoder", 1, head, 7, 4)
    np.testing.assert_allclose(cell.q, q[7, head * dim : (head + 1) * dim].numpy(), atol=1e-6)
    np.testing.assert_allclose(cell.k, k[4, head * dim : (head + 1) * dim].numpy(), atol=1e-6)
    assert cell.logit == pytest.approx(
        float(q[7, head * dim : (head + 1) * dim] @ k[4, head * dim : (head + 1) * dim]) / math.sqrt(dim), abs=1e-6
    )
