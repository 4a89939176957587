"""Figures: a view as PNG, SVG or PDF with its token labels, title and colour bar, and the matrix
behind it as CSV or .npy; each figure carries the run it came from (model, text, masks, layer/head,
attnlab version) so that it can be traced back.

A figure is the view's own scene painted into the file (QGraphicsScene.render): what the window
shows, and what `attnlab figure` renders offscreen through the same views. Text stays text in SVG
and PDF (token labels are searchable and editable); the heatmap itself is an embedded image at twice
the resolution it is drawn at, each cell a uniform block (app/plots/cell_image.py), so that no renderer
blurs its cells.
Files are written whole to a temporary file and renamed: a failed export never leaves half a file.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QMarginsF,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QSizeF,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen
from PySide6.QtSvg import QSvgGenerator

from attnlab.app.plots.colors import lookup_table
from attnlab.app.plots.plot_title import TitledView
from attnlab.engine.api.errors import EngineError
from attnlab.engine.api.results import Masks

IMAGE_FORMATS = ("png", "svg", "pdf")
DATA_FORMATS = ("csv", "npy")
LOGICAL_DPI = 96.0  # a view's logical pixels per inch: a figure's physical size is its on-screen size
SCREEN_MULTIPLE = 2.0  # PNG default: twice the screen's pixels
COLORBAR_STRIP = 70  # logical pixels painted beside a view without a colour bar of its own (the head grid)
CSV_ROW_LIMIT = 2_000_000  # a grid's CSV has a row per weight; beyond this, .npy
MINIMUM_SIZE = {"heatmap": QSize(760, 620), "grid": QSize(600, 600)}  # logical pixels of a window's figure
METADATA_NS = "https://github.com/attnlab/attnlab/figure"  # namespace of the SVG <metadata> element


def attnlab_version() -> str:
    try:
        return version("attnlab")
    except PackageNotFoundError:
        return "unknown"


def masks_dict(masks: Masks) -> dict[str, list]:
    """Masks as plain JSON values (sorted, so that equal masks write equal metadata)."""
    return {
        "mask_positions": sorted(masks.mask_positions),
        "knockouts": [list(k) for k in sorted(masks.knockouts)],
        "ablated_heads": [list(h) for h in sorted(masks.ablated_heads)],
    }


@dataclass(frozen=True)
class FigureMetadata:
    """Where a figure came from: enough to re-create the run and find the view again."""

    model: str  # catalog name, folder or hub id
    view: str  # heatmap | rollout (the heatmap showing the stack's rollout) | grid | all-layers
    stack: str  # encoder | decoder | cross
    layer: int
    head: int | None  # None: the mean of the layer's heads
    title: str
    text: str = ""
    source: str | None = None  # encoder-decoders: the encoder's input
    weights_hash: str | None = None  # content hash of the weights, when the engine knows it
    masks: dict[str, list] = field(default_factory=lambda: masks_dict(Masks()))
    generated_ids: tuple[int, ...] = ()  # tokens generated after the text
    colour_scale: str = "linear"
    hide_first_token: bool = False
    version: str = field(default_factory=attnlab_version)  # attnlab's

    def to_json(self) -> str:
        return json.dumps({"attnlab_figure": asdict(self)}, ensure_ascii=False, sort_keys=True)

    @property
    def creator(self) -> str:
        return f"attnlab {self.version}"


@dataclass(frozen=True)
class FigureData:
    """The numbers a view draws, at full resolution, with their labels."""

    matrix: NDArray[np.float32]  # heatmap: [query, key]; grid: [layer, head, query, key]
    layers: tuple[int, ...]  # the model layer of each block of a grid's matrix (heatmap: its one layer)
    queries: tuple[str, ...]
    keys: tuple[str, ...]
    metadata: FigureMetadata


def read_metadata(text: str) -> FigureMetadata:
    """The metadata back from its JSON (tests, and scripts tracing a figure)."""
    values = json.loads(text)["attnlab_figure"]
    values["generated_ids"] = tuple(values.get("generated_ids", ()))
    return FigureMetadata(**values)


# -- painting -----------------------------------------------------------------------------------


@contextmanager
def at_least(view: TitledView, minimum: QSize) -> Iterator[None]:
    """The view enlarged to `minimum` while it is drawn into a figure, when its pane is smaller: a
    narrow pane would cut the title and leave out most token labels. Put back afterwards."""
    before = view.size()
    wanted = before.expandedTo(minimum)
    if wanted == before:
        yield
        return
    _resize(view, wanted)
    try:
        yield
    finally:
        _resize(view, before)


def _resize(view: TitledView, size: QSize) -> None:
    view.resize(size)
    # The plot's minimum width follows its title, re-measured on a posted layout request: lay it out
    # again once that is done, or a shrunk view keeps the wider layout.
    QCoreApplication.sendPostedEvents()
    view.resizeEvent(None)
    QCoreApplication.sendPostedEvents()


def figure_size(view: TitledView) -> QSize:
    """The figure's size in logical pixels: the view's, plus a colour bar strip when it has none."""
    size = view.viewport().size()
    extra = 0 if getattr(view, "colorbar", None) is not None else COLORBAR_STRIP
    return QSize(size.width() + extra, size.height())


def paint_figure(view: TitledView, painter: QPainter) -> None:
    """Paint the view (and a colour bar if it has none) at the origin, in logical pixels."""
    size = view.viewport().size()
    total = figure_size(view)
    painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)  # PDF: no JPEG blur between cells
    painter.fillRect(QRectF(0, 0, total.width(), total.height()), QColor("white"))
    source = view.mapToScene(view.viewport().rect()).boundingRect()
    target = QRectF(0, 0, size.width(), size.height())
    handles = getattr(getattr(view, "colorbar", None), "region", None)  # the colour bar's drag handles
    hidden = [handles] if handles is not None and handles.isVisible() else []
    for item in hidden:
        item.setVisible(False)  # controls, not part of the figure
    try:
        view.scene().render(painter, target, source, Qt.AspectRatioMode.IgnoreAspectRatio)
    finally:
        for item in hidden:
            item.setVisible(True)
    if total.width() > size.width():
        lo, hi = view.image.getLevels() if view.image.image is not None else (0.0, 1.0)
        _paint_colorbar(painter, QRectF(size.width(), 0, COLORBAR_STRIP, size.height()), float(lo), float(hi))


def _paint_colorbar(painter: QPainter, strip: QRectF, lo: float, hi: float) -> None:
    """A vertical bar of the colour map, hi at the top, with three labelled ticks."""
    table = lookup_table()[::-1]  # [256, 3], brightest first: the top of the bar
    gradient = QImage(np.ascontiguousarray(table).tobytes(), 1, len(table), 3, QImage.Format.Format_RGB888).copy()
    margin = max(20.0, strip.height() * 0.08)
    bar = QRectF(strip.left() + 8, strip.top() + margin, 14, strip.height() - 2 * margin)
    painter.drawImage(bar, gradient)
    painter.setPen(QPen(QColor("#404040"), 1))
    painter.drawRect(bar)
    font = QFont()
    font.setPointSize(8)
    painter.setFont(font)
    for fraction in (0.0, 0.5, 1.0):
        y = bar.bottom() - fraction * bar.height()
        painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 4, y))
        label = f"{lo + fraction * (hi - lo):.2g}"
        painter.drawText(
            QRectF(bar.right() + 6, y - 8, strip.right() - bar.right() - 6, 16),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            label,
        )


def render_image(view: TitledView, dpi: float | None = None) -> QImage:
    """The figure as an image: at `dpi` (its size in inches is its on-screen size at 96 per inch),
    or at twice the screen's pixels."""
    scale = dpi / LOGICAL_DPI if dpi else SCREEN_MULTIPLE * view.devicePixelRatioF()
    size = figure_size(view)
    image = QImage(round(size.width() * scale), round(size.height() * scale), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(scale)  # cosmetic pens and fonts scale with it, as on a high-DPI screen
    _set_dpi(image, LOGICAL_DPI)  # while painting: the view's axes replay pictures whose fonts follow the DPI
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        paint_figure(view, painter)
    finally:
        painter.end()
    _set_dpi(image, scale * LOGICAL_DPI)  # what the file says: its printed size is the on-screen size
    return image


def _set_dpi(image: QImage, dpi: float) -> None:
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)


# -- files --------------------------------------------------------------------------------------


def suffix_of(path: Path, allowed: tuple[str, ...]) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in allowed:
        names = ", ".join(f".{s}" for s in allowed)
        raise EngineError("figure_ending", file=path.name, endings=names)
    if not path.parent.is_dir():
        raise EngineError("folder_missing", folder=str(path.parent))
    return suffix


def save_figure(view: TitledView, path: Path, metadata: FigureMetadata, dpi: float | None = None) -> Path:
    """Write the view as .png, .svg or .pdf (by the file's ending) with `metadata` embedded."""
    path = Path(path)
    suffix = suffix_of(path, IMAGE_FORMATS)
    if suffix == "png":
        data = _png_bytes(view, metadata, dpi)
    elif suffix == "svg":
        data = _svg_bytes(view, metadata)
    else:
        data = _pdf_bytes(view, metadata)
    write_atomically(path, data)
    return path


def _png_bytes(view: TitledView, metadata: FigureMetadata, dpi: float | None) -> bytes:
    image = render_image(view, dpi)
    image.setText("Title", metadata.title)  # PNG text chunks
    image.setText("Software", metadata.creator)
    image.setText("attnlab", metadata.to_json())
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # the stubs say bytes; PySide takes str
        raise EngineError("png_not_encoded")
    return bytes(buffer.data().data())


def _svg_bytes(view: TitledView, metadata: FigureMetadata) -> bytes:
    size = figure_size(view)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setResolution(round(LOGICAL_DPI))
    generator.setTitle(metadata.title)
    generator.setDescription(metadata.creator)
    painter = QPainter(generator)
    try:
        paint_figure(view, painter)
    finally:
        painter.end()
    svg = bytes(buffer.data().data()).decode("utf-8")
    block = f'<metadata><attnlab xmlns="{METADATA_NS}">{escape(metadata.to_json())}</attnlab></metadata>'
    start = svg.find(">", svg.find("<svg")) + 1  # right after the opening <svg ...> tag
    return (svg[:start] + "\n" + block + svg[start:]).encode("utf-8")


def _pdf_bytes(view: TitledView, metadata: FigureMetadata) -> bytes:
    """One page the figure's size (points = logical pixels × 72/96); its text stays text."""
    size = figure_size(view)
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(round(LOGICAL_DPI))
    points = QSizeF(size.width() * 72 / LOGICAL_DPI, size.height() * 72 / LOGICAL_DPI)
    page = QPageSize(points, QPageSize.Unit.Point, "figure", QPageSize.SizeMatchPolicy.ExactMatch)
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    writer.setTitle(metadata.title)
    writer.setCreator(metadata.creator)
    writer.setDocumentXmpMetadata(_xmp(metadata).encode("utf-8"))
    painter = QPainter(writer)
    try:
        paint_figure(view, painter)
    finally:
        painter.end()
    buffer.close()
    return bytes(array.data())


def _xmp(metadata: FigureMetadata) -> str:
    """XMP packet for the PDF: title, creator tool, and the figure's metadata as its description."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(metadata.title)}</rdf:li></rdf:Alt></dc:title>'
        f"<xmp:CreatorTool>{escape(metadata.creator)}</xmp:CreatorTool>"
        '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
        f"{escape(metadata.to_json())}</rdf:li></rdf:Alt></dc:description>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )


def save_matrix(data: FigureData, path: Path) -> Path:
    """The view's numbers: .npy as they are; .csv as the labelled matrix (heatmap) or one row per
    weight (grid: layer, head, query, key, tokens, weight)."""
    path = Path(path)
    suffix = suffix_of(path, DATA_FORMATS)
    if suffix == "csv" and data.matrix.ndim > 2 and data.matrix.size > CSV_ROW_LIMIT:
        raise ValueError(
            f"these heads hold {data.matrix.size:,} weights, one CSV row each: "
            "save them as .npy instead (or the large heatmap's one head as CSV)"
        )
    out = io.BytesIO()
    if suffix == "npy":
        np.save(out, data.matrix, allow_pickle=False)
    else:
        text = io.StringIO(newline="")
        _write_csv(csv.writer(text), data)
        out.write(text.getvalue().encode("utf-8"))
    write_atomically(path, out.getvalue())
    return path


def _write_csv(writer, data: FigureData) -> None:
    if data.matrix.ndim == 2:
        writer.writerow(["query \\ key", *data.keys])
        for label, row in zip(data.queries, data.matrix, strict=True):
            writer.writerow([label, *(repr(float(v)) for v in row)])
        return
    writer.writerow(["layer", "head", "query", "key", "query_token", "key_token", "weight"])
    for index, layer in enumerate(data.layers):
        for head, block in enumerate(data.matrix[index]):
            for query, row in enumerate(block):
                for key, value in enumerate(row):
                    writer.writerow([layer, head, query, key, data.queries[query], data.keys[key], repr(float(value))])


def write_atomically(path: Path, data: bytes) -> None:
    """Into a temporary file beside `path`, then renamed over it. Overwriting keeps what the user
    set up: a symlink stays a link (its target is rewritten), a file keeps its mode; a folder in
    the way is refused under its own name, not the temporary file's."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", str(path))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()  # mkstemp makes it private; a new figure is an ordinary file
    handle, temporary = tempfile.mkstemp(prefix=f".{short_name(target.name)}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def short_name(name: str, limit: int = 200) -> str:
    """`name` cut to `limit` bytes: a temporary file's prefix and suffix must not push a long name
    (up to 255 bytes, the file system's limit) past 255."""
    return name.encode()[:limit].decode(errors="ignore")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
