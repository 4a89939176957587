"""The `attnlab` command: no arguments start the desktop app (`attnlab run.attnlab` opens it on a
session); `attnlab export ...` writes an .npz, `attnlab explain ...` prints the numbers behind one
attention weight, `attnlab compare A.npz B.npz` writes what changed between two exports, `attnlab
figure ...` writes one view as PNG, SVG or PDF.

Subcommands run the engine (torch) in this process and print their own lines only: transformers'
warnings, logs and progress bars are silenced around the call unless `--verbose` is given.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from attnlab import __version__

# name -> (module whose main(argv) -> exit status runs it, one line for `attnlab --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "export": (
        "attnlab.engine.cli.export",
        "run a model once (optionally generating) and write tokens, attention and predictions to an .npz file",
    ),
    "explain": (
        "attnlab.engine.cli.explain",
        "print the numbers behind one attention weight (q, k, logit, probability) as JSON",
    ),
    "compare": (
        "attnlab.engine.cli.compare",
        "write the attention differences of two exports (A − B) and each head's "
        "Jensen–Shannon divergence to an .npz file",
    ),
    "figure": (
        "attnlab.app.figure_command",
        "write one attention view (heatmap, head grid, all layers) as PNG, "
        "SVG or PDF, drawn headless as the window draws it",
    ),
    "train": (
        "attnlab.engine.cli.train",
        "train a tiny GPT, BERT or attention-only decoder (the induction task) into a run folder of checkpoints",
    ),
    "engine": (
        "attnlab.engine.server.command",
        "run the engine server (the window starts one itself); --stdio serves a window over ssh, "
        "--status and --stop ask the running one",
    ),
    "install-desktop": (
        "attnlab.app.desktop_entry",
        "add attnlab to the desktop's application menu (a freedesktop "
        "entry and icon for this user; --uninstall removes them)",
    ),
}
VERBOSE = "--verbose"


def _epilog() -> str:
    width = max(len(name) for name in COMMANDS) + len("attnlab  ...")
    lines = [f"  {'attnlab ' + name + ' ...':<{width}}  {summary}" for name, (_, summary) in COMMANDS.items()]
    return (
        "commands (attnlab COMMAND --help for each; add --verbose to see transformers' own warnings "
        "and logs):\n" + "\n".join(lines)
    )


def run_command(name: str, argv: list[str]) -> int:
    """Run a subcommand with transformers quiet (or not, with --verbose anywhere in argv)."""
    verbose = VERBOSE in argv
    argv = [arg for arg in argv if arg != VERBOSE]
    module = importlib.import_module(COMMANDS[name][0])  # the engine (torch) only for subcommands
    if name == "engine":  # listens first, imports torch while the window connects: not behind the quiet block's
        return int(module.main(argv))
    from attnlab.engine.cli.quiet import quiet_transformers

    with quiet_transformers(verbose):
        return int(module.main(argv))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        return run_command(argv[0], argv[1:])
    parser = argparse.ArgumentParser(
        prog="attnlab",
        description="A playground for looking inside language models. Without a command: open the window.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"attnlab {__version__}")
    parser.add_argument("--model", help="catalog name or model folder to open (default: the last one used)")
    parser.add_argument(
        "--engine",
        metavar="ADDRESS",
        help="where the engine runs: ssh://[user@]host[:port] (runs `attnlab engine --stdio` there through "
        "your ssh), 'thread' (in the window's process) or 'private' (default: this user's local engine)",
    )
    parser.add_argument(
        "open", nargs="?", metavar="FILE", help="a session (.attnlab) to open, or a model folder or .gguf file to load"
    )
    args = parser.parse_args(argv)
    if args.engine:
        os.environ["ATTNLAB_ENGINE"] = args.engine  # read by the window's engine client
    from attnlab.app.gui import run

    if args.open and args.open.endswith(".attnlab"):
        return run(args.model, session=args.open)
    if args.open and args.model:
        parser.error("give the model once: as --model or as FILE")
    return run(args.model or args.open)


if __name__ == "__main__":
    sys.exit(main())
