"""The packing list of a shipment as PDF (fpdf2, the portal's own DejaVu font): request, recipient, courier and its
reference, shipping temperature, and one line per specimen (barcode, material, quantity)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from biobank.formats.zones import zoned
from consent.receipt_font import FONT_DIR

from .models import Shipment


def packing_list_pdf(shipment: Shipment) -> bytes:
    """The packing list as PDF bytes."""
    resource = shipment.resource
    request = resource.request
    pdf = FPDF(format="A4")
    pdf.set_title(_("Packing list %(id)s") % {"id": shipment.pk})
    pdf.set_creator("Biobank Portal")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(0, 8, _("Packing list %(id)s") % {"id": shipment.pk}, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    facts = [
        (_("Request"), f"{request.number} {request.title}"),
        (_("From"), resource.biobank.name),
        (_("To"), shipment.address),
        (_("Courier"), shipment.courier),
        (_("Courier reference"), shipment.courier_reference or "—"),
        (_("Shipping temperature"), shipment.temperature),
        (_("Status"), str(shipment.get_status_display())),
        (_("Printed"), zoned(timezone.now())),
    ]
    for label, value in facts:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(45, 6, str(label))
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 6, value or "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    widths = (70, 60, 50)
    pdf.set_font("DejaVu", "B", 10)
    for width, title in zip(widths, (_("Barcode"), _("Material"), _("Quantity")), strict=True):
        pdf.cell(width, 7, str(title), border=1)
    pdf.ln()
    pdf.set_font("DejaVu", "", 10)
    items = shipment.items.select_related("specimen").order_by("specimen__barcode")
    for item in items:
        specimen = item.specimen
        quantity = item.quantity if item.quantity is not None else specimen.quantity
        cells = (specimen.barcode, specimen.material_type, f"{quantity.normalize():f} {specimen.unit}")
        for width, value in zip(widths, cells, strict=True):
            pdf.cell(width, 6, value, border=1)
        pdf.ln()
    pdf.ln(2)
    pdf.cell(0, 6, _("%(count)s specimen(s)") % {"count": items.count()})
    return bytes(pdf.output())
