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
