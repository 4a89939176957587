"""The README's Quick start names the system libraries the window needs on Linux (issue 24, item 16):
the same packages the start-up message asks for, so following the README avoids that message."""

from __future__ import annotations

from pathlib import Path

from attnlab.app.gui import XCB_PACKAGES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_quick_start_has_the_apt_line_for_the_xcb_libraries():
    text = README.read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert f"sudo apt install {XCB_PACKAGES}" in quick_start
