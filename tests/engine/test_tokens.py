"""Readable tokens: no Ġ or ▁, Chinese as characters, partial UTF-8 marked, not replaced."""

from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from attnlab.engine.api.tokens import readable_tokens


def _byte_level(vocab_tokens):
    """A byte-level BPE tokenizer whose vocabulary splits 中 (e4 b8 ad) into two tokens."""
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {ch: i for i, ch in enumerate(sorted(alphabet))}
    for tok in vocab_tokens:
        vocab.setdefault(tok, len(vocab))
    backend = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    return PreTrainedTokenizerFast(tokenizer_object=backend, eos_token="Ġ")


def test_byte_level_space_marker_becomes_a_space():
    tok = _byte_level(["Ġcat"])
    ids = tok.convert_tokens_to_ids(["Ġcat", "a"])
    assert readable_tokens(tok, ids) == [" cat", "a"]


def test_character_split_over_tokens_shows_the_character_on_each_part():
    tok = _byte_level(["ä¸", "Ń", "åĽ½"])  # 中 = e4 b8 | ad ; 国 = e5 9b bd
    ids = tok.convert_tokens_to_ids(["ä¸", "Ń", "åĽ½"])
    assert readable_tokens(tok, ids) == ["中…", "…中", "国"]
    assert all("\ufffd" not in t for t in readable_tokens(tok, ids))


def test_three_way_split_and_lone_continuation_byte():
    tok = _byte_level([])
    ids = tok.convert_tokens_to_ids(["ä", "¸", "Ń"])  # e4 | b8 | ad
    assert readable_tokens(tok, ids) == ["中…", "…中…", "…中"]
    assert readable_tokens(tok, tok.convert_tokens_to_ids(["Ń"])) == ["…‹ad›"]  # the tail of some character
    assert readable_tokens(tok, tok.convert_tokens_to_ids(["Ń", "a"])) == ["…‹ad›", "a"]
    # A character cut off at the end of the text (a lone candidate token, say): its bytes, continued.
    assert readable_tokens(tok, tok.convert_tokens_to_ids(["ä", "¸"])) == ["‹e4 b8›…", "…‹e4 b8›…"]
    assert readable_tokens(tok, tok.convert_tokens_to_ids(["ä"])) == ["‹e4›…"]


def test_sentencepiece_marker_and_byte_fallback():
    vocab = {"<unk>": 0, "▁the": 1, "<0xE4>": 2, "<0xB8>": 3, "<0xAD>": 4, "</s>": 5}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>", eos_token="</s>")
    assert readable_tokens(tok, [1, 2, 3, 4, 5]) == [" the", "中…", "…中…", "…中", "</s>"]


def test_open_tail_and_reading_a_generation_from_its_bytes():
    from attnlab.engine.api.byte_text import open_tail, readable_from_bytes

    raw = [b"a", b"\xe4", b"\xb8", b"\xad"]  # a, then 中 over three tokens
    assert open_tail(raw[:1]) == 0 and open_tail(raw[:2]) == 1 and open_tail(raw[:3]) == 2 and open_tail(raw) == 0
    assert open_tail([b"\xe4\xb8", None]) == 0 and open_tail([]) == 0
    assert readable_from_bytes(["", "", "", ""], raw) == ["a", "中…", "…中…", "…中"]
    assert readable_from_bytes(["</s>", ""], [None, b"\xe4\xb8"]) == ["</s>", "‹e4 b8›…"]
