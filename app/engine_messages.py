"""Engine messages in the interface language, by code.

The engine stays Qt-free and speaks in codes: an `EngineMessage` is (code, params), its English
text the template in engine/api/messages.py (what the CLI prints). The window looks the code up
here instead and shows the template's translation (context "EngineMessage" in the .ts) with the
values put in; nothing is parsed back from English. Each template here is the engine's, word for
word (tests/app/test_gui_engine_codes.py checks it, and that every code the window may show has a
zh_CN translation). Values that are themselves words the engine chose ("text", "source",
"knock-out") are translated too, and a value that is a message (a reason) is translated in turn.
An old-form message (code LEGACY, or a plain string) is shown as the engine wrote it.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from attnlab.engine.api.messages import EngineMessage, Param, render

CONTEXT = "EngineMessage"

# code -> the engine's English template, marked for lupdate. Codes only the CLI raises are left out.
_MARKED = {
    "text_too_long": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the {what} is {count} characters; attnlab takes at most {limit}",
    ),
    "text_empty": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the {what} is empty: type some text first",
    ),
    "too_many_tokens": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the {what} is {count} tokens but {model} accepts at most {limit}: it is refused, not truncated; shorten it",
    ),
    "positions_out_of_range": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{what} position(s) {bad} out of range: the input has {length} tokens ({range})",
    ),
    "ablated_head_out_of_range": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "cannot ablate {stack} layer {layer} head {head}: this model's {stack} stack has "
        "{layers} layers × {heads} heads",
    ),
    "cannot_knock_out": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} cannot knock tokens out: {reason}",
    ),
    "cannot_ablate": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} cannot ablate heads: {reason}",
    ),
    "cannot_explain_cell": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} cannot explain a cell: {reason}",
    ),
    "nothing_to_explain_text": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "nothing to explain: analyse a text first",
    ),
    "nothing_to_explain_prompt": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "nothing to explain: give a prompt first",
    ),
    "no_mlm_head_to_explain": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} has no masked-LM head: it predicts nothing to explain",
    ),
    "encoder_has_no_decoder_tokens": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} is an encoder: it has no decoder tokens to knock out",
    ),
    "no_mlm_head_to_fill": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} has no masked-LM head, so it cannot fill [MASK]: use knock-out masking instead",
    ),
    "no_lm_head": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} has no language-model head, so it cannot generate",
    ),
    "nothing_to_continue": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "nothing to continue: give a prompt first",
    ),
    "generation_ended": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "generation has ended ({reason}): undo or change the text to go on",
    ),
    "token_not_in_vocabulary": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "token id {id} is not in the vocabulary ({range})",
    ),
    "nothing_to_undo": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "nothing to undo: no token has been generated since the prompt",
    ),
    "region_not_contiguous": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "a region must be contiguous positions within {range}, got {queries} × {keys}",
    ),
    "not_a_masked_lm": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} is not a masked language model, so it cannot fill [MASK]: knock the token out of attention instead",
    ),
    "source_empty": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the source is empty: type the text to transform first",
    ),
    "prompt_empty": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the prompt is empty: type some text first",
    ),
    "decoder_has_no_encoder": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} is a decoder with no encoder: its knock-outs are plain knock-outs of the decoder's tokens",
    ),
    "replayed_token_not_in_vocabulary": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "a replayed token id is not in the vocabulary ({range})",
    ),
    "invalid_character": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the {what} has an invalid character at position {position} ({code}, not valid "
        "Unicode: bytes that are not UTF-8?): retype it, or save the text as UTF-8",
    ),
    "memory_exceeded": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{what} needs {needed} GiB but only {free} GiB is free: use a shorter text, fewer"
        " tokens to generate, or a smaller model",
    ),
    "memory_attention_tokens": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "attention for {tokens} tokens",
    ),
    "memory_long_attention": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "long-document attention for {tokens} tokens",
    ),
    "memory_rollout": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "attention rollout of {tokens} tokens through {layers} layers",
    ),
    "memory_lens": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{what} over {tokens} tokens (the whole input in one forward)",
    ),
    "memory_and_no_long_mode": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{exact}; {why}",
    ),
    "temperature_not_positive": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "temperature must be > 0 when sampling, got {value}: use greedy for argmax",
    ),
    "top_p_out_of_range": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "top-p must be in (0, 1], got {value}",
    ),
    "top_k_negative": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "top-k must be ≥ 0 (0 keeps every token), got {value}",
    ),
    "max_new_tokens_too_small": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the number of tokens to generate must be ≥ 1, got {value}",
    ),
    "candidates_too_few": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the number of candidates must be ≥ 1, got {value}",
    ),
    "no_model_given": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "No model given: pick one from the catalog or open a model folder.",
    ),
    "model_path_missing": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} does not exist: pick an existing model folder or .gguf file.",
    ),
    "unknown_model": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "Unknown model {spec}: use a model folder, a .gguf file, a hub id (org/name), or "
        "one of the available models: {names}.",
    ),
    "model_path_is_file": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} is a file: pick a model folder (with a config.json) or a .gguf file.",
    ),
    "not_a_model_folder": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} is not a model folder: it has no config.json. Pick the folder that holds "
        "config.json and the weights (or a .gguf file).",
    ),
    "recent_path_missing": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} does not exist: only existing models go in the recent list.",
    ),
    "unknown_device": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "unknown device {device}: use auto, cpu, cuda, cuda:N or mps",
    ),
    "no_cuda": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "device 'cuda' asked for but no CUDA GPU is available: use auto or cpu",
    ),
    "cuda_device_missing": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "device {device} does not exist: {count} CUDA GPU(s) found",
    ),
    "no_mps": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "device 'mps' asked for but Metal is not available: use auto or cpu",
    ),
    "unsupported_device": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "unsupported device {device}: use auto, cpu, cuda, cuda:N or mps",
    ),
    "threads_too_few": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "threads must be ≥ 1, got {value}",
    ),
    "unknown_dtype": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "unknown dtype {dtype}: use auto, {names}",
    ),
    "folder_without_config": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} is not a model folder: it has no config.json",
    ),
    "config_corrupt": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} is corrupt ({error}): re-download or re-save the model",
    ),
    "config_without_model_type": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} is not a transformers config: it has no model_type",
    ),
    "unknown_model_type": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} has model_type {model_type}, which transformers {version} does not know: "
        "open a model of a supported architecture",
    ),
    "config_value_too_small": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the config.json of {model} says {name} = {value}, but it must be at least 1: fix"
        " the file or re-save the model",
    ),
    "pickled_weights_refused": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} has only pickled weights ({files}), which can run arbitrary code when "
        "read: convert them to safetensors, or allow pickled weights for this model if "
        "you trust it",
    ),
    "no_weights": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} has a config but no weights (*.safetensors)",
    ),
    "no_capturable_attention": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "attnlab found no attention it can capture in {architecture}: its attention "
        "modules neither go through transformers' AttentionInterface nor return their "
        "probabilities (output_attentions)",
    ),
    "unknown_device_map": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "unknown device map {value}: use auto, or none for one device",
    ),
    "config_unreadable": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "cannot read the config of {model}: {error}",
    ),
    "model_too_big": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} does not fit in memory: pick a smaller model or a GPU",
    ),
    "model_unloadable": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "cannot load {model}: {error}",
    ),
    "model_does_not_run": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} loads but does not run ({error}): check its config.json",
    ),
    "model_does_not_fit": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} {why}: {advice}",
    ),
    "memory_short_ram": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "needs about {weights} for its weights + {attention} for attention at {tokens} "
        "tokens, but there is only {ram} of free RAM",
    ),
    "memory_short_gpu": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "needs about {weights} for its weights + {attention} for attention at {tokens} "
        "tokens, but there is only {gpu} free on the GPU and {ram} of RAM",
    ),
    "memory_short_spread": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "needs about {weights} for its weights + {attention} for attention at {tokens} "
        "tokens, but there is only {gpu} free on the GPU(s) + {ram} of RAM",
    ),
    "advice_smaller": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "pick a smaller model, a smaller dtype (float16 or bfloat16), or a shorter text",
    ),
    "advice_smaller_or_spread": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "pick a smaller model, a smaller dtype (float16 or bfloat16), or a shorter text, "
        "or device map auto to spread the layers over the GPUs and RAM",
    ),
    "capture_mismatch": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{architecture}: attnlab's capture of this architecture's decoder attention does "
        "not yet match the model's own eager forward, so it is not opened (rather than "
        "showing numbers that may be wrong)",
    ),
    "attention_not_capturable": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{architecture} neither routes attention through transformers' AttentionInterface"
        " nor returns its attention probabilities, so attnlab cannot capture it",
    ),
    "pooling_architecture": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{architecture} pools its sequence between layers (fewer queries than keys), "
        "which attnlab's attention store cannot hold: open a model without pooling",
    ),
    "inspector_needs_interface": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the formula inspector needs attention computed through transformers' "
        "AttentionInterface, and this architecture computes it in its own code",
    ),
    "knockout_needs_mask": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "knock-outs go through a 4D attention mask (query × key), and this architecture's attention takes none",
    ),
    "ablation_needs_projection": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "head ablation needs the output projection that merges the heads, and this "
        "architecture's attention does not expose one",
    ),
    "finding_model": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "finding {spec}",
    ),
    "loading_weights": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "loading weights of {model} ({kind})",
    ),
    "model_loaded": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "loaded {model} in {seconds} s",
    ),
    "using_converted_copy": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "using the converted copy of {file}",
    ),
    "gguf_converted": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "converted {file}",
    ),
    "reading_gguf_tokenizer": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "reading the tokenizer from {file} (about 15 s)",
    ),
    "dequantising_gguf": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "dequantising the weights of {file} (about 30 s)",
    ),
    "writing_safetensors": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "writing model.safetensors (float32)",
    ),
    "checking_gguf_conversion": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "checking the converted model against the GGUF",
    ),
    "gguf_missing": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} does not exist: pick an existing .gguf file.",
    ),
    "not_a_gguf": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} is not a .gguf file: pick a .gguf file or a model folder.",
    ),
    "gguf_package_missing": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "Reading .gguf files needs the {package} package, which is not installed: pip install {package}",
    ),
    "gguf_unreadable": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "Could not read {path} as a GGUF model ({error}). The file may be damaged, or its"
        " architecture is one transformers cannot read from GGUF: use a safetensors model"
        " folder instead.",
    ),
    "gguf_unwritable": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "Could not write the converted model to {folder} ({error}). Free some disk space "
        "(about {mib} MiB) or set ATTNLAB_CACHE to another folder.",
    ),
    "gguf_conversion_differs": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "The converted model disagrees with the GGUF (largest logit difference "
        "{difference}); this transformers version converts this file badly: load a "
        "safetensors folder instead.",
    ),
    "not_self_attention": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{what} is defined for self-attention (encoder or decoder), not for {stack} attention",
    ),
    "no_stack_to_analyse": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "no {stack} attention to analyse: this model has {stacks}",
    ),
    "no_stack_to_score": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "no {stack} attention to score yet: analyse a text first",
    ),
    "positions_ids_mismatch": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{stack} attention has {rows} positions but {ids} token ids were given",
    ),
    "mask_a_token_first": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "head importance explains the filler of a [MASK] slot: mask a token first",
    ),
    "cancelled": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{what} cancelled",
    ),
    "no_such_stack": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} has no {stack} attention: its stacks are {stacks}",
    ),
    "layer_out_of_range": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "layer {layer} out of range: the {stack} stack has {layers} layers ({range})",
    ),
    "head_out_of_range": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "head {head} out of range: the {stack} stack has {heads} heads ({range})",
    ),
    "query_out_of_range": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "query {query} out of range: the sequence has {queries} tokens ({range})",
    ),
    "key_out_of_range": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "key {key} out of range: the {where} has {keys} tokens ({range})",
    ),
    "lens_no_layer": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "cannot find the layer that holds {module}",
    ),
    "lens_no_mlm_head": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{architecture} has no masked-LM head the logit lens knows",
    ),
    "lens_no_output_head": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{architecture} has no output head: nothing to read the layers through",
    ),
    "lens_head_unknown": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the logit lens cannot read {model}: its last layer through the final norm and "
        "head does not give the model's output (an output head the lens does not know)",
    ),
    "lens_k_too_small": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the logit lens needs k ≥ 1 tokens per cell, got {k}",
    ),
    "probe_needs_decoder": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the induction probe runs decoder-only models; {model} is a {kind} model",
    ),
    "long_needs_decoder": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "long-document mode is for decoder-only models; {model} is an {kind}",
    ),
    "long_model_type_unsupported": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "long-document mode does not support {model_type} models yet ({supported} only)",
    ),
    "long_sliding_window": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "long-document mode does not support {model}'s sliding-window layers: their cache drops old keys",
    ),
    "long_needs_full_attention": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "long-document mode needs every earlier key and no position bias in every layer",
    ),
    "not_long_mode": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the session is not in long-document mode: its store holds the attention",
    ),
    "rollout_not_in_long_mode": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "attention rollout is not shown in long-document mode: it multiplies full {n} × "
        "{n} matrices through every layer. Use `attnlab export --store long --analyses "
        "rollout` (computed exactly while it fits in memory), or a shorter text",
    ),
    "layer_progress": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{what}: layer {layer} of {layers}",
    ),
    "reading_text": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "reading the text: {done} of {total} tokens",
    ),
    "rereading_text": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "re-reading the text from token {start}: {done} of {total} tokens",
    ),
    "ablating_heads": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "ablating heads: {done} of {total}",
    ),
    "session_folder_missing": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "cannot save the session: the folder {folder} does not exist",
    ),
    "session_file_too_big": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} is over {size}: not an attnlab session (they are a few kB)",
    ),
    "session_file_missing": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} does not exist",
    ),
    "session_path_is_folder": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} is a folder, not a session file",
    ),
    "session_file_unreadable": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "cannot read {path}: {error}",
    ),
    "session_not_json": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} is not an attnlab session: it is not JSON text ({error})",
    ),
    "session_wrong_format": QT_TRANSLATE_NOOP(
        "EngineMessage",
        '{name} is not an attnlab session (it has no "format": "{format}")',
    ),
    "session_no_schema_version": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} has no valid schema_version: the file is damaged",
    ),
    "session_too_new": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} was written by a newer attnlab ({writer}, session format {version}); this"
        " one ({reader}) reads format {supported} and older: update attnlab",
    ),
    "session_damaged": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} is damaged: {what} (edit it back or save the session again)",
    ),
    "folder_missing": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the folder {folder} does not exist",
    ),
    "no_model_loaded": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "no model is loaded yet: pick one in the model list",
    ),
    "integrated_gradients_steps": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "integrated gradients: {steps} steps",
    ),
    "patching_runs": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "patching {site}: {done} of {total} runs",
    ),
    "cannot_generate_kind": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} cannot generate text: it is a {kind} model",
    ),
    "unexpected_error": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "unexpected error ({type}): {error} — the details are in {path}",
    ),
    "running_induction_probe": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "Running the induction probe…",
    ),
    "engine_killed": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "killed by {signal}",
    ),
    "engine_exited": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "exited with status {code}",
    ),
    "engine_lost": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "lost",
    ),
    "engine_version_mismatch": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the engine runs attnlab {engine} but this window is attnlab {window}: "
        "install the same version of attnlab on both ends",
    ),
    "engine_command_failed": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "could not run {command}: {error}",
    ),
    "engine_bad_address": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{target} is not an engine address: use ssh://[user@]host[:port]",
    ),
    "engine_closed_early": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "closed before the engine answered",
    ),
    "engine_refused_key": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the engine at {path} refused this window's key: {error}",
    ),
    "engine_did_not_answer": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the engine did not answer: {reason}",
    ),
    "engine_bad_hello": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the engine answered something else than hello",
    ),
    "patching_without_corruption": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "activation patching needs a corrupted run: choose what to corrupt first",
    ),
    "engine_no_answer": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "no engine answered at {path} within {seconds} s",
    ),
    "engine_could_not_start": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the engine could not start ({reason})",
    ),
    "figure_ending": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{file}: a figure is saved as {endings} — name the file with one of these endings",
    ),
    "png_not_encoded": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the PNG could not be encoded",
    ),
    "not_analysed": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "nothing to continue: the text was not analysed (the message above says why)",
    ),
    "number_overflow": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "a number is too large for the engine: keep the seed, top-k and max new tokens below 2^63",
    ),
    "memory_allocation": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "not enough memory: this needs {size} at once (an array of shape {shape}): use a shorter text, fewer "
        "tokens to generate, or a smaller model",
    ),
    "memory_unsized": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "not enough memory for this: use a shorter text, fewer tokens to generate, or a smaller model",
    ),
    "session_nested_too_deeply": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} is not an attnlab session: it is nested too deeply",
    ),
    "session_damaged_too_deep": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} is damaged: it is nested too deeply",
    ),
    "session_not_a_regular_file": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} is not a regular file (a pipe, a device or a socket): not an attnlab session",
    ),
    "session_would_block": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} cannot be read now (it would block): not an attnlab session",
    ),
    "session_wrong_kind": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "a field holds a value of the wrong kind ({type})",
    ),
    "session_not_a_json_number": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} is damaged: it holds {word}, which is not a number JSON allows",
    ),
    "session_json_deeper_than": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} is not an attnlab session: its JSON nests more than {depth} deep",
    ),
    "session_not_utf8": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} is not an attnlab session: it is not UTF-8 text ({error})",
    ),
    "session_not_regular": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} is {kind}, not a session file: attnlab reads sessions from regular files",
    ),
    "session_json_too_deep": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} is not an attnlab session: its JSON nests too deeply",
    ),
    "session_lone_surrogate": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{name} is damaged: it holds text that is not valid Unicode ({text}, half of a surrogate pair): edit "
        "it back or save the session again",
    ),
    "session_integer_too_big": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "it holds the integer {value}, beyond what a 64-bit integer holds",
    ),
    "train_run_missing": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{folder} is not a training run: it has no {file}",
    ),
    "train_file_not_regular": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} is not a regular file",
    ),
    "train_file_too_big": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} is larger than {size} MB: not a file attnlab wrote",
    ),
    "train_record_unreadable": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "a training record cannot be read ({error})",
    ),
    "train_run_unreadable": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} is not a training run's description ({error})",
    ),
    "contributions_long_decoder": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "contributions of a long document's decoder are not available yet: shorten the text below the "
        "long-mode threshold (or use --store exact) to see them",
    ),
    "contributions_no_values": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "contributions are unavailable for {model}: its attention is its own code and computes the values "
        "inside it (no separate value projection), so v cannot be read",
    ),
    "flow_threshold_range": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the flow threshold is a share of the residual between 0 and 1, got {threshold}",
    ),
    "flow_no_cross_attention": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the flow graph follows one stack's residual stream; an encoder-decoder's decoder also reads the "
        "source through cross-attention, which it does not draw yet: use a decoder-only or encoder model",
    ),
    "flow_mask_a_token_first": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the flow graph explains the filler of a [MASK] slot: mask a token first",
    ),
    "flow_too_many_tokens": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the flow graph takes at most {limit} tokens (the input has {count}): shorten the text",
    ),
    "flow_no_values": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the flow graph is unavailable for {model}: its attention is its own code, which does not hand over the values",
    ),
    "flow_layers_unfollowed": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the flow graph could not follow {model}'s layers",
    ),
    "flow_post_norm": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the flow graph splits a pre-norm residual stream (x + attention + MLP); this model normalises the "
        "stream after each sublayer (post-norm), so its states are not such sums",
    ),
    "dla_no_mlm_head": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{architecture} has no masked-LM head the attribution knows",
    ),
    "dla_no_output_head": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{architecture} has no output head: there is no logit to attribute",
    ),
    "dla_rescaled_logits": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{architecture} rescales its logits outside its modules: not attributable yet",
    ),
    "dla_frozen_differs": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the attribution's frozen {module} does not reproduce the model's",
    ),
    "dla_mask_a_token_first": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "direct logit attribution explains the filler of a [MASK] slot: mask a token first",
    ),
    "dla_head_not_linear": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the output head ({module}) is not a linear layer: nothing to project on",
    ),
    "dla_between_layer_and_head": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "direct logit attribution: {model} does something between its last layer and its head",
    ),
    "dla_cannot_linearise": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the attribution cannot linearise {module} on the way to the logits",
    ),
    "dla_projection_not_linear": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "direct logit attribution: {module}'s output projection is not linear in its heads",
    ),
    "projection_width_not_heads": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the output projection takes {width} inputs, not a multiple of {heads} heads",
    ),
    "residual_needs_projection": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{what} is unavailable for {model}: it needs the output projection that merges the heads (W_O), and "
        "the attention of layer(s) {layers} exposes none the engine knows",
    ),
    "projection_not_reading_heads": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{what}: the output projection found does not read the heads' outputs",
    ),
    "projection_did_not_run": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the attention's output projection did not run during the forward",
    ),
    "gguf_truncated": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{path} is cut short or damaged: it ends before the data its header declares ({size} bytes). Download "
        "or copy the .gguf file again",
    ),
    "remote_code_refused": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} ({folder}) ships its own code ({files}) for model_type {model_type}, which transformers does "
        "not have: loading it runs that code. Allow remote code for this model only if you trust where it "
        "came from",
    ),
    "consent_needed": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{reason}",
    ),
    "weights_unmatched": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the weights of {model} do not match its architecture: {mismatch}. Loading it would fill them with "
        "random numbers: fix the weight files or config.json, or load it anyway, knowing that its numbers are "
        "then partly random",
    ),
    "hub_remote_code": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} ships its own code, which loading it would run: {error}",
    ),
    "train_not_text_file": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "training: {path} is not a text file",
    ),
    "train_text_too_big": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "training: {name} is larger than {size} MB; use a shorter text",
    ),
    "train_too_few_lines": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "training: {name} has {count} lines of text; give at least 20 (one document a line)",
    ),
    "train_text_too_short": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "training: the text is too short for a context of {context} tokens",
    ),
    "train_nsp_needs_sentences": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "training: next-sentence prediction needs documents of two or more sentences",
    ),
    "train_unknown_kind": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "training: the kind must be one of {kinds}, got {kind}",
    ),
    "train_width_heads": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "training: the width ({width}) must divide into {heads} heads",
    ),
    "train_lr_range": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "training: the learning rate must be between 0 and 1, got {lr}",
    ),
    "train_synthetic_is_induction": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "training: the synthetic data is the induction task's; a GPT or BERT reads text",
    ),
    "train_induction_context": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "training: the induction task repeats {count} distinct tokens of {vocab}: use a context of at most {limit}",
    ),
    "train_whole_number": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "training: {name} must be a whole number from {low} to {high}, got {value}",
    ),
    "train_out_not_empty": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "training: {folder} is not empty; choose a new folder for the run",
    ),
    "attribution_mask_a_token_first": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "attribution explains a [MASK] slot's filler: mask a token first",
    ),
    "position_out_of_range": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "position {position} is out of range: the input has {count} tokens ({range})",
    ),
    "nsp_needs_head": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the next-sentence probability needs a model with an NSP head and two segments",
    ),
    "ig_baseline_unknown": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the integrated-gradients baseline is 'pad' or 'zero', got {kind}",
    ),
    "ig_no_pad_token": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} has no pad, end or unknown token: use the zero baseline",
    ),
    "ig_steps_too_few": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "integrated gradients need at least 1 step, got {steps}",
    ),
    "embeddings_no_encoder_decoder": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{what} works on decoders and masked language models; {model} is an encoder-decoder",
    ),
    "no_input_embedding": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} has no input embedding module to attribute to",
    ),
    "embedding_no_weight": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model}'s embedding module has no weight matrix to measure noise by",
    ),
    "was_cancelled": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{what} was cancelled",
    ),
    "block_takes_no_cache": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the block takes no cache argument",
    ),
    "patching_sites_unknown": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "unknown patching site(s) {sites}: use {known}",
    ),
    "patching_site_unknown": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "unknown patching site {site}: use {known}",
    ),
    "patching_no_cell": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "no {site} cell ({layer}, {index}): the map is {blocks} × {width}",
    ),
    "patching_mask_a_token_first": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "activation patching explains a [MASK] slot's filler: mask a token first",
    ),
    "patching_shared_block": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "{model} shares one block between layers: patching needs one per layer",
    ),
    "corrupted_positions_out_of_range": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "corrupted position(s) {bad} out of range: the input has {count} tokens ({range})",
    ),
    "patching_lengths_differ": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "the corrupted text is {count} tokens and the clean input {clean}: patching needs the same length "
        "(change a word for a word of as many tokens)",
    ),
    "patching_no_mlp": QT_TRANSLATE_NOOP(
        "EngineMessage",
        "cannot find the MLP of {model}'s layer {layer}",
    ),
}
TEMPLATES: dict[str, str] = {code: str(template) for code, template in _MARKED.items()}

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
    QT_TRANSLATE_NOOP("EngineMessage", "attention rollout"),
    QT_TRANSLATE_NOOP("EngineMessage", "head scores"),
    QT_TRANSLATE_NOOP("EngineMessage", "scoring heads"),
    QT_TRANSLATE_NOOP("EngineMessage", "head importance"),
    QT_TRANSLATE_NOOP("EngineMessage", "the head importance estimate"),
    QT_TRANSLATE_NOOP("EngineMessage", "the logit lens"),
    QT_TRANSLATE_NOOP("EngineMessage", "sequence"),
    QT_TRANSLATE_NOOP("EngineMessage", "a named pipe (FIFO)"),
    QT_TRANSLATE_NOOP("EngineMessage", "a device"),
    QT_TRANSLATE_NOOP("EngineMessage", "a socket"),
    QT_TRANSLATE_NOOP("EngineMessage", "not a regular file"),
    QT_TRANSLATE_NOOP("EngineMessage", "contributions"),
    QT_TRANSLATE_NOOP("EngineMessage", "the flow graph"),
    QT_TRANSLATE_NOOP("EngineMessage", "direct logit attribution"),
    QT_TRANSLATE_NOOP("EngineMessage", "attribution"),
    QT_TRANSLATE_NOOP("EngineMessage", "activation patching"),
    QT_TRANSLATE_NOOP("EngineMessage", "input attribution"),
)


def translate_engine_message(message: EngineMessage | str) -> str:
    """`message` in the interface language when its code is known here, else as the engine wrote it."""
    if isinstance(message, str):
        return message  # an old-form text
    template = TEMPLATES.get(message.code)
    if template is None:
        return str(message)
    return render(QCoreApplication.translate(CONTEXT, template), message.values(), _value)


def _value(value: Param) -> str:
    if isinstance(value, EngineMessage):
        return translate_engine_message(value)
    text = str(value)
    return QCoreApplication.translate(CONTEXT, text) if text in WORDS else text
