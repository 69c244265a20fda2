"""Specimen barcodes: scanned ones checked, missing ones generated from ``SPECIMEN_BARCODE_PATTERN``."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.models import Biobank
from biobank.errors import ConflictError, DomainError

from ..models import BarcodeSequence, Specimen
from ..models.specimens import BARCODE_MAX_LENGTH

# What a label, a scanner and a URL all carry unchanged: letters, digits and . _ - + / : (no spaces).
BARCODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+/:-]*$")


def barcode_problem(barcode: str) -> str | None:
    """Why ``barcode`` cannot be a specimen barcode, as a sentence; ``None`` when it can."""
    if not barcode:
        return _("A barcode is required.")
    if len(barcode) > BARCODE_MAX_LENGTH:
        return _("A barcode has at most %(max)d characters (this one has %(length)d).") % {
            "max": BARCODE_MAX_LENGTH,
            "length": len(barcode),
        }
    if not BARCODE_RE.match(barcode):
        return _(
            "Barcode %(barcode)r may contain only letters, digits and . _ + / : - and must start with a letter or "
            "digit."
        ) % {"barcode": barcode}
    if any(part in (".", "..") for part in barcode.split("/")):
        # a URL resolves "." and ".." segments: the API's address of "A/../B" would be B's
        return _("Barcode %(barcode)r may not have . or .. between slashes.") % {"barcode": barcode}
    return None


def barcode_checked(barcode: str, *, field: str = "barcode") -> str:
    barcode = (barcode or "").strip()
    problem = barcode_problem(barcode)
    if problem:
        raise DomainError(problem, field=field, code="barcode")
    if Specimen.objects.filter(barcode=barcode).exists():
        raise ConflictError(
            _("Barcode %(barcode)s is already in use; every specimen needs its own.") % {"barcode": barcode},
            field=field,
            code="barcode_taken",
        )
    return barcode


def barcodes_generate(biobank: Biobank, count: int) -> list[str]:
    """``count`` new barcodes of the biobank, numbered under a row lock (concurrent registrations never collide)."""
    BarcodeSequence.objects.get_or_create(biobank=biobank)
    sequence = BarcodeSequence.objects.select_for_update().get(biobank=biobank)
    first = sequence.next_value
    sequence.next_value = first + count
    sequence.save(update_fields=["next_value"])
    year = timezone.localdate().year
    pattern = settings.SPECIMEN_BARCODE_PATTERN
    codes = [pattern.format(biobank=biobank.code.upper(), year=year, seq=first + i) for i in range(count)]
    taken = set(Specimen.objects.filter(barcode__in=codes).values_list("barcode", flat=True))
    if taken or len(set(codes)) != len(codes):
        raise ConflictError(
            _(
                "The barcode pattern %(pattern)s gave barcodes that exist already (%(taken)s); an operator must "
                "change SPECIMEN_BARCODE_PATTERN or the biobank's barcode sequence."
            )
            % {"pattern": pattern, "taken": ", ".join(sorted(taken)[:3]) or "duplicates"},
            code="barcode_taken",
        )
    for code in codes:
        problem = barcode_problem(code)
        if problem:
            raise DomainError(problem, code="barcode")
    return codes
