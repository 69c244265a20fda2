"""Who may read which part of the audit trail: the one read path for the auditor pages and the API.

A person reads the events of the biobanks where they hold ``view_audit`` (the auditor role); superusers read all,
including events that belong to no biobank (sign-ins, refused requests). API tokens cannot be granted
``view_audit``, so they read nothing. Events of other biobanks are simply absent (404 for a single event).
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import TokenPrincipal
from biobank.accounts.selectors import biobank_ids_with_perm, biobanks_with_perm

from .choices import AuditAction
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


# The newest stored result and the newest chained ``audit.verified`` event in one query, the result's columns empty
# when there is none (so a deleted history is noticed without a second query).
_LATEST_VERIFICATION_SQL = """
SELECT v.*, (
    SELECT details FROM audit_auditevent
    WHERE action = %s AND object_type = 'audit.auditverification' ORDER BY seq DESC LIMIT 1
) AS chained_details
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT * FROM audit_auditverification ORDER BY started_at DESC, id DESC LIMIT 1
) AS v ON true
"""


def latest_verification() -> AuditVerification | None:
    """The newest stored verification result, with ``tampered`` set when it cannot be trusted (issue 9, item 13):
    its signature does not verify, or the chain holds a newer ``audit.verified`` event than that result (a newer
    result, or all of them, deleted), or that event disagrees with it."""
    [row] = AuditVerification.objects.raw(_LATEST_VERIFICATION_SQL, [AuditAction.AUDIT_VERIFIED.value])
    raw_details = row.chained_details  # type: ignore[attr-defined]
    details = json.loads(raw_details) if raw_details else None
    if row.pk is None:
        if details is None:
            return None
        row = AuditVerification(ok=False, count=0)
        row.tampered = True
        return row
    tampered = not row.authentic
    if isinstance(details, dict):
        chained_id = details.get("verification_id") or 0
        tampered = tampered or chained_id > row.pk or (chained_id == row.pk and details.get("ok") != row.ok)
    row.tampered = tampered  # type: ignore[attr-defined]
    return row
