"""Engine messages in the interface language.

The engine stays Qt-free and speaks English (the CLI prints its messages as they are). The window
translates what it shows through this catalogue: each entry is an engine message written as a
template, `{name}` where the engine puts a value; a message that matches a template is shown
as that template's translation (context "EngineMessage" in the .ts) with the values put back.
Values that are themselves words the engine chose ("text", "source", "knock-out") are
translated too. A message that matches no template is shown as the engine wrote it.
"""

from __future__ import annotations

import re
from functools import cache

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "EngineMessage"

TEMPLATES = (
    # engine/session.py
    QT_TRANSLATE_NOOP("EngineMessage", "the {what} is {count} characters; attnlab takes at most {limit}"),
    QT_TRANSLATE_NOOP("EngineMessage", "the {what} is empty: type some text first"),
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the {what} is {count} tokens but {model} accepts at most {limit}: it is refused, not truncated; shorten it",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessage", "{what} position(s) {bad} out of range: the input has {length} tokens ({range})"
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "cannot ablate {stack} layer {layer} head {head}: this model's {stack2} "
        "stack has {layers} layers × {heads} heads",
    ),
    QT_TRANSLATE_NOOP("EngineMessage", "nothing to explain: analyse a text first"),
    QT_TRANSLATE_NOOP("EngineMessage", "{model} is an encoder: it has no decoder tokens to knock out"),
    QT_TRANSLATE_NOOP(
        "EngineMessage", "{model} has no masked-LM head, so it cannot fill [MASK]: use knock-out masking instead"
    ),
    QT_TRANSLATE_NOOP("EngineMessage", "{model} has no language-model head, so it cannot generate"),
    QT_TRANSLATE_NOOP("EngineMessage", "nothing to continue: give a prompt first"),
    QT_TRANSLATE_NOOP("EngineMessage", "generation has ended ({reason}): undo or change the text to go on"),
    QT_TRANSLATE_NOOP("EngineMessage", "token id {id} is not in the vocabulary ({range})"),
    QT_TRANSLATE_NOOP("EngineMessage", "nothing to undo: no token has been generated since the prompt"),
    QT_TRANSLATE_NOOP("EngineMessage", "nothing to explain: give a prompt first"),
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} is not a masked language model, so it cannot fill [MASK]: knock the token out of attention instead",
    ),
    QT_TRANSLATE_NOOP("EngineMessage", "the source is empty: type the text to transform first"),
    QT_TRANSLATE_NOOP("EngineMessage", "the prompt is empty: type some text first"),
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} is a decoder with no encoder: its knock-outs are plain knock-outs of the decoder's tokens",
    ),
    QT_TRANSLATE_NOOP("EngineMessage", "a replayed token id is not in the vocabulary ({range})"),
    # engine/tokens.py, engine/memory_budget.py
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the {what} has an invalid character at position {position} ({code}, "
        "not valid Unicode: bytes that are not UTF-8?): retype it, or save the text as UTF-8",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{what} needs {needed} GiB but only {free} GiB is free: use a shorter text, "
        "fewer tokens to generate, or a smaller model",
    ),
    # engine/resolving.py
    QT_TRANSLATE_NOOP("EngineMessage", "No model given: pick one from the catalog or open a model folder."),
    QT_TRANSLATE_NOOP("EngineMessage", "{path} does not exist: pick an existing model folder or .gguf file."),
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "Unknown model {spec}: use a model folder, a .gguf file, a hub id "
        "(org/name), or one of the available models: {names}.",
    ),
    QT_TRANSLATE_NOOP("EngineMessage", "{path} is a file: pick a model folder (with a config.json) or a .gguf file."),
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} is not a model folder: it has no config.json. Pick the folder that "
        "holds config.json and the weights (or a .gguf file).",
    ),
    # engine/config.py
    QT_TRANSLATE_NOOP("EngineMessage", "temperature must be > 0 when sampling, got {value}: use greedy for argmax"),
    QT_TRANSLATE_NOOP("EngineMessage", "top-p must be in (0, 1], got {value}"),
    QT_TRANSLATE_NOOP("EngineMessage", "top-k must be ≥ 0 (0 keeps every token), got {value}"),
    QT_TRANSLATE_NOOP("EngineMessage", "the number of tokens to generate must be ≥ 1, got {value}"),
    QT_TRANSLATE_NOOP("EngineMessage", "the number of candidates must be ≥ 1, got {value}"),
    # the engine worker's own (app/engine_worker.py)
    QT_TRANSLATE_NOOP("EngineMessage", "no model is loaded yet: pick one in the model list"),
    QT_TRANSLATE_NOOP("EngineMessage", "{model} cannot generate text: it is a {kind} model"),
    QT_TRANSLATE_NOOP("EngineMessage", "unexpected error ({type}): {error} — the details are in {path}"),
    # the engine process (engine/server/link.py, engine/server/runtime.py)
    QT_TRANSLATE_NOOP("EngineMessage", "killed by {signal}"),
    QT_TRANSLATE_NOOP("EngineMessage", "exited with status {code}"),
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the engine runs attnlab {engine} but this window is attnlab {window}: "
        "install the same version of attnlab on both ends",
    ),
    QT_TRANSLATE_NOOP("EngineMessage", "could not run {command}: {error}"),
    QT_TRANSLATE_NOOP("EngineMessage", "no engine answered at {path} within {seconds} s"),
    QT_TRANSLATE_NOOP("EngineMessage", "the engine could not start ({reason})"),
    # figures (app/figures.py: the CLI's `attnlab figure` prints them as they are)
    QT_TRANSLATE_NOOP(
        "EngineMessage", "{file}: a figure is saved as {endings} — name the file with one of these endings"
    ),
    QT_TRANSLATE_NOOP("EngineMessage", "the folder {folder} does not exist"),
    QT_TRANSLATE_NOOP("EngineMessage", "the PNG could not be encoded"),
    QT_TRANSLATE_NOOP("EngineMessage", "Running the induction probe…"),
    # what an architecture cannot do (engine/legacy_capture.py)
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the formula inspector needs attention computed through transformers' "
        "AttentionInterface, and this architecture computes it in its own code",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessage", "knock-outs need an additive attention mask, and this architecture's attention takes none"
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "head ablation needs the output projection that merges the heads, and this "
        "architecture's attention does not expose one",
    ),
    # long-document mode (engine/long_rows.py)
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "attention rollout is not shown in long-document mode: it multiplies full "
        "{n} × {n2} matrices through every layer. Use `attnlab export --store long --analyses rollout` "
        "(computed exactly while it fits in memory), or a shorter text",
    ),
    QT_TRANSLATE_NOOP("EngineMessage", "{what}: layer {layer} of {layers}"),
    QT_TRANSLATE_NOOP("EngineMessage", "reading the text: {done} of {total} tokens"),  # engine/session.py's prefill
    # the memory estimate before loading (engine/loading.py, engine/load_estimate.py)
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} needs about {weights} for its weights + {attention} for attention at "
        "{tokens} tokens, but there is only {ram} of free RAM: {advice}",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} needs about {weights} for its weights + {attention} for attention at "
        "{tokens} tokens, but there is only {gpu} free on the GPU and {ram} of RAM: {advice}",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} needs about {weights} for its weights + {attention} for attention at "
        "{tokens} tokens, but there is only {gpu} free on the GPU(s) + {ram} of RAM: {advice}",
    ),
    # progress while loading (engine/loading.py, engine/gguf_convert.py)
    QT_TRANSLATE_NOOP("EngineMessage", "finding {spec}"),
    QT_TRANSLATE_NOOP("EngineMessage", "loading weights of {model} ({kind})"),
    QT_TRANSLATE_NOOP("EngineMessage", "loaded {model} in {seconds} s"),
    QT_TRANSLATE_NOOP("EngineMessage", "using the converted copy of {file}"),
    QT_TRANSLATE_NOOP("EngineMessage", "converted {file}"),
    QT_TRANSLATE_NOOP("EngineMessage", "reading the tokenizer from {file} (about 15 s)"),
    QT_TRANSLATE_NOOP("EngineMessage", "dequantising the weights of {file} (about 30 s)"),
    QT_TRANSLATE_NOOP("EngineMessage", "writing model.safetensors (float32)"),
    QT_TRANSLATE_NOOP("EngineMessage", "checking the converted model against the GGUF"),
)

# Words the engine puts into its messages ({what}, {reason}): translated where they stand.
WORDS = (
    QT_TRANSLATE_NOOP("EngineMessage", "text"),
    QT_TRANSLATE_NOOP("EngineMessage", "source"),
    QT_TRANSLATE_NOOP("EngineMessage", "prompt"),
    QT_TRANSLATE_NOOP("EngineMessage", "decoder prefix"),
    QT_TRANSLATE_NOOP("EngineMessage", "mask"),
    QT_TRANSLATE_NOOP("EngineMessage", "knock-out"),
    QT_TRANSLATE_NOOP("EngineMessage", "decoder knock-out"),
    QT_TRANSLATE_NOOP("EngineMessage", "eos"),
    QT_TRANSLATE_NOOP("EngineMessage", "max_length"),
    QT_TRANSLATE_NOOP("EngineMessage", "encoder"),
    QT_TRANSLATE_NOOP("EngineMessage", "decoder"),
    QT_TRANSLATE_NOOP("EngineMessage", "encoder-decoder"),
    QT_TRANSLATE_NOOP("EngineMessage", "cross"),
    QT_TRANSLATE_NOOP("EngineMessage", "scoring heads from recomputed rows"),
    QT_TRANSLATE_NOOP("EngineMessage", "attention rollout from recomputed rows"),
    QT_TRANSLATE_NOOP(
        "EngineMessage",
        "pick a smaller model, a smaller dtype (float16 or bfloat16), or a shorter "
        "text, or device map auto to spread the layers over the GPUs and RAM",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessage", "pick a smaller model, a smaller dtype (float16 or bfloat16), or a shorter text"
    ),
)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    compiled = []
    for template in map(str, TEMPLATES):
        parts = _PLACEHOLDER.split(template)  # literal, name, literal, name, …
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
        compiled.append((re.compile(f"^{regex}$", re.DOTALL), template))
    return tuple(compiled)


def translate_engine_message(message: str) -> str:
    """`message` in the interface language when the catalogue knows it, else unchanged."""
    for pattern, template in _patterns():
        match = pattern.match(message)
        if match is not None:
            return _fill(QCoreApplication.translate(CONTEXT, template), match.groupdict())
    return message


def _fill(translated: str, values: dict[str, str]) -> str:
    words = {name: _word(value) for name, value in values.items()}
    return _PLACEHOLDER.sub(lambda m: words.get(m.group(1), m.group(0)), translated)


def _word(value: str) -> str:
    return QCoreApplication.translate(CONTEXT, value) if value in WORDS else value
