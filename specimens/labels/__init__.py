"""Specimen labels (issue 11, item 5): Code 128, Data Matrix or QR Code with short text, as a PDF for label sheets
and rolls, or as ZPL II for Zebra printers. A pure renderer: it takes ``Label`` values, not specimens.

    render_pdf([Label("BB-000123", ("PL1 · P-7F3K2", "2026-12-06"))], layout="1.28x0.5in-letter")

See docs/labels.md.
"""

from .layouts import LAYOUTS, SIZES, LabelSize, Layout, Sheet, get_layout
from .model import MAX_BARCODE_LENGTH, Label, LabelError, Symbology
from .pdf import render_pdf
from .zpl import ZPL_DPI, render_zpl

__all__ = [
    "LAYOUTS",
    "MAX_BARCODE_LENGTH",
    "SIZES",
    "ZPL_DPI",
    "Label",
    "LabelError",
    "LabelSize",
    "Layout",
    "Sheet",
    "Symbology",
    "get_layout",
    "render_pdf",
    "render_zpl",
]
