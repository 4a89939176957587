"""Independent checks of figure files: decode the PNG with Qt, parse the SVG as XML, read the PDF's
bytes; and read back the metadata each embeds."""

from __future__ import annotations

import base64
import html
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from attnlab.app.figures import METADATA_NS, FigureMetadata, read_metadata

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def png_image(path: Path) -> QImage:
    image = QImage(str(path))
    assert not image.isNull(), f"{path} does not decode as an image"
    return image


def distinct_colours(image: QImage) -> int:
    """How many colours the image has (a blank or failed render has one or two)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    rows = np.frombuffer(rgb.constBits(), np.uint32, rgb.height() * rgb.bytesPerLine() // 4)
    return len(np.unique(rows.reshape(rgb.height(), -1)[:, : rgb.width()]))


def png_metadata(path: Path) -> FigureMetadata:
    return read_metadata(png_image(path).text("attnlab"))


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()  # valid XML, or this raises
    assert root.tag == f"{SVG}svg"
    return [(element.text or "").strip() for element in root.iter(f"{SVG}text")]


def svg_images(path: Path) -> list[tuple[QImage, float, float]]:
    """Every raster the SVG embeds: the decoded image, and the width and height it is drawn at in the
    figure's units (its own through the `matrix(...)` transforms of the groups around it)."""
    found: list[tuple[QImage, float, float]] = []

    def walk(element: ET.Element, sx: float, sy: float) -> None:
        transform = element.get("transform")
        if transform:
            numbers = re.fullmatch(r"matrix\(([^)]*)\)", transform.strip())
            assert numbers, f"a transform this check does not read: {transform}"
            a, b, c, d, _e, _f = (float(v) for v in numbers.group(1).split(","))
            sx, sy = sx * math.hypot(a, b), sy * math.hypot(c, d)
        if element.tag == f"{SVG}image":
            href = element.get(XLINK_HREF) or element.get("href") or ""
            assert href.startswith("data:image/png;base64,"), "an image that is not an embedded PNG"
            image = QImage.fromData(base64.b64decode(href.split(",", 1)[1]), "PNG")
            assert not image.isNull()
            found.append((image, float(element.get("width", 0)) * sx, float(element.get("height", 0)) * sy))
        for child in element:
            walk(child, sx, sy)

    walk(ET.parse(path).getroot(), 1.0, 1.0)
    return found


def cell_colours(image: QImage, rows: int, columns: int) -> np.ndarray:
    """[rows, columns, 3] RGB of an image of rows × columns cells, each a uniform block of pixels
    (or this fails: the cells were smoothed into each other)."""
    assert image.height() % rows == 0 and image.width() % columns == 0, (image.size(), rows, columns)
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    pixels = np.frombuffer(rgb.constBits(), np.uint8, rgb.height() * rgb.bytesPerLine())
    pixels = pixels.reshape(rgb.height(), rgb.bytesPerLine())[:, : 3 * rgb.width()].reshape(rgb.height(), -1, 3)
    blocks = pixels.reshape(rows, image.height() // rows, columns, image.width() // columns, 3)
    corner = blocks[:, :1, :, :1]
    assert (blocks == corner).all(), "a cell is not one colour: its edges are smoothed"
    return corner[:, 0, :, 0].copy()


def assert_viridis_of(colours: np.ndarray, weights: np.ndarray) -> None:
    """colours [..., 3] are the colour map's for weights in [0, 1] (256 bins; one bin either way allowed
    for rounding: the weights here come from an eager forward, the window's from its float16 store)."""
    from attnlab.app.plots.colors import lookup_table

    table = lookup_table().astype(int)  # [256, 3]
    index = np.clip((weights * 256).astype(int), 0, 255)
    near = np.stack([table[np.clip(index + step, 0, 255)] for step in (-1, 0, 1)])  # [3, ..., 3]
    assert (near == colours.astype(int)).all(axis=-1).any(axis=0).all(), "a cell's colour is not its weight's"


def svg_metadata(path: Path) -> FigureMetadata:
    block = ET.parse(path).getroot().find(f"{SVG}metadata/{{{METADATA_NS}}}attnlab")
    assert block is not None and block.text, "no <metadata> with attnlab's figure metadata"
    return read_metadata(block.text)


def pdf_pages(data: bytes) -> int:
    assert data.startswith(b"%PDF-"), "not a PDF"
    assert data.rstrip().endswith(b"%%EOF")
    assert b"/DCTDecode" not in data  # the heatmap is not JPEG-compressed (its cells would bleed)
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))


def pdf_metadata(data: bytes) -> FigureMetadata:
    """From the XMP packet's description (the info dictionary holds the title and creator)."""
    assert b"/Title" in data and b"/Creator" in data
    found = re.search(rb'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">(.*?)</rdf:li>', data, re.S)
    assert found, "no XMP description"
    return read_metadata(html.unescape(found.group(1).decode("utf-8")))
