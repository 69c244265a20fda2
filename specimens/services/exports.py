"""An export of a specimen list is itself audited: who took which filtered list, in which format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from biobank.accounts.models import Biobank
from biobank.accounts.principals import Actor
from biobank.audit.models import AuditOutbox
from biobank.audit.services import audit_record

from ..choices import SpecimenAuditAction


def specimens_export_record(
    *, actor: Actor, biobank: Biobank, filters: Mapping[str, Any], export_format: str
) -> AuditOutbox:
    """One event in the biobank's trail, written before the first row is sent."""
    details = {"filters": {k: str(v) for k, v in filters.items() if v not in (None, "")}, "format": export_format}
    with transaction.atomic():
        return audit_record(
            actor=actor,
            action=SpecimenAuditAction.SPECIMEN_EXPORT,
            object_type="specimens.specimen",
            biobank=biobank,
            details=details,
        )
