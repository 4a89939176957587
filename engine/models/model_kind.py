"""Encoder, decoder or encoder-decoder: what a model is, from its config.json."""

from __future__ import annotations

from typing import Literal

Kind = Literal["encoder", "decoder", "encoder-decoder", "unknown"]

ENCODER_TYPES = frozenset(
    "bert roberta xlm-roberta distilbert albert electra deberta deberta-v2 mpnet camembert "
    "ernie megatron-bert modernbert nomic_bert rembert xlm funnel squeezebert".split()
)
DECODER_TYPES = frozenset(
    "gpt2 gpt_neo gpt_neox gptj llama mistral mixtral qwen2 qwen3 phi phi3 gemma gemma2 gemma3_text "
    "opt bloom falcon olmo olmo2 smollm3 starcoder2 codegen granite stablelm cohere".split()
)
ENCODER_DECODER_TYPES = frozenset(
    "t5 mt5 umt5 longt5 bart mbart marian pegasus pegasus_x blenderbot blenderbot-small m2m_100 "
    "led fsmt prophetnet nllb-moe switch_transformers plbart bigbird_pegasus".split()
)


def model_kind(config: dict, *, ask_transformers: bool = False) -> Kind:
    """encoder | decoder | encoder-decoder | unknown, from a config.json's contents.

    The contents alone settle almost every model. Where they don't, `ask_transformers` looks the
    model type up in transformers' causal-LM table (decoder if it is there, else encoder): the
    loader wants that, the catalog does not (importing that table takes seconds and loads torch).
    """
    kind = _kind_from_config(config)
    if kind != "unknown" or not ask_transformers:
        return kind
    try:
        from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES
    except ImportError:
        return kind
    return "decoder" if config.get("model_type") in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES else "encoder"


def _kind_from_config(config: dict) -> Kind:
    if config.get("is_encoder_decoder") is True:
        return "encoder-decoder"
    model_type = config.get("model_type", "")
    for architecture in config.get("architectures") or []:
        if architecture.endswith(("ForCausalLM", "LMHeadModel")):
            return "encoder-decoder" if model_type in ENCODER_DECODER_TYPES else "decoder"
        if architecture.endswith(("ForMaskedLM", "ForPreTraining")):
            return "encoder"
        if architecture.endswith("ForConditionalGeneration") or architecture.endswith("MTModel"):
            # vision-language models wrap a text decoder under this suffix, without the flag
            return "decoder" if "text_config" in config else "encoder-decoder"
    if model_type in ENCODER_DECODER_TYPES:
        return "encoder-decoder"
    if model_type in ENCODER_TYPES:  # BertModel and friends, task heads included
        return "encoder"
    if model_type in DECODER_TYPES:
        return "decoder"
    return "unknown"
