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
