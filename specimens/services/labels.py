"""Printing specimen labels: the renderer (``specimens.labels``) fed with each specimen's barcode and short lines,
and the print recorded in the audit trail (who printed which barcodes, how)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from biobank.accounts.models import Biobank
from biobank.accounts.principals import Actor
from biobank.audit.services import audit_record_many

from ..choices import SpecimenAuditAction
from ..labels import Label, render_pdf, render_zpl
from ..models import Specimen
from .permissions import require_change_specimens

PDF, ZPL = "pdf", "zpl"


@dataclass(frozen=True)
class PrintedLabels:
    """What a print gives back: the file's content, its media type and its extension."""

    content: bytes
    content_type: str
    extension: str


def label_of(specimen: Specimen) -> Label:
    """Barcode, then sample type (SPREC type and MIABIS material), the donor's PID and the collection date."""
    collected = timezone.localtime(specimen.collected_at).date().isoformat() if specimen.collected_at else ""
    lines = (f"{specimen.sample_type} {specimen.material_type}", specimen.donor.pid_display, collected)
    return Label(specimen.barcode, tuple(line for line in lines if line))


def specimen_labels_print(
    *,
    actor: Actor,
    biobank: Biobank,
    specimens: Sequence[Specimen],
    layout: str,
    symbology: str,
    output: str = PDF,
    start_position: int = 0,
    dpi: int = 300,
) -> PrintedLabels:
    """The labels of ``specimens`` (of ``biobank``, with their donors loaded) as a PDF or ZPL; a ``LabelError``
    names what cannot be printed, and nothing is recorded then. One audit event per specimen labelled."""
    require_change_specimens(actor, biobank)
    labels = [label_of(specimen) for specimen in specimens]
    if output == ZPL:
        printed = PrintedLabels(
            render_zpl(labels, layout=layout, symbology=symbology, dpi=dpi).encode("utf-8"), "text/plain", "zpl"
        )
    else:
        pdf = render_pdf(labels, layout=layout, symbology=symbology, start_position=start_position)
        printed = PrintedLabels(pdf, "application/pdf", "pdf")
    details = {"layout": layout, "symbology": symbology, "output": output}
    with transaction.atomic():
        audit_record_many(
            actor=actor,
            action=SpecimenAuditAction.SPECIMEN_LABELS,
            entries=[{"obj": specimen, "details": details} for specimen in specimens],
        )
    return printed
