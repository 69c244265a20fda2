"""Labels as ZPL II, sent to a Zebra printer as they are (a raw socket on port 9100, a USB print queue in raw
mode, or a file dropped on the printer's web page): no print middleware.

One ``^XA … ^XZ`` format per label, with the PDF's plan in printer dots:

- ``^CI28`` field data is UTF-8; ``^PW`` label width and ``^LL`` label length in dots; ``^LH0,0`` home at the
  label's corner.
- ``^FOx,y`` field origin; ``^FH`` then ``^FD…^FS`` field data in which ``^`` and ``~`` (ZPL's command
  prefixes), ``_`` (the ``^FH`` indicator) and every non-ASCII character are written as ``_XX`` hex bytes.
- Code 128: ``^BYw`` module width in dots, ``^BCN,h,N,N,N`` (mode N, no printer interpretation line: the text is
  ours). The data spells out the code sets pyStrich chose, with Zebra's invocation codes (``>:`` start B, ``>;``
  start C, ``>5``/``>6``/``>7`` switch to C/B/A, ``>0`` for ``>``, ``><`` for ``^``, ``>=`` for ``~``), so the
  printer draws exactly the bars the layout measured.
- Data Matrix: ``^BXN,h,200,0,0,6,e,1``: module size ``h`` dots, ECC 200, size chosen by the printer (never larger
  than the plan, which assumes the simplest encodation), ``e`` an escape character the barcode does not contain.
- QR Code: ``^BQN,2,m`` (model 2, magnification ``m``), data ``MA,…`` (error correction M, automatic input).
- Text: ``^A0N,h`` (scalable font 0, ``h`` dots high) in a one-line ``^FBw,1,0,L,0`` block, truncated beforehand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.utils.translation import gettext as _
from pystrich.code128 import Code128Data, Code128Encoder

from .layouts import Layout, get_layout
from .model import Label, LabelError, Symbology, check_labels, parse_symbology
from .pdf import plan_labels
from .plan import MIN_MODULE_MM, LabelPlan
from .text import PT_MM, fit_lines

ZPL_DPI = (203, 300)
FONT0_WIDTH = 0.62  # an upper bound of font 0's mean character width, in font heights (it is a condensed face)
_PLAIN = frozenset(chr(c) for c in range(0x20, 0x7F)) - set("^~_")
_DM_ESCAPES = "`|@!$%&*#"


def field(data: str) -> str:
    """``^FH^FD<data>^FS`` with every byte that could be read as ZPL written as ``_XX``."""
    escaped = "".join(c if c in _PLAIN else "".join(f"_{b:02X}" for b in c.encode()) for c in data)
    return f"^FH^FD{escaped}^FS"


# Code 128 values a Zebra takes as invocation codes: 94-102 (``~``/DEL, FNC3, FNC2, Shift, Code C, Code B or FNC4,
# Code A or FNC4, FNC1) and the three start codes; and ``>`` (value 30) and ``^`` (62), which must be written so.
_INVOCATIONS = {v: ">" + c for v, c in zip(range(94, 106), "=12345678" + "9:;", strict=True)} | {30: ">0", 62: "><"}
_SWITCH = {99: "C", 100: "B", 101: "A"}


def code128_invocations(barcode: str) -> str:
    """``^BC`` mode N field data for ``barcode``: pyStrich's code values, start, code-set switches and all."""
    values = Code128Encoder(Code128Data(barcode, encoding="ascii")).encoded_text
    charset = {103: "A", 104: "B", 105: "C"}[values[0]]
    out = [_INVOCATIONS[values[0]]]
    shifted = False
    for value in values[1:]:
        current = ("B" if charset == "A" else "A") if shifted else charset
        shifted = False
        if current == "C" and value < 100:
            out.append(f"{value:02d}")
        elif current != "C" and value in (30, 62, 94) and not (current == "A" and value == 94):
            out.append(_INVOCATIONS[value])  # ">", "^" and (in B) "~"
        elif current != "C" and value < (95 if current == "B" else 64):
            out.append(chr(value + 32))
        elif current != "C" and value == 98:
            out.append(_INVOCATIONS[value])
            shifted = True
        elif (current, value) in {("A", 99), ("B", 99), ("A", 100), ("C", 100), ("B", 101), ("C", 101)}:
            out.append(_INVOCATIONS[value])
            charset = _SWITCH[value]
        else:
            raise ValueError(f"Code 128 value {value} in code set {current} has no place in a printable barcode.")
    return "".join(out)


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
                "symbology": symbology.display_name,
                "size": layout.size.key,
                "dpi": dpi,
                "dots": module,
                "minimum": f"{minimum:.3f}",
            },
            field="barcode",
        )
    if symbology is Symbology.CODE128:
        bar_height = math.floor(plan.bar_height * dpi / 25.4)
        return f"^BY{module}^BCN,{bar_height},N,N,N" + field(code128_invocations(barcode))
    if symbology is Symbology.DATAMATRIX:
        escape = next((c for c in _DM_ESCAPES if c not in barcode), None)
        if escape is None:
            raise LabelError(
                _(
                    "Barcode %(barcode)s uses every character ZPL could escape a Data Matrix with; choose another "
                    "symbology."
                )
                % {"barcode": barcode},
                field="barcode",
            )
        return f"^BXN,{module},200,0,0,6,{escape},1" + field(barcode)
    return f"^BQN,2,{module}" + field("MA," + barcode)
