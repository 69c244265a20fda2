"""Where the symbol and the text go on one label, in millimetres from the label's top-left corner.

The PDF and the ZPL renderers place the same plan, so both print the same label. A 1D symbol spans the label's
width with the text below it; a 2D symbol sits square at the left with the text beside it. The module (the
narrowest bar, or one cell of a 2D symbol) is as large as the space allows; below the smallest that scanners read
reliably the barcode is refused with a ``LabelError`` rather than printed unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .layouts import LabelSize
from .model import LabelError, Symbology
from .symbols import Symbol

PADDING_MM = 1.0  # kept clear along every edge: cutting and print registration wander by about this much
GAP_MM = 0.8  # between the symbol and the text
BAR_SHARE = 0.5  # of the inner height, for the bars of a 1D symbol (the rest is text)
SYMBOL_SHARE = 0.55  # of the inner width a 2D symbol may take at most (the rest is text)

# The smallest module printed: 1D at 6.5 mil (two dots at 300 dpi, four at 600; read by the high-density imagers
# biobanks use on tubes), 2D at 10 mil (two dots at 203 dpi).
MIN_MODULE_MM = {Symbology.CODE128: 0.165, Symbology.DATAMATRIX: 0.25, Symbology.QR: 0.25}


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class LabelPlan:
    """The symbol's top-left corner and module size (its quiet zone lies around it, inside the label), its bar
    height when 1D, and the box the text must stay in."""

    symbol: Symbol
    x: float
    y: float
    module: float
    bar_height: float
    text: Box


def too_long(barcode: str, symbology: Symbology, size: LabelSize, module: float, minimum: float) -> LabelError:
    """The error for a barcode whose symbol would need modules smaller than ``minimum`` on this size."""
    return LabelError(
        _(
            "Barcode %(barcode)s is too long for a %(symbology)s symbol on %(size)s labels: its modules would be "
            "%(module)s mm, and the smallest that scans reliably is %(minimum)s mm. Choose a larger label size or "
            "a 2D symbology."
        )
        % {
            "barcode": barcode,
            "symbology": symbology.display_name,
            "size": size.key,
            "module": f"{module:.3f}",
            "minimum": f"{minimum:.3f}",
        },
        field="barcode",
    )


def plan_label(barcode: str, symbol: Symbol, size: LabelSize) -> LabelPlan:
    """The plan of one label on ``size``, or a ``LabelError`` if the symbol's modules would be too small."""
    inner_w = size.width - 2 * PADDING_MM
    inner_h = size.height - 2 * PADDING_MM
    quiet = symbol.quiet_zone
    if symbol.is_1d:
        module = inner_w / (symbol.columns + 2 * quiet)
        bar_height = inner_h * BAR_SHARE
        x = PADDING_MM + quiet * module
        y = PADDING_MM
        text = Box(PADDING_MM, y + bar_height + GAP_MM / 2, inner_w, inner_h - bar_height - GAP_MM / 2)
    else:
        rows, cols = len(symbol.rows), symbol.columns
        module = min(inner_h / (rows + 2 * quiet), inner_w * SYMBOL_SHARE / (cols + 2 * quiet))
        bar_height = rows * module
        x = PADDING_MM + quiet * module
        y = PADDING_MM + (inner_h - bar_height) / 2
        text_x = PADDING_MM + (cols + 2 * quiet) * module + GAP_MM
        text = Box(text_x, PADDING_MM, size.width - PADDING_MM - text_x, inner_h)
    minimum = MIN_MODULE_MM[symbol.symbology]
    if module < minimum:
        raise too_long(barcode, symbol.symbology, size, module, minimum)
    return LabelPlan(symbol, x, y, module, bar_height, text)
