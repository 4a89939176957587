"""Every message the engine raises or reports is a registered code with the parameters its template names.

The scan (tests/error_code_scan.py) finds each call of an error class and of `message(...)` in
engine/ and app/; its first argument must be a literal code of engine/api/messages.py (or a
conditional between literals) and its keywords the template's placeholders. Old-form calls
(`EngineError("an English text")`, still accepted at run time) are listed by the failing test so
they can be converted. The window's side (a zh_CN
translation for each code it may show) is tests/app/test_gui_engine_codes.py.
"""

from __future__ import annotations

import pickle

import pytest
from error_code_scan import SITES

from attnlab.engine.api.errors import Cancelled, CodedError, EngineError, ModelLoadError
from attnlab.engine.api.memory_budget import AttentionMemoryError, check_fits
from attnlab.engine.api.messages import LEGACY, MESSAGES, EngineMessage, as_message, message, placeholders


def test_the_scan_sees_the_raise_sites():
    assert len(SITES) > 150  # engine errors, progress messages and nested reasons
    assert any(s.where.startswith("engine/session/") for s in SITES)
    assert any(s.where.startswith("app/") for s in SITES)


def test_every_engine_message_is_a_registered_code():
    old_form = [f"{s.where}: {s.text}" for s in SITES if not s.codes or not set(s.codes) <= MESSAGES.keys()]
    assert not old_form, (
        "engine messages without a registered code (give each a code and a template in "
        "engine/api/messages.py, and its zh_CN translation in app/engine_messages.py):\n" + "\n".join(old_form)
    )


def test_every_site_gives_exactly_the_templates_parameters():
    wrong = []
    for site in SITES:
        for code in site.codes:
            if code in MESSAGES and site.keywords is not None and site.keywords != placeholders(MESSAGES[code]):
                wrong.append(
                    f"{site.where}: {code} takes {sorted(placeholders(MESSAGES[code]))}, got {sorted(site.keywords)}"
                )
    assert not wrong, "\n".join(wrong)


def test_every_code_is_used():
    used = {code for site in SITES for code in site.codes}
    assert MESSAGES.keys() - used - {LEGACY} == set()


def test_the_english_text_is_the_template_with_the_values():
    error = EngineError("too_many_tokens", what="prompt", count=900, model="tiny-gpt", limit=512)
    assert str(error) == (
        "the prompt is 900 tokens but tiny-gpt accepts at most 512: it is refused, not truncated; shorten it"
    )
    assert error.code == "too_many_tokens" and error.message.values()["count"] == 900
    assert isinstance(error, ValueError)  # callers catch ValueError, as before


def test_a_reason_inside_a_message_reads_as_one_sentence():
    error = EngineError("cannot_ablate", model="gpt-neo", reason=message("ablation_needs_projection"))
    assert str(error) == f"gpt-neo cannot ablate heads: {MESSAGES['ablation_needs_projection']}"


def test_missing_or_extra_parameters_are_refused_at_run_time():
    with pytest.raises(TypeError, match="too_many_tokens"):
        EngineError("too_many_tokens", what="prompt")
    with pytest.raises(TypeError, match="nothing_to_undo"):
        EngineError("nothing_to_undo", extra=1)
    with pytest.raises(TypeError, match="not registered"):
        EngineError("no_such_code", value=1)


def test_the_old_single_string_form_still_works():
    error = ModelLoadError("something only a newer helper says")
    assert str(error) == "something only a newer helper says"
    assert error.message == EngineMessage(LEGACY, (("text", "something only a newer helper says"),))
    assert as_message(ValueError("plain")).code == LEGACY


def test_subclasses_keep_their_type_and_travel_as_data():
    for error in (Cancelled("cancelled", what="head importance"), AttentionMemoryError("free_memory")):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and copy.message == error.message and str(copy) == str(error)
        assert isinstance(copy, CodedError)
    with pytest.raises(MemoryError) as caught:
        check_fits(1 << 60, message("memory_attention_tokens", tokens=4), budget=1 << 30)
    assert caught.value.message.code == "memory_exceeded"
    assert str(caught.value).startswith("attention for 4 tokens needs ")


def test_a_message_is_plain_data():
    reason = message("cannot_explain_cell", model="m", reason=message("inspector_needs_interface"))
    assert reason == pickle.loads(pickle.dumps(reason))
    values = reason.values()
    assert set(values) == {"model", "reason"} and isinstance(values["reason"], EngineMessage)
