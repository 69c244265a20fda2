"""Reading back what the label renderers drew: PDF pages rasterised by PDFium, symbols decoded by zxing-cpp."""

from __future__ import annotations

import io

import pypdfium2
import zxingcpp
from PIL import Image

from specimens.labels import Layout

DPI = 600
MM = DPI / 25.4


def pages(pdf: bytes) -> pypdfium2.PdfDocument:
    return pypdfium2.PdfDocument(io.BytesIO(pdf))


def raster(page: pypdfium2.PdfPage) -> Image.Image:
    return page.render(scale=DPI / 72).to_pil().convert("L")


def cell_image(image: Image.Image, layout: Layout, index: int) -> Image.Image:
    """The part of a page image that is label cell ``index``, with 1 mm of the page around it."""
    left, top = layout.cell_origin(index)
    box = (left - 1, top - 1, left + layout.size.width + 1, top + layout.size.height + 1)
    return image.crop(tuple(round(v * MM) for v in box))


def decode(image: Image.Image) -> list[str]:
    """Every symbol zxing-cpp finds in ``image``, as text."""
    return [result.text for result in zxingcpp.read_barcodes(image)]


def is_blank(image: Image.Image) -> bool:
    return image.getextrema()[0] > 250
