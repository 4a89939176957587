"""`attnlab figure`: run a model once and write one view (the large heatmap, a layer's heads, or all
layers × heads) as PNG, SVG or PDF, headless.

The figure is drawn by the window's own attention panel, offscreen, and saved by the same code as
File ▸ Export Figure…, so a scripted figure and an exported one agree. The engine (torch) is
imported only when the command runs. Scripts rely on the flag names; keep them stable.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from pathlib import Path

from attnlab.app.colour_scale import SCALES
from attnlab.engine.api.errors import EngineError
from attnlab.engine.cli.run_flags import Parser, add_run_flags, is_stack, run_command, run_session

VIEWS = ("heatmap", "grid", "all-layers")
SIZES = {"heatmap": (900, 800), "grid": (800, 800), "all-layers": (1000, 1000)}  # logical pixels


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="attnlab figure", description="Write one attention view as PNG, SVG or PDF, drawn as the window draws it."
    )
    add_run_flags(parser)
    parser.add_argument(
        "--view",
        choices=VIEWS,
        default="heatmap",
        help="the large heatmap of one head, a layer's heads, or every layer × head",
    )
    parser.add_argument("--stack", help="encoder, decoder or cross (default: what the window shows first)")
    parser.add_argument(
        "--layer",
        type=int,
        help="the layer to show (heatmap and grid views; all-layers: the layer to outline, default 0)",
    )
    heads = parser.add_mutually_exclusive_group()
    heads.add_argument("--head", type=int, help="the head to show (grid views: to outline); default 0")
    heads.add_argument("--mean", action="store_true", help="the mean of the layer's heads")
    parser.add_argument("--colour-scale", choices=tuple(SCALES), default="linear", help="the heatmap's colours")
    parser.add_argument(
        "--hide-first-token",
        action="store_true",
        help="the heatmap without key 0, each row renormalised over the other keys",
    )
    parser.add_argument("--dpi", type=float, help="PNG resolution (default: twice the view's pixels, 192 dpi)")
    parser.add_argument(
        "--size",
        default=None,
        metavar="WIDTHxHEIGHT",
        help="the view's size in pixels (default: 900x800 heatmap, 800x800 grid, 1000x1000 all layers)",
    )
    parser.add_argument("--out", required=True, help="the .png, .svg or .pdf file to write")
    return parser


def _size(args) -> tuple[int, int]:
    if args.size is None:
        return SIZES[args.view]
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        raise EngineError("figure_size_format", value=repr(args.size)) from None
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        raise EngineError("figure_size_range")
    return width, height


def figure(args) -> Path:
    # Bad flags fail before the model loads.
    from attnlab.app.figures import IMAGE_FORMATS, suffix_of

    if args.layer is None:
        if args.view != "all-layers":
            detail = f"--layer is needed for --view {args.view} (only --view all-layers shows every layer)"
            raise EngineError("bad_arguments", detail=detail)
        args.layer = 0  # every layer is drawn; this one only holds the outlined head
    out = Path(args.out)
    suffix_of(out, IMAGE_FORMATS)
    size = _size(args)
    if args.dpi is not None and not 10 <= args.dpi <= 2400:
        raise EngineError("figure_dpi_range")
    if args.stack is not None and not is_stack(args.stack):
        raise EngineError("bad_stack_flag", value=repr(args.stack))
    run = run_session(args)
    return draw(run, args, size)


def draw(run, args, size: tuple[int, int]) -> Path:
    """Draw the run in an offscreen attention panel and save the view `args.view`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # headless unless the caller chose a platform
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from attnlab.app.attention_panel import DEFAULT_STACK, AttentionPanel
    from attnlab.app.document import Document
    from attnlab.app.figure_actions import describe
    from attnlab.app.figures import save_figure
    from attnlab.engine.api.saved_session import weights_hash

    application = QApplication.instance() or QApplication([])
    info = run.loaded.info
    stacks = {s.name: s for s in info.stacks}
    stack = args.stack or DEFAULT_STACK.get(info.kind)
    if stack not in stacks:
        raise EngineError("figure_no_stack", stack=str(stack), model=info.name, stacks=", ".join(stacks) or "no")
    layers, heads = stacks[stack].layers, stacks[stack].heads
    if not 0 <= args.layer < layers:
        raise EngineError("figure_layer_range", layer=args.layer, model=info.name, stack=str(stack), last=layers - 1)
    head = args.head or 0
    if not 0 <= head < heads:
        raise EngineError("figure_head_range", head=head, model=info.name, stack=str(stack), last=heads - 1)
    document = Document()
    document.reset(info)
    document.apply_analysis(replace(run.result, steps=tuple(run.steps)))  # as the window holds a run
    panel = AttentionPanel()
    which = "heatmap" if args.view == "heatmap" else "grid"
    view = panel.heatmap if which == "heatmap" else panel.grid
    try:
        panel.set_model(info)
        panel.set_document(document)
        picker = panel.picker
        picker.select(stack=stack, layer=args.layer, head=head)
        picker.mean_box.setChecked(args.mean)
        picker.all_layers_box.setChecked(args.view == "all-layers")
        picker.set_colours(args.colour_scale, args.hide_first_token)
        view.setParent(None)  # on its own, at the figure's size
        view.resize(*size)
        view.show()
        application.processEvents()
        panel.redraw()
        application.processEvents()
        data = describe(panel, which, args.text, args.source, weights_hash(info.path))
        if data is None:
            raise EngineError("figure_nothing_to_draw")
        return save_figure(view, Path(args.out), data.metadata, args.dpi)
    finally:
        # Deleted now, while the application lives: views left to the interpreter's exit can crash it.
        view.hide()
        view.deleteLater()
        panel.deleteLater()
        application.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def main(argv: list[str] | None = None) -> int:
    return run_command("attnlab figure", lambda: f"wrote {figure(build_parser().parse_args(argv))}")
