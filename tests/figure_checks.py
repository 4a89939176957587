"""Independent checks of figure files: decode the PNG with Qt, parse the SVG as XML, read the PDF's
bytes; and read back the metadata each embeds."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from attnlab.app.figures import METADATA_NS, FigureMetadata, read_metadata

SVG = "{http://www.w3.org/2000/svg}"


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
