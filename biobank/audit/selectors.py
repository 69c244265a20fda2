"""Who may read which part of the audit trail: the one read path for the auditor pages and the API.

A person reads the events of the biobanks where they hold ``view_audit`` (the auditor role); superusers read all,
including events that belong to no biobank (sign-ins, refused requests). API tokens cannot be granted
``view_audit``, so they read nothing. Events of other biobanks are simply absent (404 for a single event).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import TokenPrincipal
from biobank.accounts.selectors import biobank_ids_with_perm, biobanks_with_perm

from .models import AuditEvent, AuditVerification

HISTORY_LIMIT = 200


def _is_superuser(user: Any) -> bool:
    return not isinstance(user, TokenPrincipal) and bool(getattr(user, "is_superuser", False) and user.is_active)


def audit_biobanks_of(*, user: Any) -> QuerySet[Biobank]:
    return biobanks_with_perm(user=user, perm=Perm.VIEW_AUDIT).order_by("name")


def can_read_audit(*, user: Any) -> bool:
    return _is_superuser(user) or audit_biobanks_of(user=user).exists()


def audit_events_visible_to(*, user: Any) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("biobank").order_by("-seq")
    if _is_superuser(user):
        return events
    return events.filter(biobank_id__in=biobank_ids_with_perm(user=user, perm=Perm.VIEW_AUDIT))


def object_history(*, user: Any, object_type: str, object_id: str, limit: int = HISTORY_LIMIT) -> list[AuditEvent]:
    """The newest ``limit`` events about one object that ``user`` may read, newest first."""
    return list(audit_events_visible_to(user=user).filter(object_type=object_type, object_id=object_id)[:limit])


def latest_verification() -> AuditVerification | None:
    return AuditVerification.objects.order_by("-started_at").first()
