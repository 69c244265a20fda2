"""Labels as ZPL II, sent to a Zebra printer as they are (a raw socket on port 9100, a USB print queue in raw
mode, or a file dropped on the printer's web page): no print middleware.

One ``^XA … ^XZ`` format per label, with the PDF's plan in printer dots:

- ``^CI28`` field data is UTF-8; ``^PW`` label width and ``^LL`` label length in dots; ``^LH0,0`` home at the
  label's corner.
- ``^FOx,y`` field origin; ``^FH`` then ``^FD…^FS`` field data in which every character but letters, digits,
  space and ``.-/:`` is written as ``_XX`` hex bytes, so ``^`` and ``~`` (ZPL's command prefixes) and ``_`` never
  reach the parser as themselves.
- Code 128: ``^BYw`` module width in dots, ``^BCN,h,N,N,N`` (no printer interpretation line: the text is ours),
  data starting ``>:`` (start in subset B, which carries all printable ASCII) with ``>`` written ``><``.
- Data Matrix: ``^BXN,h,200,0,0,6,e,1``: module size ``h`` dots, ECC 200, size chosen by the printer (never larger
  than the plan, which assumes the simplest encodation), ``e`` an escape character the barcode does not contain.
- QR Code: ``^BQN,2,m`` (model 2, magnification ``m``), data ``MA,…`` (error correction M, automatic input).
- Text: ``^A0N,h`` (scalable font 0, ``h`` dots high) in a one-line ``^FBw,1,0,L,0`` block, truncated beforehand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.utils.translation import gettext as _

from .layouts import Layout, get_layout
from .model import Label, LabelError, Symbology, check_labels, parse_symbology
from .pdf import plan_labels
from .plan import MIN_MODULE_MM, LabelPlan
from .text import PT_MM, fit_lines

ZPL_DPI = (203, 300)
FONT0_WIDTH = 0.62  # an upper bound of font 0's mean character width, in font heights (it is a condensed face)
_PLAIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-/:")
_DM_ESCAPES = "`|@!$%&*#"


def field(data: str) -> str:
    """``^FH^FD<data>^FS`` with every byte that could be read as ZPL written as ``_XX``."""
    escaped = "".join(c if c in _PLAIN else "".join(f"_{b:02X}" for b in c.encode()) for c in data)
    return f"^FH^FD{escaped}^FS"


def render_zpl(
    labels: Iterable[Label],
    *,
    layout: str | Layout,
    symbology: str | Symbology = Symbology.DATAMATRIX,
    dpi: int = 300,
) -> str:
    """The labels as ZPL II for a Zebra printer of ``dpi`` (203 or 300) loaded with ``layout``'s label size (a
    sheet layout's size is used as if on a roll)."""
    layout = get_layout(layout)
    symbology = parse_symbology(symbology)
    if dpi not in ZPL_DPI:
        raise LabelError(
            _("A Zebra printer prints at 203 or 300 dpi, not %(dpi)s.") % {"dpi": dpi},
            field="dpi",
        )
    checked = check_labels(labels)
    plans = plan_labels(checked, layout, symbology)
    return "\n".join(_label(label, plan, layout, dpi) for label, plan in zip(checked, plans, strict=True)) + "\n"


def _label(label: Label, plan: LabelPlan, layout: Layout, dpi: int) -> str:
    def dots(mm: float) -> int:
        return round(mm * dpi / 25.4)

    size = layout.size
    lines = ["^XA", "^CI28", f"^PW{dots(size.width)}", f"^LL{dots(size.height)}", "^LH0,0"]
    lines.append(f"^FO{dots(plan.x)},{dots(plan.y)}" + _symbol(label.barcode, plan, layout, dpi))
    box = plan.text

    def measure(text: str, size_pt: float) -> float:
        return len(text) * FONT0_WIDTH * size_pt * PT_MM

    for line in fit_lines([label.barcode, *label.lines], box.width, box.height, measure):
        height = max(1, math.floor(line.size * PT_MM * dpi / 25.4))
        lines.append(
            f"^FO{dots(box.x)},{dots(box.y + line.top)}^A0N,{height}^FB{math.floor(box.width * dpi / 25.4)},1,0,L,0"
            + field(line.text)
        )
    lines.append("^XZ")
    return "\n".join(lines)


def _symbol(barcode: str, plan: LabelPlan, layout: Layout, dpi: int) -> str:
    symbology = plan.symbol.symbology
    module = math.floor(plan.module * dpi / 25.4 + 1e-9)
    if symbology is not Symbology.DATAMATRIX:
        module = min(module, 10)  # the largest ^BY and ^BQ accept
    minimum = MIN_MODULE_MM[symbology]
    if module * 25.4 / dpi < minimum - 1e-9:
        raise LabelError(
            _(
                "Barcode %(barcode)s is too long for a %(symbology)s symbol on %(size)s labels at %(dpi)s dpi: its "
                "modules would be %(dots)s dots, less than the %(minimum)s mm that scans reliably. Choose a larger "
                "label size, a 2D symbology or a 300 dpi printer."
            )
            % {
                "barcode": barcode,
                "symbology": symbology.title,
                "size": layout.size.key,
                "dpi": dpi,
                "dots": module,
                "minimum": f"{minimum:.3f}",
            },
            field="barcode",
        )
    if symbology is Symbology.CODE128:
        bar_height = math.floor(plan.bar_height * dpi / 25.4)
        return f"^BY{module}^BCN,{bar_height},N,N,N" + field(">:" + barcode.replace(">", "><"))
    if symbology is Symbology.DATAMATRIX:
        escape = next((c for c in _DM_ESCAPES if c not in barcode), None)
        if escape is None:
            raise LabelError(
                _("Barcode %(barcode)s uses every character ZPL could escape a Data Matrix with; use another symbology.")
                % {"barcode": barcode},
                field="barcode",
            )
        return f"^BXN,{module},200,0,0,6,{escape},1" + field(barcode)
    return f"^BQN,2,{module}" + field("MA," + barcode)
