"""Telling people that the audit chain is broken: every auditor and biobank admin, and the superusers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string

from biobank.accounts.choices import Role
from biobank.accounts.models import User

if TYPE_CHECKING:
    from .verification import VerifyResult


def alert_recipients() -> list[str]:
    people = User.objects.filter(
        Q(is_superuser=True) | Q(memberships__role__in=[Role.AUDITOR, Role.BIOBANK_ADMIN]), is_active=True
    )
    return sorted(set(people.values_list("email", flat=True)))


def alert_verification_failed(*, result: VerifyResult) -> int:
    """Queue one e-mail per recipient (each sees only their own address). Returns how many were queued."""
    from biobank.accounts.tasks import send_email

    context = {"result": result, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string("audit/emails/verify_failed_subject.txt", context).split())
    body = render_to_string("audit/emails/verify_failed_body.txt", context)
    recipients = alert_recipients()
    for email in recipients:
        send_email.delay(subject=subject, body=body, to=[email])
    return len(recipients)


def alert_outbox_tampered(*, outbox_ids: list[int]) -> int:
    """Pending events failed their MAC and were quarantined by the drain (issue 9, item 10): tell the same people."""
    from biobank.accounts.tasks import send_email

    subject = "Audit trail: tampered pending events were quarantined"
    body = (
        f"The audit drain found {len(outbox_ids)} pending event(s) whose signature does not verify (outbox ids "
        f"{', '.join(map(str, outbox_ids[:50]))}). They were edited, forged, or written outside the portal, and were "
        "set aside in the quarantine instead of being chained; an audit.outbox_tampered event records it.\n\n"
        f"{settings.SITE_URL}/audit/?action=audit.outbox_tampered\n"
    )
    recipients = alert_recipients()
    for email in recipients:
        send_email.delay(subject=subject, body=body, to=[email])
    return len(recipients)
