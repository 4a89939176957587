"""The `attnlab` command: no arguments start the desktop app; `attnlab export ...` writes an .npz,
`attnlab explain ...` prints the numbers behind one attention weight."""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> (engine module with a `main(argv) -> int`, one line for --help); the engine (torch)
# is imported only when one of them runs.
COMMANDS = {
    "export": ("engine.export", "write tokens, attention and predictions to an .npz file"),
    "explain": ("engine.explain", "print the numbers behind one attention weight as JSON"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        module = importlib.import_module(COMMANDS[argv[0]][0])
        return module.main(argv[1:])
    commands = "\n".join(f"  attnlab {name + ' ...':<12} {about}" for name, (_, about) in COMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="attnlab",
        description="A playground for looking inside language models.",
        epilog=f"commands (each has its own --help):\n{commands}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", help="catalog name or model folder to open (default: the last one used)")
    args = parser.parse_args(argv)
    from app.gui import run

    return run(args.model)


if __name__ == "__main__":
    sys.exit(main())
