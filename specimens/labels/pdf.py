"""Labels as a PDF: a sheet of labels for a laser printer, or one label a page for a roll printer.

Symbols are vector rectangles (one per dark run), so bars keep sharp edges at any resolution; text is set in
DejaVu Sans (the font the consent receipts ship), which covers accented Latin, Greek and Cyrillic. A character
the font lacks shows as ``[U+XXXX]`` rather than vanishing (``consent.receipt_font.receipt_printable``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from fpdf import FPDF

from consent.receipt_font import FONT_DIR, receipt_printable

from .layouts import Layout, get_layout
from .model import Label, LabelError, Symbology, check_labels, parse_symbology
from .plan import LabelPlan, plan_label
from .symbols import build_symbol
from .text import PT_MM, fit_lines

FONT = "DejaVu"
FONT_FILE = FONT_DIR / "DejaVuSans.ttf"
BASELINE = 0.946  # DejaVu's ascent (0.928 em) plus half the leading's spare room, in font sizes


def check_start(layout: Layout, start_position: int) -> None:
    """A ``LabelError`` unless ``start_position`` is a cell of the layout's sheet (only 0 on a roll)."""
    last = layout.per_page - 1
    if not isinstance(start_position, int) or not 0 <= start_position <= last:
        raise LabelError(
            _("Start position %(start)s is outside the %(layout)s page: its positions run from 0 to %(last)s.")
            % {"start": start_position, "layout": layout.key, "last": last},
            field="start_position",
        )


def plan_labels(labels: list[Label], layout: Layout, symbology: Symbology) -> list[LabelPlan]:
    """Every label's plan, so a barcode too long for the size is refused before anything is drawn."""
    return [
        plan_label(lb.barcode, build_symbol(lb.barcode, symbology, size_name=layout.size.key), layout.size)
        for lb in labels
    ]


def render_pdf(
    labels: Iterable[Label],
    *,
    layout: str | Layout,
    symbology: str | Symbology = Symbology.DATAMATRIX,
    start_position: int = 0,
) -> bytes:
    """The labels as a PDF on ``layout``, the first one at cell ``start_position`` (0 is the top-left cell;
    counting goes along the rows), so a partly used sheet can go through the printer again."""
    layout = get_layout(layout)
    symbology = parse_symbology(symbology)
    checked = check_labels(labels)
    check_start(layout, start_position)
    plans = plan_labels(checked, layout, symbology)

    pdf = FPDF(orientation="P", unit="mm", format=layout.page_size())
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(_("Specimen labels"))
    pdf.add_font(FONT, fname=str(FONT_FILE))
    pdf.set_fill_color(0)
    pdf.set_text_color(0)
    for offset, (label, plan) in enumerate(zip(checked, plans, strict=True)):
        cell = start_position + offset
        if offset == 0 or cell % layout.per_page == 0:
            pdf.add_page()
        left, top = layout.cell_origin(cell)
        _draw_symbol(pdf, plan, left, top)
        _draw_text(pdf, label, plan, left, top)
    return bytes(pdf.output())


def _draw_symbol(pdf: FPDF, plan: LabelPlan, left: float, top: float) -> None:
    symbol, module = plan.symbol, plan.module
    height = plan.bar_height if symbol.is_1d else module
    for row, column, length in symbol.runs():
        pdf.rect(left + plan.x + column * module, top + plan.y + row * module, length * module, height, style="F")


def _draw_text(pdf: FPDF, label: Label, plan: LabelPlan, left: float, top: float) -> None:
    def measure(text: str, size: float) -> float:
        pdf.set_font(FONT, size=size)
        return float(pdf.get_string_width(text))

    texts = [label.barcode, *(receipt_printable(line) for line in label.lines)]
    box = plan.text
    for line in fit_lines(texts, box.width, box.height, measure):
        pdf.set_font(FONT, size=line.size)
        pdf.text(left + box.x, top + box.y + line.top + BASELINE * line.size * PT_MM, line.text)
