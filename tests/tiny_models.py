"""Tiny random models built in code (no hub): a few layers, a few heads, a word-level tokenizer.

Each builder returns (model, tokenizer); `save` writes both to a folder that `load_model` and
`attnlab export` accept.
"""

from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import Tokenizer, models, pre_tokenizers, processors
from transformers import (
    AlbertConfig,
    AlbertForMaskedLM,
    BartConfig,
    BartForConditionalGeneration,
    BertConfig,
    BertForPreTraining,
    BloomConfig,
    BloomForCausalLM,
    Gemma2Config,
    Gemma2ForCausalLM,
    GPT2Config,
    GPT2LMHeadModel,
    GPTNeoConfig,
    GPTNeoForCausalLM,
    LlamaConfig,
    LlamaForCausalLM,
    MPNetConfig,
    MPNetForMaskedLM,
    PreTrainedTokenizerFast,
    T5Config,
    T5ForConditionalGeneration,
)

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<s>", "</s>"]
WORDS = (
    "the a cat dog sat ran on mat rug big small red blue green is was and to of in it "
    "he she they we you I my his her one two three four five six seven eight nine ten "
    "Paris France capital city river sky sun moon day night . , ! ? 猫 狗 中 国 大 小"
).split()
PAD, UNK, CLS, SEP, MASK, BOS, EOS = range(len(SPECIALS))


def word_tokenizer(style: str = "bert") -> PreTrainedTokenizerFast:
    """A whitespace word-level tokenizer. style "bert": [CLS] a [SEP] (b [SEP]); "gpt": <s> a; "seq2seq": a </s>."""
    vocab = {tok: i for i, tok in enumerate(SPECIALS + WORDS)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()])
    if style == "bert":
        backend.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", CLS), ("[SEP]", SEP)]
        )
    elif style == "gpt":
        backend.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", BOS)])
    else:
        backend.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", EOS)])
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token="[PAD]",
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        bos_token="<s>",
        eos_token="</s>",
    )


VOCAB = len(SPECIALS) + len(WORDS)


def tiny_gpt2(seed: int = 0, positions: int = 64, heads: int = 4):
    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=VOCAB,
        n_positions=positions,
        n_embd=8 * heads,
        n_layer=2,
        n_head=heads,
        bos_token_id=BOS,
        eos_token_id=EOS,
        pad_token_id=PAD,
        attn_implementation="eager",
    )
    return GPT2LMHeadModel(config).eval(), word_tokenizer("gpt")


def tiny_llama(seed: int = 0):
    """Grouped-query attention: 4 query heads share 2 key/value heads."""
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=128,
        bos_token_id=BOS,
        eos_token_id=EOS,
        pad_token_id=PAD,
        attn_implementation="eager",
    )
    return LlamaForCausalLM(config).eval(), word_tokenizer("gpt")


def tiny_bert(seed: int = 0):
    """BERT with both heads: masked LM and next-sentence prediction."""
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
        pad_token_id=PAD,
        attn_implementation="eager",
    )
    return BertForPreTraining(config).eval(), word_tokenizer("bert")


def tiny_bart(seed: int = 0):
    torch.manual_seed(seed)
    config = BartConfig(
        vocab_size=VOCAB,
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=64,
        pad_token_id=PAD,
        bos_token_id=BOS,
        eos_token_id=EOS,
        decoder_start_token_id=BOS,
        forced_eos_token_id=None,
        attn_implementation="eager",
    )
    return BartForConditionalGeneration(config).eval(), word_tokenizer("seq2seq")


def tiny_t5(seed: int = 0):
    """Relative position bias instead of position embeddings."""
    torch.manual_seed(seed)
    config = T5Config(
        vocab_size=VOCAB,
        d_model=32,
        d_kv=8,
        d_ff=64,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        pad_token_id=PAD,
        eos_token_id=EOS,
        decoder_start_token_id=PAD,
        attn_implementation="eager",
    )
    return T5ForConditionalGeneration(config).eval(), word_tokenizer("seq2seq")


def tiny_gemma2(seed: int = 0, window: int = 4):
    """Softcapped scores (tanh(s / 5)·5), the model's own scaling (query_pre_attn_scalar), and local
    layers that see only the last `window` keys (Gemma-2 alternates local and global layers)."""
    torch.manual_seed(seed)
    config = Gemma2Config(
        vocab_size=VOCAB,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=8,
        query_pre_attn_scalar=16,
        attn_logit_softcapping=5.0,
        final_logit_softcapping=None,
        sliding_window=window,
        max_position_embeddings=128,
        bos_token_id=BOS,
        eos_token_id=EOS,
        pad_token_id=PAD,
        attn_implementation="eager",
    )
    return Gemma2ForCausalLM(config).eval(), word_tokenizer("gpt")


def tiny_gpt_neo(seed: int = 0, window: int = 4):
    """Attention in the model's own code (not AttentionInterface), alternating global and local layers
    (local ones see the last `window` keys)."""
    torch.manual_seed(seed)
    config = GPTNeoConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        num_layers=2,
        num_heads=4,
        attention_types=[[["global", "local"], 1]],
        window_size=window,
        max_position_embeddings=64,
        intermediate_size=64,
        bos_token_id=BOS,
        eos_token_id=EOS,
        pad_token_id=PAD,
        attn_implementation="eager",
    )
    return GPTNeoForCausalLM(config).eval(), word_tokenizer("gpt")


def tiny_bloom(seed: int = 0):
    """ALiBi (a per-head bias growing with key distance) and the model's own attention code."""
    torch.manual_seed(seed)
    config = BloomConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        n_layer=2,
        n_head=4,
        bos_token_id=BOS,
        eos_token_id=EOS,
        pad_token_id=PAD,
        attn_implementation="eager",
    )
    return BloomForCausalLM(config).eval(), word_tokenizer("gpt")


def tiny_mpnet(seed: int = 0):
    """An encoder with relative position bias in its own attention code."""
    torch.manual_seed(seed)
    config = MPNetConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
        pad_token_id=PAD,
        attn_implementation="eager",
    )
    return MPNetForMaskedLM(config).eval(), word_tokenizer("bert")


def tiny_albert(seed: int = 0, layers: int = 3):
    """One attention module shared by all `layers` layers."""
    torch.manual_seed(seed)
    config = AlbertConfig(
        vocab_size=VOCAB,
        embedding_size=16,
        hidden_size=32,
        num_hidden_layers=layers,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
        pad_token_id=PAD,
        attn_implementation="eager",
    )
    return AlbertForMaskedLM(config).eval(), word_tokenizer("bert")


BUILDERS = {"gpt2": tiny_gpt2, "llama": tiny_llama, "bert": tiny_bert, "bart": tiny_bart, "t5": tiny_t5}


def save(model, tokenizer, folder: Path) -> Path:
    folder = Path(folder)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
