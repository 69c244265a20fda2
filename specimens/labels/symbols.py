"""The symbol a barcode becomes, as a grid of dark and light modules that the PDF and ZPL renderers place.

Code 128 and Data Matrix come from pyStrich, QR Code from segno; only their module grids are used, so the PDF draws
them as vector rectangles (crisp at any printer resolution). Both 2D symbols are encoded the simple way a Zebra
printer also encodes (Data Matrix byte by byte, QR in byte mode): the size planned here is then never smaller than
the one the printer draws from the ZPL, so a ZPL symbol never grows out of the space the layout gave it.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.utils.translation import gettext as _
from pystrich.code128 import Code128Data, Code128Encoder
from pystrich.datamatrix import DataMatrixData, DataMatrixEncoder
from pystrich.exceptions import PyStrichError

from .model import LabelError, Symbology

# Quiet zones (light margin every scanner needs), in modules: Code 128 ten, Data Matrix one, QR four.
QUIET_ZONE = {Symbology.CODE128: 10, Symbology.DATAMATRIX: 1, Symbology.QR: 4}
QR_ERROR_LEVEL = "M"


@dataclass(frozen=True)
class Symbol:
    """A symbol's modules, row by row (``True`` is dark), without its quiet zone. A 1D symbol has one row,
    stretched to the bar height when drawn."""

    symbology: Symbology
    rows: tuple[tuple[bool, ...], ...]

    @property
    def columns(self) -> int:
        return len(self.rows[0])

    @property
    def is_1d(self) -> bool:
        return self.symbology is Symbology.CODE128

    @property
    def quiet_zone(self) -> int:
        return QUIET_ZONE[self.symbology]

    def runs(self) -> list[tuple[int, int, int]]:
        """Dark runs as ``(row, first column, length)``: one rectangle per run keeps the PDF small."""
        found = []
        for r, row in enumerate(self.rows):
            start = None
            for c, dark in enumerate((*row, False)):
                if dark and start is None:
                    start = c
                elif not dark and start is not None:
                    found.append((r, start, c - start))
                    start = None
        return found


def build_symbol(barcode: str, symbology: Symbology, *, size_name: str) -> Symbol:
    """Encode ``barcode`` (printable ASCII, checked by ``check_labels``) in ``symbology``."""
    try:
        if symbology is Symbology.CODE128:
            bars = Code128Encoder(Code128Data(barcode, encoding="ascii")).bars
            return Symbol(symbology, (tuple(b == "1" for b in bars),))
        if symbology is Symbology.DATAMATRIX:
            encoder = DataMatrixEncoder(DataMatrixData(barcode, encoding="ascii"), quiet_zone=0, force_byte_mode=True)
            matrix = encoder.init_renderer().matrix
            return Symbol(symbology, tuple(tuple(bool(m) for m in row) for row in matrix))
        qr = segno.make_qr(barcode, error=QR_ERROR_LEVEL.lower(), mode="byte", boost_error=False)
        return Symbol(symbology, tuple(tuple(bool(m) for m in row) for row in qr.matrix))
    except (PyStrichError, segno.DataOverflowError, ValueError):
        raise LabelError(
            _("Barcode %(barcode)s is too long for a %(symbology)s symbol on %(size)s labels.")
            % {"barcode": barcode, "symbology": symbology.display_name, "size": size_name},
            field="barcode",
        ) from None
