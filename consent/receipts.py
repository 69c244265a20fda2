"""The PDF receipt of an electronically signed consent (fpdf2, pure Python, fonts shipped in consent/data/fonts).

It prints the exact text of the signed version in the signing language, each module with its wording and the
donor's choice, the signatures (typed name, drawn image, representative, staff countersignature), the time and the
donor's PID. The document's hash is the SHA-256 of the PDF's bytes (as downloaded; the stored file is encrypted,
see ``consent.documents``): it cannot be printed inside the file it covers, so the portal stores it beside the file
and shows it on the consent's page (anyone can recompute it).
"""

from __future__ import annotations

import io
from typing import cast

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from .choices import ConsentSource, ModuleChoice, TemplateType
from .documents import signature_values
from .models import Consent
from .receipt_font import FONT_DIR, receipt_printable

CHOICE_LABEL = {
    "en": {
        ModuleChoice.ACCEPTED: "Accepted",
        ModuleChoice.DECLINED: "Declined",
        ModuleChoice.UNANSWERED: "No answer",
        ModuleChoice.WITHDRAWN: "Withdrawn",
        "refused": "Refused",
        "kept": "Not withdrawn",
    },
    "de": {
        ModuleChoice.ACCEPTED: "Zugestimmt",
        ModuleChoice.DECLINED: "Abgelehnt",
        ModuleChoice.UNANSWERED: "Keine",
        ModuleChoice.WITHDRAWN: "Widerrufen",
        "refused": "Verweigert",
        "kept": "Nicht widerrufen",
    },
}
LABELS = {
    "en": {
        "receipt": "Consent receipt",
        "donor": "Donor (PID)",
        "biobank": "Biobank",
        "form": "Form",
        "signed": "Signed",
        "choices": "Choices",
        "signatures": "Signatures",
        "typed": "Typed name of the person signing",
        "drawn": "Drawn signature",
        "no_drawing": "none drawn; the typed name is the signature",
        "rep": "Legal representative / guardian",
        "counter": "Countersigned by staff member",
        "portal": "Given by the donor in the donor portal (signed in with a personal one-time link)",
        "hash": "The SHA-256 of this file is stored in the portal and shown on the consent's page.",
        "page": "page",
    },
    "de": {
        "receipt": "Einwilligungsbeleg",
        "donor": "Spender/in (PID)",
        "biobank": "Biobank",
        "form": "Formular",
        "signed": "Unterschrieben",
        "choices": "Entscheidungen",
        "signatures": "Unterschriften",
        "typed": "Getippter Name der unterschreibenden Person",
        "drawn": "Gezeichnete Unterschrift",
        "no_drawing": "keine gezeichnet; der getippte Name ist die Unterschrift",
        "rep": "Gesetzliche Vertretung / Vormund",
        "counter": "Gegengezeichnet von",
        "portal": "Von der spendenden Person im Spenderportal erteilt (angemeldet mit einem persönlichen Einmal-Link)",
        "hash": "Die SHA-256-Prüfsumme dieser Datei ist im Portal gespeichert und auf der Seite der Einwilligung "
        "angezeigt.",
        "page": "Seite",
    },
}


LABEL_WIDTH = 58  # mm: the column of the labels of the facts (donor, form, signatures); the values take the rest
COLUMN_GAP = 4


class _ReceiptPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")


def receipt_pdf(consent: Consent) -> bytes:
    """The receipt as PDF bytes."""
    language = consent.language if consent.language in LABELS else "en"
    label = LABELS[language]
    template = consent.template
    text = template.texts.get(language=consent.language)
    signed = timezone.localtime(consent.countersigned_at or consent.recorded_at)

    pdf = _ReceiptPDF(format="A4")
    pdf.set_title(f"{label['receipt']} {consent.uid}")
    pdf.set_creator("Biobank Portal")
    pdf.set_creation_date(consent.recorded_at)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.footer_text = f"{label['receipt']} {consent.uid} · {template.code} {template.version_label} · {label['page']}"
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()

    def heading(value: str, size: int = 13) -> None:
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(0, 7, receipt_printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def body(value: str, size: int = 10) -> None:
        pdf.set_font("DejaVu", "", size)
        pdf.multi_cell(0, 5, receipt_printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def column(width: float, value: str, style: str, *, dry_run: bool = False) -> int:
        """``value`` wrapped in a column ``width`` wide at the current position; the number of lines it takes."""
        pdf.set_font("DejaVu", style, 9)
        if dry_run:
            lines = pdf.multi_cell(width, 5, value, align="L", dry_run=True, output=MethodReturnValue.LINES)
            return len(cast("list[str]", lines))
        pdf.multi_cell(width, 5, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return 0

    def fact(name: str, value: str) -> None:
        """A label and its value side by side, each wrapped in its own column (a long German label or a long name
        takes more lines, never the other column's space); the row is kept on one page."""
        value = receipt_printable(value)
        value_width = pdf.epw - LABEL_WIDTH - COLUMN_GAP
        lines = max(column(LABEL_WIDTH, name, "B", dry_run=True), column(value_width, value, "", dry_run=True))
        if pdf.will_page_break(5 * lines):
            pdf.add_page()
        top = pdf.get_y()
        column(LABEL_WIDTH, name, "B")
        bottom = pdf.get_y()
        if value:
            pdf.set_xy(pdf.l_margin + LABEL_WIDTH + COLUMN_GAP, top)
            column(value_width, value, "")
        pdf.set_xy(pdf.l_margin, max(bottom, pdf.get_y()))

    heading(label["receipt"], 16)
    fact(label["donor"], consent.donor.pid)
    fact(label["biobank"], consent.biobank.name)
    fact(label["form"], f"{template.code} {template.version_label} ({template.get_type_display()}, {consent.language})")
    fact(label["signed"], signed.strftime("%Y-%m-%d %H:%M %Z"))
    pdf.ln(4)

    heading(text.title)
    body(text.text)
    pdf.ln(3)

    heading(label["choices"])
    answers = {c.module_id: c.choice for c in consent.choices.all()}
    for link in template.template_modules.select_related("module").order_by("position"):
        module = link.module
        depth = "    " if module.parent_id else ""
        answer = answers.get(module.pk, ModuleChoice.UNANSWERED)
        if template.type == TemplateType.REFUSAL:  # a refusal form refuses everything on it
            answer = "refused"
        elif template.type == TemplateType.WITHDRAWAL and answer != ModuleChoice.WITHDRAWN:
            answer = "kept"
        choice = CHOICE_LABEL[language][answer]
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(
            0,
            5,
            receipt_printable(f"{depth}{module.title_in(consent.language)}: {choice}"),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        if module.text_in(consent.language):
            body(module.text_in(consent.language), 9)
        pdf.ln(1.5)
    pdf.ln(3)

    heading(label["signatures"])
    signature = signature_values(consent)  # decrypted here only, for the encrypted receipt
    fact(label["typed"], signature.signer_name)
    if signature.signature_png:
        fact(label["drawn"], "")
        pdf.image(io.BytesIO(signature.signature_png), w=70)
    else:
        fact(label["drawn"], label["no_drawing"])
    if signature.representative_name:
        fact(label["rep"], f"{signature.representative_name} ({consent.representative_relation})")
    if consent.source == ConsentSource.DONOR_PORTAL:
        body(label["portal"], 9)
    counter = consent.countersigned_by
    if counter is not None:
        fact(label["counter"], f"{counter.get_full_name() or counter.email}, {signed:%Y-%m-%d %H:%M}")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(0, 4, label["hash"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
