"""What the engine says to the user, as data: a code and its parameters.

An `EngineMessage` is a frozen record (code, params) that crosses the seam as plain data; its
English text is the template in `MESSAGES` with the parameters put in (`str(message)`, what the
CLI prints). The window translates by code instead (app/engine_messages.py holds the same
templates for Qt's translator), so no text is parsed back. A parameter is a plain value or
another message (a reason inside a sentence). `LEGACY` wraps an old-form text that has no code
yet: it is shown as written. No torch, no Qt.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Union

Param = Union[str, int, float, "EngineMessage"]

LEGACY = "legacy"  # an English text without a code: {text} is shown as it is

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class EngineMessage:
    code: str  # a key of MESSAGES
    params: tuple[tuple[str, Param], ...] = ()  # (name, value) in the order given

    def values(self) -> dict[str, Param]:
        return dict(self.params)

    def __str__(self) -> str:
        return render(MESSAGES.get(self.code, "{text}"), self.values())


def message(code: str, /, **params: Param) -> EngineMessage:
    """The message `code` with `params`; a code that is not registered is an old-form English text.
    Raises TypeError when the parameters are not exactly the template's (a bug, caught by the tests)."""
    if code not in MESSAGES:
        if params:
            raise TypeError(f"engine message code {code!r} is not registered in engine/api/messages.py")
        return EngineMessage(LEGACY, (("text", code),))
    needed = placeholders(MESSAGES[code])
    if needed != set(params):
        raise TypeError(f"engine message {code!r} takes {sorted(needed)}, got {sorted(params)}")
    return EngineMessage(code, tuple(params.items()))


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))


def render(template: str, values: dict[str, Param], show: Callable[[Param], str] = str) -> str:
    """`template` with each `{name}` replaced by `show(value)` (a missing one stays as it is)."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return show(values[name]) if name in values else match.group(0)

    return _PLACEHOLDER.sub(fill, template)


def as_message(value: object) -> EngineMessage:
    """An error or a text as a message: a coded error's own, else the English text as LEGACY."""
    coded = getattr(value, "message", None)
    if isinstance(coded, EngineMessage):
        return coded
    if isinstance(value, EngineMessage):
        return value
    return EngineMessage(LEGACY, (("text", str(value) or type(value).__name__),))


# code -> English template. Keep codes stable: the window's translations are keyed by them.
MESSAGES: dict[str, str] = {
    LEGACY: "{text}",
    # progress of the cause-and-effect analyses (engine/interpret/attribution.py, patching.py)
    "integrated_gradients_steps": "integrated gradients: {steps} steps",
    "patching_runs": "patching {site}: {done} of {total} runs",
    # input (engine/session, engine/api/tokens.py)
    "text_too_long": "the {what} is {count} characters; attnlab takes at most {limit}",
    "text_empty": "the {what} is empty: type some text first",
    "too_many_tokens": (
        "the {what} is {count} tokens but {model} accepts at most {limit}: it is refused, not truncated; shorten it"
    ),
    "positions_out_of_range": "{what} position(s) {bad} out of range: the input has {length} tokens ({range})",
    "ablated_head_out_of_range": (
        "cannot ablate {stack} layer {layer} head {head}: "
        "this model's {stack} stack has {layers} layers × {heads} heads"
    ),
    "cannot_knock_out": "{model} cannot knock tokens out: {reason}",
    "cannot_ablate": "{model} cannot ablate heads: {reason}",
    "cannot_explain_cell": "{model} cannot explain a cell: {reason}",
    "nothing_to_explain_text": "nothing to explain: analyse a text first",
    "nothing_to_explain_prompt": "nothing to explain: give a prompt first",
    "no_mlm_head_to_explain": "{model} has no masked-LM head: it predicts nothing to explain",
    "encoder_has_no_decoder_tokens": "{model} is an encoder: it has no decoder tokens to knock out",
    "no_mlm_head_to_fill": "{model} has no masked-LM head, so it cannot fill [MASK]: use knock-out masking instead",
    "no_lm_head": "{model} has no language-model head, so it cannot generate",
    "nothing_to_continue": "nothing to continue: give a prompt first",
    "generation_ended": "generation has ended ({reason}): undo or change the text to go on",
    "token_not_in_vocabulary": "token id {id} is not in the vocabulary ({range})",
    "nothing_to_undo": "nothing to undo: no token has been generated since the prompt",
    "region_not_contiguous": "a region must be contiguous positions within {range}, got {queries} × {keys}",
    "not_a_masked_lm": (
        "{model} is not a masked language model, so it cannot fill [MASK]: knock the token out of attention instead"
    ),
    "source_empty": "the source is empty: type the text to transform first",
    "prompt_empty": "the prompt is empty: type some text first",
    "decoder_has_no_encoder": (
        "{model} is a decoder with no encoder: its knock-outs are plain knock-outs of the decoder's tokens"
    ),
    "replayed_token_not_in_vocabulary": "a replayed token id is not in the vocabulary ({range})",
    "invalid_character": (
        "the {what} has an invalid character at position {position} ({code}, "
        "not valid Unicode: bytes that are not UTF-8?): retype it, or save the text as UTF-8"
    ),
    # memory (engine/api/memory_budget.py and its callers)
    "memory_exceeded": (
        "{what} needs {needed} GiB but only {free} GiB is free: use a shorter text, "
        "fewer tokens to generate, or a smaller model"
    ),
    "memory_attention_tokens": "attention for {tokens} tokens",
    "memory_long_attention": "long-document attention for {tokens} tokens",
    "memory_rollout": "attention rollout of {tokens} tokens through {layers} layers",
    "memory_lens": "{what} over {tokens} tokens (the whole input in one forward)",
    "memory_and_no_long_mode": "{exact}; {why}",
    "export_too_large": (
        "the export would take {needed} but there is only {free} of {where}: "
        "choose fewer layers and heads with --layers and --heads, or a shorter text"
    ),
    "free_memory": "free memory",
    "free_disk": "free disk space in {folder}",
    # sampling settings (engine/api/config.py)
    "temperature_not_positive": "temperature must be > 0 when sampling, got {value}: use greedy for argmax",
    "top_p_out_of_range": "top-p must be in (0, 1], got {value}",
    "top_k_negative": "top-k must be ≥ 0 (0 keeps every token), got {value}",
    "max_new_tokens_too_small": "the number of tokens to generate must be ≥ 1, got {value}",
    "candidates_too_few": "the number of candidates must be ≥ 1, got {value}",
    # finding a model (engine/models/resolving.py, recent_models.py)
    "no_model_given": "No model given: pick one from the catalog or open a model folder.",
    "model_path_missing": "{path} does not exist: pick an existing model folder or .gguf file.",
    "unknown_model": (
        "Unknown model {spec}: use a model folder, a .gguf file, a hub id "
        "(org/name), or one of the available models: {names}."
    ),
    "model_path_is_file": "{path} is a file: pick a model folder (with a config.json) or a .gguf file.",
    "not_a_model_folder": (
        "{path} is not a model folder: it has no config.json. Pick the folder that "
        "holds config.json and the weights (or a .gguf file)."
    ),
    "recent_path_missing": "{path} does not exist: only existing models go in the recent list.",
    # loading a model (engine/models/loading.py)
    "unknown_device": "unknown device {device}: use auto, cpu, cuda, cuda:N or mps",
    "no_cuda": "device 'cuda' asked for but no CUDA GPU is available: use auto or cpu",
    "cuda_device_missing": "device {device} does not exist: {count} CUDA GPU(s) found",
    "no_mps": "device 'mps' asked for but Metal is not available: use auto or cpu",
    "unsupported_device": "unsupported device {device}: use auto, cpu, cuda, cuda:N or mps",
    "threads_too_few": "threads must be ≥ 1, got {value}",
    "unknown_dtype": "unknown dtype {dtype}: use auto, {names}",
    "folder_without_config": "{path} is not a model folder: it has no config.json",
    "config_corrupt": "{path} is corrupt ({error}): re-download or re-save the model",
    "config_without_model_type": "{path} is not a transformers config: it has no model_type",
    "unknown_model_type": (
        "{path} has model_type {model_type}, which transformers {version} does not know: "
        "open a model of a supported architecture"
    ),
    "config_value_too_small": (
        "the config.json of {model} says {name} = {value}, but it must be at least 1: fix the file or re-save the model"
    ),
    "pickled_weights_refused": (
        "{path} has only pickled weights ({files}), which can run arbitrary code when read: convert them "
        "to safetensors, or allow pickled weights for this model if you trust it"
    ),
    "no_weights": "{path} has a config but no weights (*.safetensors)",
    "no_capturable_attention": (
        "attnlab found no attention it can capture in {architecture}: its attention modules neither "
        "go through transformers' AttentionInterface nor return their probabilities (output_attentions)"
    ),
    "unknown_device_map": "unknown device map {value}: use auto, or none for one device",
    "config_unreadable": "cannot read the config of {model}: {error}",
    "model_too_big": "{model} does not fit in memory: pick a smaller model or a GPU",
    "model_unloadable": "cannot load {model}: {error}",
    "model_does_not_run": "{model} loads but does not run ({error}): check its config.json",
    "model_does_not_fit": "{model} {why}: {advice}",
    "memory_short_ram": (
        "needs about {weights} for its weights + {attention} for attention at {tokens} tokens, "
        "but there is only {ram} of free RAM"
    ),
    "memory_short_gpu": (
        "needs about {weights} for its weights + {attention} for attention at {tokens} tokens, "
        "but there is only {gpu} free on the GPU and {ram} of RAM"
    ),
    "memory_short_spread": (
        "needs about {weights} for its weights + {attention} for attention at {tokens} tokens, "
        "but there is only {gpu} free on the GPU(s) + {ram} of RAM"
    ),
    "advice_smaller": "pick a smaller model, a smaller dtype (float16 or bfloat16), or a shorter text",
    "advice_smaller_or_spread": (
        "pick a smaller model, a smaller dtype (float16 or bfloat16), or a shorter "
        "text, or device map auto to spread the layers over the GPUs and RAM"
    ),
    "capture_mismatch": (
        "{architecture}: attnlab's capture of this architecture's decoder attention does not yet match "
        "the model's own eager forward, so it is not opened (rather than showing numbers that may be wrong)"
    ),
    "attention_not_capturable": (
        "{architecture} neither routes attention through transformers' AttentionInterface nor "
        "returns its attention probabilities, so attnlab cannot capture it"
    ),
    "pooling_architecture": (
        "{architecture} pools its sequence between layers (fewer queries than keys), which attnlab's "
        "attention store cannot hold: open a model without pooling"
    ),
    # what an architecture cannot do (engine/capture/legacy.py): ModelInfo.unsupported
    "inspector_needs_interface": (
        "the formula inspector needs attention computed through transformers' "
        "AttentionInterface, and this architecture computes it in its own code"
    ),
    "knockout_needs_mask": (
        "knock-outs go through a 4D attention mask (query × key), and this architecture's attention takes none"
    ),
    "ablation_needs_projection": (
        "head ablation needs the output projection that merges the heads, and this "
        "architecture's attention does not expose one"
    ),
    # progress while loading (engine/models/loading.py, gguf_convert.py)
    "finding_model": "finding {spec}",
    "loading_weights": "loading weights of {model} ({kind})",
    "model_loaded": "loaded {model} in {seconds} s",
    "using_converted_copy": "using the converted copy of {file}",
    "gguf_converted": "converted {file}",
    "reading_gguf_tokenizer": "reading the tokenizer from {file} (about 15 s)",
    "dequantising_gguf": "dequantising the weights of {file} (about 30 s)",
    "writing_safetensors": "writing model.safetensors (float32)",
    "checking_gguf_conversion": "checking the converted model against the GGUF",
    # GGUF files (engine/models/gguf_convert.py)
    "gguf_missing": "{path} does not exist: pick an existing .gguf file.",
    "not_a_gguf": "{path} is not a .gguf file: pick a .gguf file or a model folder.",
    "gguf_package_missing": (
        "Reading .gguf files needs the {package} package, which is not installed: pip install {package}"
    ),
    "gguf_unreadable": (
        "Could not read {path} as a GGUF model ({error}). The file may be damaged, or its architecture is "
        "one transformers cannot read from GGUF: use a safetensors model folder instead."
    ),
    "gguf_unwritable": (
        "Could not write the converted model to {folder} ({error}). Free some disk space "
        "(about {mib} MiB) or set ATTNLAB_CACHE to another folder."
    ),
    "gguf_conversion_differs": (
        "The converted model disagrees with the GGUF (largest logit difference {difference}); "
        "this transformers version converts this file badly: load a safetensors folder instead."
    ),
    # analyses (engine/analyses, engine/interpret, engine/long)
    "not_self_attention": "{what} is defined for self-attention (encoder or decoder), not for {stack} attention",
    "no_stack_to_analyse": "no {stack} attention to analyse: this model has {stacks}",
    "no_stack_to_score": "no {stack} attention to score yet: analyse a text first",
    "positions_ids_mismatch": "{stack} attention has {rows} positions but {ids} token ids were given",
    "mask_a_token_first": "head importance explains the filler of a [MASK] slot: mask a token first",
    "cancelled": "{what} cancelled",
    "no_such_stack": "{model} has no {stack} attention: its stacks are {stacks}",
    "layer_out_of_range": "layer {layer} out of range: the {stack} stack has {layers} layers ({range})",
    "head_out_of_range": "head {head} out of range: the {stack} stack has {heads} heads ({range})",
    "query_out_of_range": "query {query} out of range: the sequence has {queries} tokens ({range})",
    "key_out_of_range": "key {key} out of range: the {where} has {keys} tokens ({range})",
    "lens_no_layer": "cannot find the layer that holds {module}",
    "lens_no_mlm_head": "{architecture} has no masked-LM head the logit lens knows",
    "lens_no_output_head": "{architecture} has no output head: nothing to read the layers through",
    "lens_head_unknown": (
        "the logit lens cannot read {model}: its last layer through the final norm and head does "
        "not give the model's output (an output head the lens does not know)"
    ),
    "lens_k_too_small": "the logit lens needs k ≥ 1 tokens per cell, got {k}",
    "probe_needs_decoder": "the induction probe runs decoder-only models; {model} is a {kind} model",
    "long_needs_decoder": "long-document mode is for decoder-only models; {model} is an {kind}",
    "long_model_type_unsupported": "long-document mode does not support {model_type} models yet ({supported} only)",
    "long_sliding_window": (
        "long-document mode does not support {model}'s sliding-window layers: their cache drops old keys"
    ),
    "long_needs_full_attention": "long-document mode needs every earlier key and no position bias in every layer",
    "not_long_mode": "the session is not in long-document mode: its store holds the attention",
    "rollout_not_in_long_mode": (
        "attention rollout is not shown in long-document mode: it multiplies full {n} × {n} matrices through "
        "every layer. Use `attnlab export --store long --analyses rollout` (computed exactly while it fits "
        "in memory), or a shorter text"
    ),
    "layer_progress": "{what}: layer {layer} of {layers}",
    "reading_text": "reading the text: {done} of {total} tokens",
    "rereading_text": "re-reading the text from token {start}: {done} of {total} tokens",
    "ablating_heads": "ablating heads: {done} of {total}",
    # session files (engine/api/saved_session.py)
    "session_folder_missing": "cannot save the session: the folder {folder} does not exist",
    "session_file_too_big": "{name} is over {size}: not an attnlab session (they are a few kB)",
    "session_file_missing": "{path} does not exist",
    "session_path_is_folder": "{path} is a folder, not a session file",
    "session_file_unreadable": "cannot read {path}: {error}",
    "session_not_json": "{name} is not an attnlab session: it is not JSON text ({error})",
    "session_wrong_format": '{name} is not an attnlab session (it has no "format": "{format}")',
    "session_no_schema_version": "{name} has no valid schema_version: the file is damaged",
    "session_too_new": (
        "{name} was written by a newer attnlab ({writer}, session format {version}); "
        "this one ({reader}) reads format {supported} and older: update attnlab"
    ),
    "session_damaged": "{name} is damaged: {what} (edit it back or save the session again)",
    # the command line (engine/cli)
    "bad_arguments": "{detail}",
    "compare_file_missing": "{path} does not exist: give two files written by `attnlab export`",
    "compare_not_npz": "{path} is not an .npz file written by `attnlab export` ({error})",
    "out_not_npz": "--out must name an .npz file, got {path}",
    "folder_missing": "the folder {folder} does not exist",
    "nothing_to_compare": "the two files share no attention array of the same shape{reason}",
    "bad_stack_flag": "--stack takes encoder, decoder or cross, got {value}",
    "flag_names_nothing": "{flag} names no {what}: give comma-separated numbers like 0,3, or leave it out",
    "flag_not_numbers": "{flag} takes comma-separated numbers like 0,3 (got {value})",
    "selection_out_of_range": "{flag}: {noun} {bad} out of range: {model}'s {stack} stack has {count} {what} ({range})",
    "session_has_session": "--session replays a session file: it has one already, drop --save-session",
    "session_replays_own_input": "--session replays the session's own model and input: drop {flags}",
    "model_flag_required": "the following arguments are required: --model (or --session)",
    "top_k_candidates_too_few": "--top-k-candidates must be ≥ 1",
    "save_session_suffix": "--save-session must name a {suffix} file, got {path}",
    "unknown_analysis": "--analyses: unknown analysis {names}; use one or more of {known}, comma-separated",
    "greedy_with_sampling": "--greedy cannot be combined with --temperature, --top-k, --top-p or --seed",
    "generate_negative": "--generate takes a number of tokens ≥ 0",
    "decoder_knockout_flag": "--decoder-knockout-positions is for encoder-decoders; a decoder's are plain knock-outs",
    "decoder_has_no_source": "{model} is a decoder: put the prompt in --text, there is no --source",
    "store_for_decoders": "--store is for decoders; {model} is an {kind}",
    "flag_not_positions": "{flag} takes comma-separated token positions like 1,4 (got {value})",
    "encoder_cannot_generate": "{model} is an encoder: it cannot generate; drop --generate",
    "encoder_has_no_source": "{model} is an encoder: use --text, not --source",
    "bad_ablate_heads": "--ablate-heads takes LAYER:HEAD or STACK:LAYER:HEAD items, got {value}",
    # the engine worker (app/engine_worker.py: the engine's side of the window's seam)
    "no_model_loaded": "no model is loaded yet: pick one in the model list",
    "cannot_generate_kind": "{model} cannot generate text: it is a {kind} model",
    "unexpected_error": "unexpected error ({type}): {error} — the details are in {path}",
    "running_induction_probe": "Running the induction probe…",
    # the engine process (engine/server/link.py, engine/server/runtime.py): how it went, why none answers
    "engine_killed": "killed by {signal}",
    "engine_exited": "exited with status {code}",
    "engine_lost": "lost",
    "engine_version_mismatch": (
        "the engine runs attnlab {engine} but this window is attnlab {window}: "
        "install the same version of attnlab on both ends"
    ),
    "engine_command_failed": "could not run {command}: {error}",
    "engine_no_answer": "no engine answered at {path} within {seconds} s",
    "engine_bad_address": "{target} is not an engine address: use ssh://[user@]host[:port]",
    "engine_closed_early": "closed before the engine answered",
    "engine_refused_key": "the engine at {path} refused this window's key: {error}",
    "engine_did_not_answer": "the engine did not answer: {reason}",
    "engine_bad_hello": "the engine answered something else than hello",
    "patching_without_corruption": "activation patching needs a corrupted run: choose what to corrupt first",
    "engine_could_not_start": "the engine could not start ({reason})",
    # figures (app/figures.py; the CLI's `attnlab figure` prints them in English)
    "figure_ending": "{file}: a figure is saved as {endings} — name the file with one of these endings",
    "png_not_encoded": "the PNG could not be encoded",
    "figure_size_format": "--size takes WIDTHxHEIGHT in pixels like 900x800, got {value}",
    "figure_size_range": "--size: each side must be between 200 and 8000 pixels",
    "figure_dpi_range": "--dpi must be between 10 and 2400",
    "figure_no_stack": "--stack {stack}: {model} has {stacks} attention",
    "figure_layer_range": "--layer {layer}: {model}'s {stack} attention has layers 0–{last}",
    "figure_head_range": "--head {head}: {model}'s {stack} attention has heads 0–{last}",
    "figure_nothing_to_draw": "there is no attention to draw: give some --text (or --source)",
    # session files, more (engine/api/saved_session.py, app/session_file.py)
    "session_not_utf8": "{name} is not an attnlab session: it is not UTF-8 text ({error})",
    "session_not_regular": "{path} is {kind}, not a session file: attnlab reads sessions from regular files",
    "session_integer_too_big": "it holds the integer {value}, beyond what a 64-bit integer holds",
    "session_not_a_json_number": "{name} is damaged: it holds {word}, which is not a number JSON allows",
    "session_json_too_deep": "{name} is not an attnlab session: its JSON nests too deeply",
    "session_json_deeper_than": "{name} is not an attnlab session: its JSON nests more than {depth} deep",
    "session_lone_surrogate": (
        "{name} is damaged: it holds text that is not valid Unicode ({text}, half of a surrogate pair): "
        "edit it back or save the session again"
    ),
    "session_nested_too_deeply": "{name} is not an attnlab session: it is nested too deeply",
    "session_damaged_too_deep": "{name} is damaged: it is nested too deeply",
    "session_wrong_kind": "a field holds a value of the wrong kind ({type})",
    "session_not_a_regular_file": (
        "{name} is not a regular file (a pipe, a device or a socket): not an attnlab session"
    ),
    "session_would_block": "{name} cannot be read now (it would block): not an attnlab session",
    # consent (engine/api/consent.py, engine/models/loading.py)
    "consent_needed": "{reason}",
    "remote_code_refused": (
        "{model} ({folder}) ships its own code ({files}) for model_type {model_type}, which transformers "
        "does not have: loading it runs that code. Allow remote code for this model only "
        "if you trust where it came from"
    ),
    "hub_remote_code": "{model} ships its own code, which loading it would run: {error}",
    "weights_unmatched": (
        "the weights of {model} do not match its architecture: {mismatch}. Loading it would fill them with "
        "random numbers: fix the weight files or config.json, or load it anyway, knowing that its numbers are "
        "then partly random"
    ),
    "consent_on_command_line": "{refused} ({how})",
    "gguf_truncated": (
        "{path} is cut short or damaged: it ends before the data its header declares ({size} bytes). "
        "Download or copy the .gguf file again"
    ),
    # training (engine/train, engine/api/train_run.py)
    "train_run_missing": "{folder} is not a training run: it has no {file}",
    "train_file_not_regular": "{path} is not a regular file",
    "train_file_too_big": "{path} is larger than {size} MB: not a file attnlab wrote",
    "train_record_unreadable": "a training record cannot be read ({error})",
    "train_run_unreadable": "{path} is not a training run's description ({error})",
    "train_not_text_file": "training: {path} is not a text file",
    "train_text_too_big": "training: {name} is larger than {size} MB; use a shorter text",
    "train_too_few_lines": "training: {name} has {count} lines of text; give at least 20 (one document a line)",
    "train_text_too_short": "training: the text is too short for a context of {context} tokens",
    "train_nsp_needs_sentences": "training: next-sentence prediction needs documents of two or more sentences",
    "train_unknown_kind": "training: the kind must be one of {kinds}, got {kind}",
    "train_width_heads": "training: the width ({width}) must divide into {heads} heads",
    "train_lr_range": "training: the learning rate must be between 0 and 1, got {lr}",
    "train_synthetic_is_induction": "training: the synthetic data is the induction task's; a GPT or BERT reads text",
    "train_induction_context": (
        "training: the induction task repeats {count} distinct tokens of {vocab}: use a context of at most {limit}"
    ),
    "train_whole_number": "training: {name} must be a whole number from {low} to {high}, got {value}",
    "train_out_not_empty": "training: {folder} is not empty; choose a new folder for the run",
    # contributions, flow graph, direct logit attribution (engine/interpret)
    "contributions_long_decoder": (
        "contributions of a long document's decoder are not available yet: shorten the text below the "
        "long-mode threshold (or use --store exact) to see them"
    ),
    "contributions_no_values": (
        "contributions are unavailable for {model}: its attention is its own code and computes the values "
        "inside it (no separate value projection), so v cannot be read"
    ),
    "flow_threshold_range": "the flow threshold is a share of the residual between 0 and 1, got {threshold}",
    "flow_no_cross_attention": (
        "the flow graph follows one stack's residual stream; an encoder-decoder's decoder also reads the "
        "source through cross-attention, which it does not draw yet: use a decoder-only or encoder model"
    ),
    "flow_mask_a_token_first": "the flow graph explains the filler of a [MASK] slot: mask a token first",
    "flow_too_many_tokens": "the flow graph takes at most {limit} tokens (the input has {count}): shorten the text",
    "flow_no_values": (
        "the flow graph is unavailable for {model}: its attention is its own code, which does not hand over the values"
    ),
    "flow_layers_unfollowed": "the flow graph could not follow {model}'s layers",
    "flow_post_norm": (
        "the flow graph splits a pre-norm residual stream (x + attention + MLP); this model normalises the "
        "stream after each sublayer (post-norm), so its states are not such sums"
    ),
    "dla_no_mlm_head": "{architecture} has no masked-LM head the attribution knows",
    "dla_no_output_head": "{architecture} has no output head: there is no logit to attribute",
    "dla_rescaled_logits": "{architecture} rescales its logits outside its modules: not attributable yet",
    "dla_frozen_differs": "the attribution's frozen {module} does not reproduce the model's",
    "dla_mask_a_token_first": "direct logit attribution explains the filler of a [MASK] slot: mask a token first",
    "dla_head_not_linear": "the output head ({module}) is not a linear layer: nothing to project on",
    "dla_between_layer_and_head": (
        "direct logit attribution: {model} does something between its last layer and its head"
    ),
    "dla_cannot_linearise": "the attribution cannot linearise {module} on the way to the logits",
    "dla_projection_not_linear": "direct logit attribution: {module}'s output projection is not linear in its heads",
    "projection_width_not_heads": "the output projection takes {width} inputs, not a multiple of {heads} heads",
    "residual_needs_projection": (
        "{what} is unavailable for {model}: it needs the output projection that merges the heads "
        "(W_O), and the attention of layer(s) {layers} exposes none the engine knows"
    ),
    "projection_not_reading_heads": "{what}: the output projection found does not read the heads' outputs",
    "projection_did_not_run": "the attention's output projection did not run during the forward",
    "alternative_needs_dla": ("--alternative is the token direct logit attribution compares with: add --analyses dla"),
    "alternative_not_one_token": (
        "--alternative {text} is {count} tokens for this tokenizer; give a single token "
        "(with its leading space where the tokenizer has one, e.g. ' Rome')"
    ),
    # the window's own (app/generation_guard.py, app/raw_errors.py)
    "not_analysed": "nothing to continue: the text was not analysed (the message above says why)",
    "memory_allocation": (
        "not enough memory: this needs {size} at once (an array of shape {shape}): use a shorter text, "
        "fewer tokens to generate, or a smaller model"
    ),
    "memory_unsized": "not enough memory for this: use a shorter text, fewer tokens to generate, or a smaller model",
    "number_overflow": "a number is too large for the engine: keep the seed, top-k and max new tokens below 2^63",
    # attribution and activation patching (engine/interpret, engine/cli/cause_analyses.py)
    "was_cancelled": "{what} was cancelled",
    "attribution_mask_a_token_first": "attribution explains a [MASK] slot's filler: mask a token first",
    "position_out_of_range": "position {position} is out of range: the input has {count} tokens ({range})",
    "nsp_needs_head": "the next-sentence probability needs a model with an NSP head and two segments",
    "ig_baseline_unknown": "the integrated-gradients baseline is 'pad' or 'zero', got {kind}",
    "ig_no_pad_token": "{model} has no pad, end or unknown token: use the zero baseline",
    "ig_steps_too_few": "integrated gradients need at least 1 step, got {steps}",
    "embeddings_no_encoder_decoder": (
        "{what} works on decoders and masked language models; {model} is an encoder-decoder"
    ),
    "no_input_embedding": "{model} has no input embedding module to attribute to",
    "embedding_no_weight": "{model}'s embedding module has no weight matrix to measure noise by",
    "patching_mask_a_token_first": "activation patching explains a [MASK] slot's filler: mask a token first",
    "patching_shared_block": "{model} shares one block between layers: patching needs one per layer",
    "patching_lengths_differ": (
        "the corrupted text is {count} tokens and the clean input {clean}: patching needs the same "
        "length (change a word for a word of as many tokens)"
    ),
    "corrupted_positions_out_of_range": (
        "corrupted position(s) {bad} out of range: the input has {count} tokens ({range})"
    ),
    "patching_no_mlp": "cannot find the MLP of {model}'s layer {layer}",
    "block_takes_no_cache": "the block takes no cache argument",
    "patching_sites_unknown": "unknown patching site(s) {sites}: use {known}",
    "patching_site_unknown": "unknown patching site {site}: use {known}",
    "patching_no_cell": "no {site} cell ({layer}, {index}): the map is {blocks} × {width}",
    "corrupt_two_kinds": "--corrupt-text and --corrupt-positions are two kinds of corruption: give one",
    "noise_needs_positions": "--noise corrupts the --corrupt-positions: give them too",
    "ig_steps_flag": "--ig-steps must be ≥ 1, got {steps}",
    "patching_needs_corruption": (
        "--analyses patching needs a corrupted run: give --corrupt-text or --corrupt-positions"
    ),
    "target_not_one_token": (
        "--target {text} is {count} tokens for this model: give one token (for GPT-style "
        "tokenizers a word after a space starts with the space, e.g. ' Paris')"
    ),
    "corrupt_positions_flag": "--corrupt-positions takes comma-separated positions, got {positions}",
    "corruption_flags": "--corrupt-text/--corrupt-positions/--noise: {error}",
}
