"""Typed seams: no module reaches a private name of another, and nothing outside a session reaches into one.

Read with `ast` over engine/ and app/ (no import, no model): an analysis that needs something of a
session asks for it through `AnalysisSession` (engine/session/analysis_session.py), not `session._x`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("engine", "app")
SESSION_ROOM = ROOT / "engine" / "session"


def _modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _mentions_session(node: ast.AST) -> bool:
    """Whether an expression names a session: `session`, `self.session`, `run.session`, `self._session`..."""
    return any(
        "session" in (part.id if isinstance(part, ast.Name) else part.attr).lower()
        for part in ast.walk(node)
        if isinstance(part, (ast.Name, ast.Attribute))
    )


def _private_reaches(path: Path) -> list[str]:
    return _reaches(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), path.is_relative_to(SESSION_ROOM))


def _reaches(source: str, where: str, session_room: bool) -> list[str]:
    """ "file:line what" for each private name `source` takes from elsewhere, in line order."""
    tree = ast.parse(source, filename=where)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("attnlab"):
            found += [(node.lineno, f"imports {node.module}.{a.name}") for a in node.names if _private(a.name)]
        if session_room:
            continue  # a session's own room may use its own private names
        own = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
        if isinstance(node, ast.Attribute) and not own and _private(node.attr) and _mentions_session(node.value):
            found.append((node.lineno, f"reaches {ast.unparse(node)}"))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr", "setattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
            and _mentions_session(node.args[0])
        ):
            found.append((node.lineno, f"reaches {ast.unparse(node)}"))
    return [f"{where}:{line} {what}" for line, what in sorted(found)]


def test_no_module_imports_a_private_name_of_another_or_reaches_into_a_session():
    found = [reach for path in _modules() for reach in _private_reaches(path)]
    assert not found, "private names used across modules:\n" + "\n".join(found)


def test_the_check_sees_what_it_forbids():
    """The scan itself: the reaches that were in the analyses before the seam are found; a session's own
    room and `self._x` are not flagged."""
    code = (
        "from attnlab.engine.session.sessions import _Session\n"
        "def f(session, run):\n"
        "    session._rerun(session._analysis_recorder())\n"
        "    getattr(run.session, '_long', None)\n"
        "    self._session.info\n"
    )
    found = _reaches(code, "engine/interpret/sample.py", session_room=False)
    assert [line.split(" ", 1)[1] for line in found] == [
        "imports attnlab.engine.session.sessions._Session",
        "reaches session._analysis_recorder",
        "reaches session._rerun",
        "reaches getattr(run.session, '_long', None)",
    ]
    assert _reaches(code, "engine/session/sample.py", session_room=True) == [
        "engine/session/sample.py:1 imports attnlab.engine.session.sessions._Session"
    ]
