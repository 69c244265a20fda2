"""The daily review reminder (BBMRI-ERIC Negotiator: resources untouched for 5 days).

A resource still before its decision (contacted, checking availability, available) on a request under review (or
just submitted), untouched for ``REMINDER_AFTER_DAYS`` and not reminded in the last 24 hours, gets one e-mail to each
assigned reviewer who has not voted yet (or to the committee's chair when none is assigned), ``reminded_at`` set and
a ``reminder.sent`` line in the request's log.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from biobank.accounts.emails import queue_email

from ..choices import REMINDER_AFTER_DAYS, CommitteeRole, RequestStatus
from ..models import CommitteeMember, RequestResource
from .committees import committee_responsible
from .decisions import BEFORE_DECISION
from .workflow import event_record

REMIND_AGAIN_AFTER = timedelta(hours=24)


def _recipients(resource: RequestResource) -> list:
    reviewers = [
        a.reviewer
        for a in resource.assignments.filter(completed_at__isnull=True).select_related("reviewer")
        if a.reviewer.is_active
    ]
    if reviewers:
        return reviewers
    committee = committee_responsible(resource.biobank)
    if committee is None:
        return []
    chair = CommitteeMember.objects.filter(committee=committee, role=CommitteeRole.CHAIR, active=True).first()
    return [chair.user] if chair is not None and chair.user.is_active else []


def review_reminders_send() -> int:
    """Send the due reminders; returns how many resources were reminded. Each resource in its own transaction."""
    now = timezone.now()
    due = (
        RequestResource.objects.filter(
            status__in=BEFORE_DECISION,
            request__status__in=(RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW),
            touched_at__lt=now - timedelta(days=REMINDER_AFTER_DAYS),
        )
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=now - REMIND_AGAIN_AFTER))
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            resource = (
                RequestResource.objects.select_for_update(skip_locked=True)
                .select_related("request", "biobank")
                .filter(pk=pk)
                .first()
            )
            if resource is None:
                continue
            people = _recipients(resource)
            for person in people:
                queue_email(
                    template="access_requests/review_reminder",
                    to=person.email,
                    context={
                        "user": person,
                        "resource": resource,
                        "request": resource.request,
                        "days": REMINDER_AFTER_DAYS,
                        "link": f"{settings.SITE_URL}/requests/review/{resource.pk}/",
                    },
                )
            touched = resource.touched_at
            event_record(
                request=resource.request,
                resource=resource,
                actor=None,
                kind="reminder.sent",
                data={"to": [p.pk for p in people]},
            )
            # event_record counts every line as a touch; a reminder is not one: keep the untouched time running.
            RequestResource.objects.filter(pk=pk).update(touched_at=touched, reminded_at=now)
            sent += 1
    return sent
