"""Builders of the wizard's tests: published catalogue collections, PDFs, and drafts made complete through the real
services (profile, attachments, team)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from access_requests.choices import AttachmentKind
from access_requests.models import AccessRequest
from access_requests.services.attachments import attachment_add
from access_requests.services.requests import request_create
from biobank.accounts.models import Biobank, User
from catalog.models import BiobankProfile, Collection
from tests.catalog.factories import make_public_profile, make_published_collection

_codes = itertools.count(1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name: str = "ethics.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def published_collection(biobank: Biobank, **attributes: Any) -> Collection:
    """A published collection of ``biobank`` (its public profile made on first use)."""
    if not BiobankProfile.objects.filter(biobank=biobank).exists():
        make_public_profile(biobank)
    number = next(_codes)
    return make_published_collection(biobank, f"wiz-{number}", f"Wizard collection {number}", **attributes)


def complete_fields(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Plasma markers of type 2 diabetes",
        "lay_summary": "We look for signs in blood that tell early who will get diabetes.",
        "abstract": "A nested case-control study of 40 plasma proteins.",
        "purpose_kind": "disease",
        "disease": "e11",
        "material": [{"material_type": "PLASMA", "amount": "0.5", "unit": "mL", "samples": 200}],
        "criteria": {"material_types": ["PLASMA"]},
        "ethics_reference": "EK-2026-117",
        "ethics_expiry": timezone.localdate() + timedelta(days=365),
        "funding": "DFG grant 123",
        "duration_months": 24,
        **overrides,
    }


def complete_draft(researcher: User, collections: list[Collection], **overrides: Any) -> AccessRequest:
    """A draft that may be submitted: every field, the ethics approval uploaded."""
    request = request_create(
        actor=researcher, collection_ids=[c.pk for c in collections], **complete_fields(**overrides)
    )
    attachment_add(actor=researcher, request=request, kind=AttachmentKind.ETHICS_APPROVAL, file=pdf_upload())
    return request
