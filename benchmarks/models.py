"""The models the benchmarks run, and prompts of an exact number of tokens.

- smollm2: the real SmolLM2-135M-Instruct (Llama, 30 layers × 9 heads), loaded like the app does.
- tiny-gpt: a GPT-2 shaped like the bundled tiny-gpt (4 layers × 4 heads, 128 wide, 1,574-token
  vocabulary) but built in code with random weights and 2,048 positions, so the 512- and
  1,024-token figures fit (the bundled one has 128 positions). Timing does not depend on weights.
- tiny: a 2-layer, 32-wide GPT-2 for the smoke test.
- smollm2-shape (-cuda): SmolLM2-135M's architecture with random weights (float32 on the CPU, bfloat16 on
  CUDA), for machines without the converted weights; time and memory do not depend on the weights.

EOS is switched off in every model so a run of N steps really takes N steps.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import torch
from tokenizers import Tokenizer, models, pre_tokenizers, processors
from transformers import (
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedModel,
    PreTrainedTokenizerFast,
)

from attnlab.engine.models.loading import LoadedModel, load_model, set_threads, wrap_model

SMOLLM2 = "SmolLM2-135M-Instruct"
TITLES = {
    "smollm2": "SmolLM2-135M",
    "tiny-gpt": "tiny GPT (4x4, 128 wide)",
    "tiny": "tiny GPT (2x4, 32 wide)",
    "smollm2-shape": "SmolLM2-135M shape, random weights",
    "smollm2-shape-cuda": "SmolLM2-135M shape, random weights, CUDA bf16",
}


def word_tokenizer(vocab_size: int) -> PreTrainedTokenizerFast:
    """Whitespace words "w0".."wN" plus <s> (id 0) and </s> (id 1); every prompt starts with <s>."""
    vocab = {"<s>": 0, "</s>": 1, "[UNK]": 2} | {f"w{i}": i + 3 for i in range(vocab_size - 3)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    backend.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 0)])
    return PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>", unk_token="[UNK]")


def _gpt2(layers: int, heads: int, width: int, vocab: int, positions: int) -> LoadedModel:
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=vocab,
        n_positions=positions,
        n_embd=width,
        n_layer=layers,
        n_head=heads,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=1,
        attn_implementation="eager",  # type: ignore[call-arg]  # taken by the config's **kwargs; not in its fields
    )
    model = GPT2LMHeadModel(config).eval()
    return wrap_model(model, word_tokenizer(vocab), name=f"gpt2-{layers}x{heads}x{width}", kind="decoder")


def _smollm2_shape(device: str) -> LoadedModel:
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=49152,
        hidden_size=576,
        intermediate_size=1536,
        num_hidden_layers=30,
        num_attention_heads=9,
        num_key_value_heads=3,
        max_position_embeddings=8192,
        tie_word_embeddings=True,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=1,
    )
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    model = LlamaForCausalLM(config).eval()
    model.to(device=torch.device(device), dtype=dtype)
    return wrap_model(model, word_tokenizer(config.vocab_size), name="smollm2-shape", kind="decoder")


@lru_cache(maxsize=None)
def load(key: str) -> LoadedModel:
    """A benchmark model with EOS switched off. torch keeps the engine's thread count (cores - 1)."""
    set_threads(None)
    if key == "smollm2":
        loaded = load_model(SMOLLM2)
    elif key == "tiny-gpt":
        loaded = _gpt2(layers=4, heads=4, width=128, vocab=1574, positions=2304)
    elif key in ("smollm2-shape", "smollm2-shape-cuda"):
        loaded = _smollm2_shape("cuda" if key.endswith("cuda") else "cpu")
    elif key == "tiny":
        loaded = _gpt2(layers=2, heads=4, width=32, vocab=64, positions=256)
    else:
        raise ValueError(f"unknown benchmark model {key!r}: use smollm2, tiny-gpt or tiny")
    return dataclasses.replace(loaded, eos_ids=frozenset())


def prompt(loaded: LoadedModel, tokens: int) -> str:
    """A text that the model's tokenizer turns into exactly `tokens` tokens (specials included)."""
    tokenizer = loaded.tokenizer
    word = "w5" if loaded.info.vocab_size < 10_000 else "the"

    def count(words: int) -> int:
        return len(tokenizer(" ".join([word] * words))["input_ids"])

    words = tokens
    for _ in range(4):  # each word is one token; only the specials need correcting
        words += tokens - count(words)
    if count(words) != tokens:
        raise RuntimeError(f"cannot make a {tokens}-token prompt for {loaded.info.name}")
    return " ".join([word] * words)


def prompt_ids(loaded: LoadedModel, tokens: int) -> torch.Tensor:
    """[1, tokens] ids of the same prompt, for the transformers baselines."""
    return loaded.tokenizer(prompt(loaded, tokens), return_tensors="pt")["input_ids"]


def weight_bytes(model: PreTrainedModel) -> int:
    """Bytes of weights one decode step reads: every parameter once, except embedding tables that are
    only looked up (one row each) and not also used as the output projection."""
    output = model.get_output_embeddings()
    tied = output.weight if output is not None else None
    counted: dict[int, int] = {}
    for module in model.modules():
        for param in module.parameters(recurse=False):
            looked_up = isinstance(module, torch.nn.Embedding) and param is not tied
            if not looked_up:
                counted[id(param)] = param.numel() * param.element_size()
    return sum(counted.values())
