"""The one permission-scoped read path for requests: a researcher sees their own (and those they are named on and
confirmed), biobank staff who review requests see the submitted requests that ask their biobank; everyone else
nothing (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.selectors import biobank_ids_with_perm

from .choices import RequestStatus
from .models import AccessRequest, Committee, CommitteeMember, RequestResource, TeamMember


def _committee_biobank_ids(user: Any) -> QuerySet:
    """Biobanks whose responsible committee (their own, or their network's) has ``user`` as an active member."""
    seats = CommitteeMember.objects.filter(user=user, active=True).values("committee_id")
    committees = Committee.objects.filter(pk__in=seats)
    own = committees.filter(biobank__isnull=False).values("biobank_id")
    networks = committees.filter(network__isnull=False).values("network_id")
    return Biobank.objects.filter(Q(pk__in=own) | Q(network_id__in=networks, committee__isnull=True)).values("pk")


def reviewing_biobank_ids(*, user: Any) -> QuerySet:
    """Biobanks whose requests ``user`` may read as a reviewer: REVIEW_REQUESTS on it, or a committee seat."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Biobank.objects.none().values("pk")
    by_perm = biobank_ids_with_perm(user=user, perm=Perm.REVIEW_REQUESTS)
    if not hasattr(user, "committee_seats"):
        return by_perm
    return Biobank.objects.filter(Q(pk__in=by_perm) | Q(pk__in=_committee_biobank_ids(user))).values("pk")


def requests_visible_to(*, user: Any) -> QuerySet[AccessRequest]:
    """Every request ``user`` may read (one query plan: the permitted ids are subqueries)."""
    if user is None or not getattr(user, "is_authenticated", False) or not hasattr(user, "committee_seats"):
        return AccessRequest.objects.none()  # anonymous visitors and API tokens read no requests
    team = TeamMember.objects.filter(user_id=user.pk, confirmed_at__isnull=False).values("request_id")
    own = Q(researcher_id=user.pk) | Q(pk__in=team)
    reviewing = ~Q(status=RequestStatus.DRAFT) & Q(
        pk__in=RequestResource.objects.filter(biobank_id__in=reviewing_biobank_ids(user=user)).values("request_id")
    )
    return AccessRequest.objects.filter(own | reviewing)


def request_get_for(*, user: Any, pk: int) -> AccessRequest:
    """One request if ``user`` may read it; ``AccessRequest.DoesNotExist`` (→ 404) otherwise."""
    return requests_visible_to(user=user).get(pk=pk)


def resources_visible_to(*, user: Any, request: AccessRequest) -> QuerySet[RequestResource]:
    """The request's resources ``user`` may read: all for its researcher and team, only their biobanks' for staff."""
    resources = RequestResource.objects.filter(request=request).select_related("biobank")
    user_id = getattr(user, "pk", None) or 0
    if request.researcher_id == user_id or request.team.filter(user_id=user_id, confirmed_at__isnull=False).exists():
        return resources
    return resources.filter(biobank_id__in=reviewing_biobank_ids(user=user))


# --- notifications and webhooks (helper notify) ---
def notifications_visible_to(*, user: Any) -> QuerySet:
    """The person's own notifications, newest first; nobody reads anyone else's."""
    from .models import Notification

    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk).select_related("request")


def notifications_unread_count(*, user: Any) -> int:
    return notifications_visible_to(user=user).filter(read_at__isnull=True).count()


def webhook_endpoints_visible_to(*, user: Any) -> QuerySet:
    """Endpoints of the biobanks where ``user`` manages API tokens (the same permission manages webhooks)."""
    from .models import WebhookEndpoint

    if user is None or not getattr(user, "is_authenticated", False):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(
        biobank_id__in=biobank_ids_with_perm(user=user, perm=Perm.MANAGE_API_TOKENS)
    ).select_related("biobank")


# --- entitle (agreements, entitlements, reports, compliance) ---


def compliance_readable_by(*, user: Any, request: AccessRequest) -> bool:
    """The committee of one of the request's biobanks, or an auditor (VIEW_AUDIT) of one, exports its compliance
    report."""
    if user is None or not getattr(user, "is_authenticated", False) or not hasattr(user, "committee_seats"):
        return False
    biobanks = RequestResource.objects.filter(request=request).values("biobank_id")
    committee = Biobank.objects.filter(pk__in=biobanks).filter(pk__in=_committee_biobank_ids(user))
    auditing = biobank_ids_with_perm(user=user, perm=Perm.VIEW_AUDIT).filter(pk__in=biobanks)
    return committee.exists() or auditing.exists()


def resource_get_for(*, user: Any, request: AccessRequest, pk: int) -> RequestResource:
    """One of the request's resources ``user`` may read; ``RequestResource.DoesNotExist`` (→ 404) otherwise."""
    return resources_visible_to(user=user, request=request).get(pk=pk)


def entitlements_of_request(*, user: Any, request: AccessRequest) -> QuerySet[Any]:
    """The entitlements on the resources of ``request`` that ``user`` may read, newest first."""
    from .models import Entitlement

    resources = resources_visible_to(user=user, request=request).values("pk")
    return Entitlement.objects.filter(resource_id__in=resources).select_related("user", "resource__biobank")


# --- wizard (researcher pages) ---
# Event kinds a researcher's page shows; committee-private things (comments, votes, recusals) are left out.
PRIVATE_EVENT_PREFIXES = ("comment.", "vote.", "conflict.", "assignment.", "committee.")


def request_events_for_researcher(*, request: AccessRequest) -> QuerySet:
    """The request's log without the committee's private entries."""
    rows = request.events.select_related("resource__biobank", "actor").order_by("created_at", "id")
    for prefix in PRIVATE_EVENT_PREFIXES:
        rows = rows.exclude(kind__startswith=prefix)
    return rows.exclude(data__contains={"private": True})


def my_requests(*, user: Any) -> QuerySet[AccessRequest]:
    """Requests ``user`` wrote or is a confirmed team member of, with their resources' biobanks (two queries)."""
    from django.db.models import Prefetch

    team = TeamMember.objects.filter(user_id=user.pk, confirmed_at__isnull=False).values("request_id")
    return (
        AccessRequest.objects.filter(Q(researcher_id=user.pk) | Q(pk__in=team))
        .prefetch_related(Prefetch("resources", queryset=RequestResource.objects.select_related("biobank")))
        .order_by("-created_at", "-id")
    )


# --- committee (review queue and screen) ---
def review_resources_visible_to(*, user: Any) -> QuerySet[RequestResource]:
    """Every submitted request's resource at a biobank ``user`` reviews (the committee's queue and screens)."""
    if user is None or not getattr(user, "is_authenticated", False) or not hasattr(user, "committee_seats"):
        return RequestResource.objects.none()
    return (
        RequestResource.objects.filter(biobank_id__in=reviewing_biobank_ids(user=user))
        .exclude(request__status=RequestStatus.DRAFT)
        .select_related("request", "request__researcher", "biobank")
    )


def review_resource_get_for(*, user: Any, pk: int) -> RequestResource:
    """One resource ``user`` reviews; ``RequestResource.DoesNotExist`` (→ 404) otherwise."""
    return review_resources_visible_to(user=user).get(pk=pk)


# --- fulfilment (releases, shipments) ---


def fulfilment_resources_for(*, user: Any) -> QuerySet[RequestResource]:
    """Resources whose fulfilment ``user`` may run: reviewers/deciders of the biobank, and its specimen staff."""
    if user is None or not getattr(user, "is_authenticated", False) or not hasattr(user, "committee_seats"):
        return RequestResource.objects.none()  # anonymous visitors and API tokens run no fulfilment
    staff = biobank_ids_with_perm(user=user, perm=Perm.CHANGE_SPECIMENS)
    return RequestResource.objects.filter(
        Q(biobank_id__in=reviewing_biobank_ids(user=user)) | Q(biobank_id__in=staff)
    ).select_related("request__researcher", "biobank")


def releases_of_request_for(*, user: Any, request: AccessRequest) -> QuerySet:
    """The releases of the request's resources that ``user`` may see (the researcher: all of them)."""
    from .models import Release

    resources = resources_visible_to(user=user, request=request).values("pk")
    return Release.objects.filter(resource_id__in=resources).select_related("resource__biobank")


def shipments_of_request_for(*, user: Any, request: AccessRequest) -> QuerySet:
    from .models import Shipment

    resources = resources_visible_to(user=user, request=request).values("pk")
    return Shipment.objects.filter(resource_id__in=resources).select_related("resource__biobank")
