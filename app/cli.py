"""The `attnlab` command: no arguments start the desktop app; `attnlab export ...` writes an .npz."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "export":
        from engine.export import main as export_main  # the engine (torch) only for this subcommand

        return export_main(argv[1:])
    parser = argparse.ArgumentParser(prog="attnlab", description="A playground for looking inside language models.")
    parser.add_argument("--model", help="catalog name or model folder to open (default: the last one used)")
    args = parser.parse_args(argv)
    from app.gui import run

    return run(args.model)


if __name__ == "__main__":
    sys.exit(main())
