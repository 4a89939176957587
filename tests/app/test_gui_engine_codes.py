"""The window translates every engine message it may show by code, and each code has a zh_CN translation.

The codes the window may show are those raised or reported outside the command line (the AST scan
of tests/engine/test_error_codes.py); app/engine_messages.py must hold each with the engine's
template word for word, and the shipped .ts a finished translation with the same placeholders.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from error_code_scan import SITES

from attnlab.app.engine_messages import CONTEXT, TEMPLATES, WORDS, translate_engine_message
from attnlab.app.i18n import install_language, translation_file
from attnlab.engine.api.errors import UnsupportedError
from attnlab.engine.api.messages import MESSAGES, message, placeholders

TS = Path(__file__).resolve().parents[2] / "resources" / "i18n" / "attnlab_zh_CN.ts"


def _translations() -> dict[str, str]:
    """source -> finished translation of the EngineMessage context ("" when unfinished)."""
    found = {}
    for context in ET.parse(TS).getroot().iter("context"):
        if context.findtext("name") != CONTEXT:
            continue
        for entry in context.iter("message"):
            translation = entry.find("translation")
            done = translation is not None and translation.get("type") is None
            found[entry.findtext("source") or ""] = (translation.text or "") if done else ""
    return found


def test_every_code_the_window_may_show_has_the_engines_template():
    shown = {code for site in SITES if not site.cli_only for code in site.codes} - {"legacy"}
    assert shown, "the scan found no codes"
    assert sorted(shown - TEMPLATES.keys()) == [], "add these codes to app/engine_messages.py"
    assert {code: t for code, t in TEMPLATES.items() if MESSAGES.get(code) != t} == {}, "templates drifted"


def test_every_code_and_word_has_a_chinese_translation_with_the_same_placeholders():
    translations = _translations()
    missing = [code for code, template in TEMPLATES.items() if not translations.get(template)]
    assert missing == [], f"no zh_CN translation (run `make translations` and fill them): {missing}"
    wrong = [t for t in TEMPLATES.values() if placeholders(translations[t]) != placeholders(t)]
    assert wrong == []
    assert [word for word in map(str, WORDS) if not translations.get(word)] == []


@pytest.fixture
def chinese(qapp):
    application = qapp
    assert translation_file("zh_CN") is not None, "run `make translations`"
    assert install_language(application, "zh_CN")
    yield
    install_language(application, "en")


def test_a_raised_error_reads_in_chinese_reasons_and_words_included(chinese):
    error = UnsupportedError("cannot_knock_out", model="gpt-neo", reason=message("knockout_needs_mask"))
    translated = translate_engine_message(error.message)
    assert translated.startswith("gpt-neo 无法屏蔽词元：") and "四维注意力掩码" in translated
    assert str(error).startswith("gpt-neo cannot knock tokens out: knock-outs go through")  # the CLI's English
    cancelled = translate_engine_message(message("cancelled", what="head importance"))
    assert cancelled == "头的重要性已取消"  # the word-valued parameter is translated too
    assert translate_engine_message(message("layer_progress", what="scoring heads", layer=3, layers=12)) == (
        "头评分：第 3 层，共 12 层"
    )


def test_an_old_form_message_is_shown_as_the_engine_wrote_it(chinese):
    assert translate_engine_message(message("a message without a code yet")) == "a message without a code yet"
