"""`attnlab install-desktop`: a freedesktop launcher entry and icon for the current user.

Writes `attnlab.desktop` (its Exec the absolute path of this installation's `attnlab`, so a
pipx or venv install starts from the desktop menu without that venv on PATH) into
$XDG_DATA_HOME/applications and the icon into $XDG_DATA_HOME/icons/hicolor/scalable/apps.
`--uninstall` removes both. Nothing outside the user's data folder is touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from importlib.resources import files
from pathlib import Path


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def launcher() -> str:
    """The absolute command that starts this installation's window."""
    found = shutil.which("attnlab", path=str(Path(sys.executable).parent))
    return f'"{found}"' if found else f'"{sys.executable}" -m attnlab'


def targets() -> tuple[Path, Path]:
    home = data_home()
    return home / "applications" / "attnlab.desktop", home / "icons" / "hicolor" / "scalable" / "apps" / "attnlab.svg"


def install() -> tuple[Path, Path]:
    entry, icon = targets()
    source = files("attnlab.resources") / "desktop"
    text = (source / "attnlab.desktop").read_text(encoding="utf-8")
    text = text.replace("Exec=attnlab %f", f"Exec={launcher()} %f").replace("Icon=attnlab", f"Icon={icon}")
    for path in (entry, icon):
        path.parent.mkdir(parents=True, exist_ok=True)
    icon.write_bytes((source / "attnlab.svg").read_bytes())
    entry.write_text(text, encoding="utf-8")
    entry.chmod(0o755)
    return entry, icon


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="attnlab install-desktop", description=__doc__.split("\n\n")[0])
    parser.add_argument("--uninstall", action="store_true", help="remove the entry and the icon")
    args = parser.parse_args(argv)
    if args.uninstall:
        for path in targets():
            path.unlink(missing_ok=True)
            print(f"removed {path}")
        return 0
    try:
        for path in install():
            print(f"wrote {path}")
    except OSError as error:
        print(f"attnlab install-desktop: cannot write {error.filename}: {error.strerror}", file=sys.stderr)
        return 1
    return 0
