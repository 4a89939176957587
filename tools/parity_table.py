"""Per-architecture parity on tiny random models: the README's table.

    PYTHONPATH=. .venv/bin/python tools/parity_table.py      # prints a markdown table

For each architecture, against the plain eager model (a copy taken before attnlab touches it):

- attention: logits and every layer's attention equal eager `output_attentions` within 1e-5
  (float32), and the session's float16 store equals them within 1e-3;
- stepping: greedy stepping gives `generate(do_sample=False)`'s tokens;
- knock-out: the knocked key's column is 0 in every layer, and layer 0 equals eager layer 0 with
  that column removed and its rows renormalised;
- ablation: logits equal eager's with the head's slice of the output projection zeroed (a module
  that serves every layer, ALBERT's: the head ablated in every layer).

"capture" says how attnlab reads the attention: its function registered with transformers'
AttentionInterface, or hooks on the model's own attention modules (`engine/legacy_capture.py`).

A cell says "yes", "no (what differed)", "unsupported (the model's own reason)", or "—" (does not apply).
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import numpy as np
import torch
import transformers as tf
from tiny_models import (
    BOS,
    EOS,
    PAD,
    VOCAB,
    tiny_albert,
    tiny_bart,
    tiny_bert,
    tiny_bloom,
    tiny_gemma2,
    tiny_gpt2,
    tiny_gpt_neo,
    tiny_llama,
    tiny_mpnet,
    tiny_t5,
    word_tokenizer,
)

from attnlab.engine.api.results import Masks
from attnlab.engine.capture import attention as capture
from attnlab.engine.models.loading import LoadedModel, wrap_model
from attnlab.engine.session.sessions import EncoderSession, GenerationSession

TEXT = "the cat sat on the mat and the dog ran to the red rug"
KNOCKED = 2
SMALL = dict(vocab_size=VOCAB, pad_token_id=PAD, bos_token_id=BOS, eos_token_id=EOS, attn_implementation="eager")
DECODER = dict(
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    max_position_embeddings=64,
    **SMALL,
)
ENCODER = dict(
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    max_position_embeddings=70,
    **SMALL,
)
SEQ2SEQ = dict(
    d_model=32,
    encoder_layers=2,
    decoder_layers=2,
    encoder_attention_heads=4,
    decoder_attention_heads=4,
    encoder_ffn_dim=64,
    decoder_ffn_dim=64,
    max_position_embeddings=64,
    decoder_start_token_id=PAD,
    forced_eos_token_id=None,
    **SMALL,
)
T5_LIKE = dict(
    d_model=32,
    d_kv=8,
    d_ff=64,
    num_layers=2,
    num_decoder_layers=2,
    num_heads=4,
    relative_attention_num_buckets=8,
    decoder_start_token_id=PAD,
    **SMALL,
)
_PROJECTIONS = ("o_proj", "out_proj", "dense", "o", "c_proj", "out_lin", "wo")


def _built(model_class, config_class, style: str, **config) -> Callable[[], tuple]:
    def build():
        torch.manual_seed(0)
        return model_class(config_class(**config)).eval(), word_tokenizer(style)

    return build


ARCHITECTURES: dict[str, Callable[[], tuple]] = {
    "GPT-2": tiny_gpt2,
    "GPT-Neo (own attention code, local layers)": tiny_gpt_neo,
    "GPT-NeoX": _built(tf.GPTNeoXForCausalLM, tf.GPTNeoXConfig, "gpt", **DECODER),
    "Llama (grouped-query)": tiny_llama,
    "Qwen-3": _built(tf.Qwen3ForCausalLM, tf.Qwen3Config, "gpt", num_key_value_heads=2, head_dim=8, **DECODER),
    "Mistral (sliding window 4)": _built(
        tf.MistralForCausalLM, tf.MistralConfig, "gpt", num_key_value_heads=2, sliding_window=4, **DECODER
    ),
    "Gemma-2 (softcap, alternating windows)": tiny_gemma2,
    "Phi": _built(tf.PhiForCausalLM, tf.PhiConfig, "gpt", **DECODER),
    "BLOOM (ALiBi, own attention code)": tiny_bloom,
    "CTRL": _built(
        tf.CTRLLMHeadModel, tf.CTRLConfig, "gpt", n_embd=32, n_layer=2, n_head=4, dff=64, n_positions=64, **SMALL
    ),
    "Falcon": _built(
        tf.FalconForCausalLM,
        tf.FalconConfig,
        "gpt",
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        **SMALL,
    ),
    "OPT": _built(
        tf.OPTForCausalLM,
        tf.OPTConfig,
        "gpt",
        hidden_size=32,
        ffn_dim=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        word_embed_proj_dim=32,
        max_position_embeddings=64,
        **SMALL,
    ),
    "BERT": tiny_bert,
    "RoBERTa": _built(tf.RobertaForMaskedLM, tf.RobertaConfig, "bert", **ENCODER),
    "DistilBERT": _built(
        tf.DistilBertForMaskedLM,
        tf.DistilBertConfig,
        "bert",
        dim=32,
        hidden_dim=64,
        n_layers=2,
        n_heads=4,
        max_position_embeddings=64,
        **SMALL,
    ),
    "ALBERT (one module for all layers)": tiny_albert,
    "DeBERTa-v2": _built(
        tf.DebertaV2ForMaskedLM,
        tf.DebertaV2Config,
        "bert",
        relative_attention=True,
        pos_att_type=["p2c", "c2p"],
        **ENCODER,
    ),
    "ELECTRA": _built(tf.ElectraForMaskedLM, tf.ElectraConfig, "bert", embedding_size=16, **ENCODER),
    "MPNet (own attention code)": tiny_mpnet,
    "XLM (own attention code, no 4D mask)": _built(
        tf.XLMWithLMHeadModel,
        tf.XLMConfig,
        "bert",
        emb_dim=32,
        n_layers=2,
        n_heads=4,
        max_position_embeddings=64,
        causal=False,
        **SMALL,
    ),
    "ConvBERT": _built(tf.ConvBertForMaskedLM, tf.ConvBertConfig, "bert", embedding_size=32, **ENCODER),
    "BART": tiny_bart,
    "Marian": _built(tf.MarianMTModel, tf.MarianConfig, "seq2seq", **SEQ2SEQ),
    "T5": tiny_t5,
    "mT5": _built(tf.MT5ForConditionalGeneration, tf.MT5Config, "seq2seq", **T5_LIKE),
}


def _forward(model, loaded: LoadedModel, ids: list[int], decoder_ids: list[int] | None = None):
    """(logits, {stack: attentions}) of one eager-style forward with output_attentions."""
    with torch.no_grad():
        if decoder_ids is not None:
            out = model(
                input_ids=torch.tensor([ids]),
                decoder_input_ids=torch.tensor([decoder_ids]),
                output_attentions=True,
                use_cache=False,
            )  # a plain uncached forward is the reference
            return out.logits, {
                "encoder": out.encoder_attentions,
                "decoder": out.decoder_attentions,
                "cross": out.cross_attentions,
            }
        out = model(input_ids=torch.tensor([ids]), output_attentions=True)
        logits = out.logits if hasattr(out, "logits") else out.prediction_logits
        return logits, {"decoder" if loaded.kind == "decoder" else "encoder": out.attentions}


def _run(loaded: LoadedModel, masks: Masks = Masks(), steps: int = 4):
    """A session over TEXT: (store snapshot, input ids, decoder ids or None, generated ids or None)."""
    if loaded.kind == "encoder":
        result = EncoderSession(loaded).analyse(TEXT, masks)
        return result.attention, result.token_ids.tolist(), None, None
    session = GenerationSession(loaded)
    if loaded.kind == "encoder-decoder":
        session.prefill("", masks, source=TEXT)
        session.run(steps)
        return session.store.snapshot(), session.state().token_ids.tolist(), session.token_ids, session.token_ids
    session.prefill(TEXT, masks)
    session.run(steps)
    return session.store.snapshot(), session.token_ids, None, session.token_ids


def _largest(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max())


def check_attention(eager, loaded: LoadedModel) -> str:
    snapshot, ids, decoder_ids, _ = _run(loaded)
    ref_logits, ref = _forward(eager, loaded, ids, decoder_ids)
    logits, mine = _forward(loaded.model, loaded, ids, decoder_ids)
    worst = _largest(logits, ref_logits)
    ours = {s.name: s.layers for s in loaded.info.stacks}
    for stack, layers in ref.items():
        if len(layers) != ours.get(stack):
            return f"no ({stack}: {len(layers)} layers, attnlab found {ours.get(stack)})"
        for layer, expected in enumerate(layers):
            worst = max(worst, _largest(mine[stack][layer], expected))
            stored = float(np.abs(snapshot.layer(stack, layer) - expected[0].numpy()).max())
            if stored > 1e-3:
                return f"no (stored {stack} layer {layer} off by {stored:.1e})"
    return "yes" if worst <= 1e-5 else f"no (off by {worst:.1e})"


def check_stepping(eager, loaded: LoadedModel) -> str:
    if not loaded.info.can_generate:
        return "—"
    _, ids, _, generated = _run(loaded, steps=6)
    with torch.no_grad():
        if loaded.kind == "encoder-decoder":
            expected = eager.generate(
                torch.tensor([ids]), max_new_tokens=6, do_sample=False, min_new_tokens=6, num_beams=1, eos_token_id=None
            )[0].tolist()
        else:
            prompt = torch.tensor([generated[: len(generated) - 6]])
            expected = eager.generate(
                prompt,
                max_new_tokens=6,
                do_sample=False,
                min_new_tokens=6,
                num_beams=1,
                eos_token_id=None,
                pad_token_id=PAD,
            )[0].tolist()
    return "yes" if expected == generated else f"no ({generated} vs generate {expected})"


def check_knockout(eager, loaded: LoadedModel) -> str:
    reason = loaded.info.why_unsupported("knockout")
    if reason:
        return f"unsupported ({reason})"
    stack = loaded.info.input_stack
    snapshot, ids, decoder_ids, _ = _run(loaded, Masks(knockouts=frozenset({(stack, KNOCKED)})))
    keyed_by_it = [stack] + (["cross"] if loaded.kind == "encoder-decoder" else [])
    for name in keyed_by_it:
        layers = next(s.layers for s in loaded.info.stacks if s.name == name)
        for layer in range(layers):
            column = np.abs(snapshot.layer(name, layer)[:, :, KNOCKED]).max()
            if column != 0:
                return f"no ({name} layer {layer} gives it {column:.1e})"
    _, ref = _forward(eager, loaded, ids, decoder_ids)
    expected = ref[stack][0][0].clone()  # [head, query, key]
    expected[:, :, KNOCKED] = 0
    expected /= expected.sum(-1, keepdim=True)
    worst = float(np.abs(snapshot.layer(stack, 0) - expected.numpy()).max())
    return "yes" if worst <= 1e-3 else f"no (layer 0 off by {worst:.1e})"


def _projection(module: torch.nn.Module, parent: torch.nn.Module) -> torch.nn.Module | None:
    for holder in (module, getattr(parent, "output", None)):
        for name in _PROJECTIONS:
            child = getattr(holder, name, None)
            if child is not None and hasattr(child, "weight"):
                return child
    return None


def check_ablation(eager, loaded: LoadedModel) -> str:
    reason = loaded.info.why_unsupported("ablation")
    if reason:
        return f"unsupported ({reason})"
    stack, layer, head = loaded.info.input_stack, 1, 1
    key = next(k for k, site in loaded.sites.items() if site == (stack, layer))
    ablate: dict[tuple[str, int], list[int]] = {(stack, layer): [head]}
    if sum(1 for k in loaded.sites if k[0] == key[0]) > 1:  # one module for every layer (ALBERT): its weights
        ablate = {site: [head] for k, site in loaded.sites.items() if k[0] == key[0]}  # are every layer's
    name = next(n for n, m in loaded.model.named_modules() if id(m) == key[0])
    parent = eager.get_submodule(name.rpartition(".")[0])
    projection = _projection(eager.get_submodule(name), parent)
    if projection is None:
        return "no (no output projection found to compare with)"
    heads = next(s.heads for s in loaded.info.stacks if s.name == stack)
    conv1d = type(projection).__name__ == "Conv1D"  # GPT-2 stores [in, out]
    weight: torch.Tensor = projection.weight  # type: ignore[assignment]  # Linear and Conv1D hold a Parameter
    width = weight.shape[0 if conv1d else 1]
    dim = width // heads
    with torch.no_grad():
        if conv1d:
            weight[head * dim : (head + 1) * dim] = 0
        else:
            weight[:, head * dim : (head + 1) * dim] = 0
    ids = list(range(7, 17))
    decoder_ids = [PAD, 9, 10] if loaded.kind == "encoder-decoder" else None
    expected, _ = _forward(eager, loaded, ids, decoder_ids)
    before, _ = _forward(loaded.model, loaded, ids, decoder_ids)
    with capture.recording(capture.Recorder(loaded.sites, ablate=ablate)):
        after, _ = _forward(loaded.model, loaded, ids, decoder_ids)
    if _largest(before, after) < 1e-6:
        return "no (the ablation changed nothing)"
    worst = _largest(after, expected)
    return "yes" if worst <= 1e-5 else f"no (off by {worst:.1e})"


def main() -> None:
    torch.set_num_threads(1)
    print(f"transformers {tf.__version__}, torch {torch.__version__}, float32 on the CPU\n")
    print("| architecture | capture | attention = eager | stepping = generate() | knock-out | head ablation |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, build in ARCHITECTURES.items():
        try:
            model, tokenizer = build()
            eager = copy.deepcopy(model)
            loaded = wrap_model(model, tokenizer, name=name)
        except Exception as exc:  # noqa: BLE001 - a row that cannot even load says so
            print(f"| {name} | cannot load: {exc} | | | | |")
            continue
        interface = loaded.model.config._attn_implementation == capture.IMPLEMENTATION
        cells = ["AttentionInterface" if interface else "module hooks"]
        for check in (check_attention, check_stepping, check_knockout, check_ablation):
            try:
                cells.append(check(eager, loaded))
            except Exception as exc:  # noqa: BLE001 - a failed check is a table cell, not the end of the table
                cells.append(f"error: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
