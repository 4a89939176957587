"""Every message the engine raises or reports is a registered code with the parameters its template names.

An AST scan of engine/ and app/ finds each call of an error class (EngineError, its subclasses and
any other CodedError, wherever they are defined) and of `message(...)`; its first argument must be
a literal code of engine/api/messages.py (or a conditional between literals) and its keywords the
template's placeholders. Old-form calls (`EngineError("an English text")`, still accepted at run
time) are listed by the failing test so they can be converted. The window's side (a zh_CN
translation for each code it may show) is tests/app/test_gui_engine_codes.py.
"""

from __future__ import annotations

import ast
import pickle
from dataclasses import dataclass
from pathlib import Path

import pytest

from attnlab.engine.api.errors import Cancelled, CodedError, EngineError, ModelLoadError
from attnlab.engine.api.memory_budget import AttentionMemoryError, check_fits
from attnlab.engine.api.messages import LEGACY, MESSAGES, EngineMessage, as_message, message, placeholders

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("engine", "app")
ROOT_CLASSES = {"CodedError", "EngineError"}


@dataclass(frozen=True)
class Site:
    where: str  # path:line
    codes: tuple[str, ...]  # the literal codes it may raise; () when the first argument is not a literal
    keywords: frozenset[str] | None  # None: **params (checked at run time instead)
    text: str  # the call's source, for the failure message

    @property
    def cli_only(self) -> bool:
        """Raised by a command-line command only: printed in English, never shown by the window."""
        return self.where.startswith(CLI_ONLY)


CLI_ONLY = ("engine/cli/", "app/figure_command.py", "app/cli.py")
DEFINITIONS = ("engine/api/errors.py", "engine/api/messages.py")  # where `message(code, ...)` is defined


def _files() -> list[Path]:
    return sorted(p for folder in SCANNED for p in (ROOT / folder).rglob("*.py"))


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """CodedError and every class that derives from one, by name, across the scanned sources."""
    names = set(ROOT_CLASSES)
    bases = {
        node.name: {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
        for tree in trees.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    grew = True
    while grew:
        found = {name for name, parents in bases.items() if parents & names} - names
        names |= found
        grew = bool(found)
    return names


def _literal_codes(node: ast.expr) -> tuple[str, ...]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.IfExp):
        body, orelse = _literal_codes(node.body), _literal_codes(node.orelse)
        return body + orelse if body and orelse else ()
    return ()


def scan() -> list[Site]:
    trees = {p: ast.parse(p.read_text()) for p in _files()}
    callables = _error_classes(trees) | {"message"}
    sites = []
    for path, tree in trees.items():
        if str(path.relative_to(ROOT)) in DEFINITIONS:
            continue
        source = path.read_text()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in callables or not node.args:
                continue
            keywords = None if any(k.arg is None for k in node.keywords) else frozenset(k.arg for k in node.keywords)
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            text = ast.get_source_segment(source, node) or ""
            sites.append(Site(where, _literal_codes(node.args[0]), keywords, text))  # type: ignore[arg-type]
    return sites


SITES = scan()


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
