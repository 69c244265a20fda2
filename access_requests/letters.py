"""The decision letter (PDF, fpdf2, DejaVu Sans as the consent receipt): one resource's decision for the researcher
and the committee — request, biobank, outcome, rationale, conditions, approved attributes, access end date, and who
decided when. Anything typed by people is printed through ``receipt_printable`` so no character is silently lost."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from consent.receipt_font import FONT_DIR, receipt_printable

from .choices import RELEASE_ATTRIBUTES
from .models import Decision


class _LetterPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")


def decision_letter_filename(decision: Decision) -> str:
    request = decision.resource.request
    return f"decision-{request.number or request.pk}-{decision.resource.biobank.code}.pdf"


def decision_letter_pdf(decision: Decision) -> bytes:
    """The letter as PDF bytes."""
    resource = decision.resource
    request = resource.request
    pdf = _LetterPDF(format="A4")
    title = _("Decision on access request %(number)s") % {"number": request.number or request.pk}
    pdf.set_title(title)
    pdf.set_creator("Biobank Portal")
    pdf.set_creation_date(decision.decided_at)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.footer_text = f"{title} · {resource.biobank.name}"
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()

    def heading(value: str, size: int = 12) -> None:
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(0, 7, receipt_printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def body(value: str) -> None:
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 5, receipt_printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def fact(name: str, value: str) -> None:
        pdf.set_font("DejaVu", "B", 9)
        pdf.cell(55, 5, name)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, receipt_printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    decided_at = timezone.localtime(decision.decided_at)
    heading(title, 16)
    fact(_("Project"), request.title)
    fact(_("Researcher"), f"{request.researcher.full_name} <{request.researcher.email}>")
    fact(_("Biobank"), resource.biobank.name)
    fact(_("Outcome"), str(decision.get_outcome_display()))
    fact(_("Decided by"), decision.decided_by.full_name or decision.decided_by.email)
    fact(_("Decided on"), formats.date_format(decided_at, "DATETIME_FORMAT"))
    if decision.access_ends_on:
        fact(_("Access until"), formats.date_format(decision.access_ends_on, "DATE_FORMAT"))
    tally = decision.tally or {}
    if tally:
        fact(_("Votes"), _("%(a)s approve, %(r)s reject") % {"a": tally.get("approve", 0), "r": tally.get("reject", 0)})
    pdf.ln(3)
    heading(_("Rationale"))
    body(decision.rationale or "—")
    conditions = list(resource.conditions.all())
    if conditions:
        pdf.ln(2)
        heading(_("Conditions"))
        for number, condition in enumerate(conditions, start=1):
            line = f"{number}. {condition.get_kind_display()}"
            if condition.text:
                line += f": {condition.text}"
            if condition.due_on:
                line += " — " + _("by %(date)s") % {"date": formats.date_format(condition.due_on, "DATE_FORMAT")}
            body(line)
    if resource.approved_attributes:
        pdf.ln(2)
        heading(_("Approved data attributes"))
        for attribute in resource.approved_attributes:
            body(f"• {RELEASE_ATTRIBUTES.get(attribute, attribute)}")
    duo = decision.duo_match or {}
    if duo:
        pdf.ln(2)
        heading(_("DUO match at the time of the decision: %(d)s") % {"d": duo.get("decision", "")})
        for line in duo.get("rationale", []):
            body(f"• {line}")
    return bytes(pdf.output())
