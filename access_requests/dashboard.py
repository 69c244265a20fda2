"""The dashboard's access-request figures (``register_biobank_tile`` / ``register_user_section`` loaders): the admin's
pipeline and committee turnaround, a committee member's own reviews with their due dates, a researcher's requests
and what each waits for.

A fixed number of queries each, however many requests; every read is scoped (the biobanks the person administers or
reviews, or the person's own requests).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import biobank_ids_with_perm
from biobank.web.charts import Bar, Chart, bar_chart

from .choices import REQUEST_WAITS_FOR, WAITS_FOR, RequestStatus
from .models import AccessRequest, Decision, RequestResource, ReviewAssignment
from .selectors import my_requests

# The statuses of the pipeline chart, in the order a request moves through them (drafts are the researcher's own).
PIPELINE = (
    RequestStatus.SUBMITTED,
    RequestStatus.UNDER_REVIEW,
    RequestStatus.CHANGES_REQUESTED,
    RequestStatus.DECIDED,
    RequestStatus.ACTIVE,
    RequestStatus.REJECTED,
    RequestStatus.WITHDRAWN,
    RequestStatus.EXPIRED,
    RequestStatus.CLOSED,
    RequestStatus.REVOKED,
)


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median of durations, as a duration."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass
class Pipeline:
    chart: Chart
    decided: int = 0
    median_days: float | None = None


def pipeline_by_biobank(*, user: Principal, biobank_ids: list[int]) -> dict[int, Pipeline]:
    """Requests at each biobank by status (one query) and the committee's median days from submission to decision
    (one query). Counts only: who asked what stays with the committee."""
    allowed = biobank_ids_with_perm(user=user, perm=Perm.MANAGE_MEMBERS)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        RequestResource.objects.filter(biobank__in=allowed, biobank_id__in=biobank_ids)
        .exclude(request__status=RequestStatus.DRAFT)
        .order_by()
        .values_list("biobank_id", "request__status")
        .annotate(n=Count("request", distinct=True))
    )
    for biobank_id, status, n in rows:
        counts[biobank_id][status] = n
    turnaround = (
        Decision.objects.filter(
            resource__biobank__in=allowed,
            resource__biobank_id__in=biobank_ids,
            resource__request__submitted_at__isnull=False,
        )
        .order_by()
        .values_list("resource__biobank_id")
        .annotate(
            n=Count("pk"),
            median=Median(
                ExpressionWrapper(F("decided_at") - F("resource__request__submitted_at"), output_field=DurationField())
            ),
        )
    )
    decided = {biobank_id: (n, median) for biobank_id, n, median in turnaround}
    result = {}
    for biobank_id in biobank_ids:
        n, median = decided.get(biobank_id, (0, None))
        bars = [Bar(str(status.label), counts[biobank_id].get(status, 0)) for status in PIPELINE]
        result[biobank_id] = Pipeline(
            chart=bar_chart(
                title=_("Access requests by status"),
                bars=bars if counts[biobank_id] else [],
                headers=(_("Status"), _("Requests")),
            ),
            decided=n,
            median_days=round(median.total_seconds() / 86400, 1) if isinstance(median, timedelta) else None,
        )
    return result


@dataclass
class Review:
    resource_pk: int
    number: str
    title: str
    due_on: date

    @property
    def overdue(self) -> bool:
        return self.due_on < timezone.localdate()


def my_reviews_by_biobank(*, user: Principal, biobank_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The reviews assigned to this person and not yet done, soonest due first, on requests still under review
    (one query), and how many requests await the committee at each biobank (one query)."""
    allowed = biobank_ids_with_perm(user=user, perm=Perm.REVIEW_REQUESTS)
    mine: dict[int, list[Review]] = defaultdict(list)
    assignments = (
        ReviewAssignment.objects.filter(
            reviewer_id=user.pk,
            completed_at__isnull=True,
            resource__biobank__in=allowed,
            resource__biobank_id__in=biobank_ids,
            resource__request__status=RequestStatus.UNDER_REVIEW,
        )
        .order_by("due_on", "pk")
        .values_list(
            "resource__biobank_id", "resource_id", "resource__request__number", "resource__request__title", "due_on"
        )
    )
    for biobank_id, resource_pk, number, title, due_on in assignments:
        mine[biobank_id].append(Review(resource_pk, number or "", title, due_on))
    waiting = dict(
        RequestResource.objects.filter(
            biobank__in=allowed,
            biobank_id__in=biobank_ids,
            request__status__in=(RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW),
        )
        .order_by()
        .values_list("biobank_id")
        .annotate(n=Count("pk"))
    )
    return {
        biobank_id: {"reviews": mine.get(biobank_id, []), "in_queue": waiting.get(biobank_id, 0)}
        for biobank_id in biobank_ids
    }


@dataclass
class MyRequest:
    request: AccessRequest
    waits_for: str
    resources: list[tuple[str, str, str]] = field(default_factory=list)  # (biobank, status, what it waits for)


def my_requests_waiting(user: Principal) -> list[MyRequest]:
    """The researcher's requests (newest first, open ones only) and, per biobank asked, what each waits for. Two
    queries."""
    closed = (RequestStatus.CLOSED, RequestStatus.WITHDRAWN, RequestStatus.REJECTED, RequestStatus.REVOKED)
    rows = []
    for access_request in my_requests(user=user).exclude(status__in=closed)[:10]:
        rows.append(
            MyRequest(
                access_request,
                str(REQUEST_WAITS_FOR.get(access_request.status, "")),
                [
                    (resource.biobank.name, resource.get_status_display(), str(WAITS_FOR[resource.status]))
                    for resource in access_request.resources.all()
                ],
            )
        )
    return rows


def shows_my_requests(user: Principal) -> bool:
    return bool(getattr(user, "is_researcher", False))
