"""An AST scan of engine/ and app/ for every engine message they raise or report (used by
tests/engine/test_error_codes.py and tests/app/test_gui_engine_codes.py).

It finds each call of an error class (EngineError, its subclasses and any other CodedError,
wherever they are defined) and of `message(...)`, with the literal codes its first argument may
be (a literal or a conditional between literals; none for an old-form English text) and its
keyword names.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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
