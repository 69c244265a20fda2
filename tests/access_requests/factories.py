"""Builders of the access-requests tests: researchers, committees, and requests put into any state through the
workflow primitives (so every event and audit row is there, as in production)."""

from __future__ import annotations

import itertools
from typing import Any

from django.db import transaction
from django.utils import timezone

from access_requests.choices import (
    CommitteeRole,
    DecisionRule,
    PurposeKind,
    RequestStatus,
    ResourceStatus,
)
from access_requests.models import AccessRequest, Committee, CommitteeMember, RequestResource, ResearcherProfile
from access_requests.services.workflow import request_number_assign, request_transition, resource_transition
from biobank.accounts.choices import Role
from biobank.accounts.models import Biobank, User
from tests.accounts.factories import make_member

_numbers = itertools.count(1)

# The shortest allowed path from a draft to each request status (the table in access_requests/choices.py).
REQUEST_PATH: dict[str, list[str]] = {
    RequestStatus.DRAFT: [],
    RequestStatus.SUBMITTED: [RequestStatus.SUBMITTED],
    RequestStatus.UNDER_REVIEW: [RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW],
    RequestStatus.CHANGES_REQUESTED: [
        RequestStatus.SUBMITTED,
        RequestStatus.UNDER_REVIEW,
        RequestStatus.CHANGES_REQUESTED,
    ],
    RequestStatus.DECIDED: [RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW, RequestStatus.DECIDED],
    RequestStatus.REJECTED: [RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW, RequestStatus.REJECTED],
    RequestStatus.ACTIVE: [
        RequestStatus.SUBMITTED,
        RequestStatus.UNDER_REVIEW,
        RequestStatus.DECIDED,
        RequestStatus.ACTIVE,
    ],
    RequestStatus.EXPIRED: [
        RequestStatus.SUBMITTED,
        RequestStatus.UNDER_REVIEW,
        RequestStatus.DECIDED,
        RequestStatus.ACTIVE,
        RequestStatus.EXPIRED,
    ],
    RequestStatus.REVOKED: [
        RequestStatus.SUBMITTED,
        RequestStatus.UNDER_REVIEW,
        RequestStatus.DECIDED,
        RequestStatus.ACTIVE,
        RequestStatus.REVOKED,
    ],
    RequestStatus.CLOSED: [
        RequestStatus.SUBMITTED,
        RequestStatus.UNDER_REVIEW,
        RequestStatus.DECIDED,
        RequestStatus.ACTIVE,
        RequestStatus.CLOSED,
    ],
    RequestStatus.WITHDRAWN: [RequestStatus.WITHDRAWN],
}
RESOURCE_PATH: dict[str, list[str]] = {
    ResourceStatus.CONTACTED: [],
    ResourceStatus.CHECKING_AVAILABILITY: [ResourceStatus.CHECKING_AVAILABILITY],
    ResourceStatus.AVAILABLE: [ResourceStatus.CHECKING_AVAILABILITY, ResourceStatus.AVAILABLE],
    ResourceStatus.UNAVAILABLE: [ResourceStatus.UNAVAILABLE],
    ResourceStatus.CONDITIONS_INDICATED: [
        ResourceStatus.CHECKING_AVAILABILITY,
        ResourceStatus.AVAILABLE,
        ResourceStatus.CONDITIONS_INDICATED,
    ],
    ResourceStatus.CONDITIONS_ACCEPTED: [
        ResourceStatus.CHECKING_AVAILABILITY,
        ResourceStatus.AVAILABLE,
        ResourceStatus.CONDITIONS_INDICATED,
        ResourceStatus.CONDITIONS_ACCEPTED,
    ],
    ResourceStatus.CONDITIONS_DECLINED: [
        ResourceStatus.CHECKING_AVAILABILITY,
        ResourceStatus.AVAILABLE,
        ResourceStatus.CONDITIONS_INDICATED,
        ResourceStatus.CONDITIONS_DECLINED,
    ],
    ResourceStatus.ACCESS_GRANTED: [
        ResourceStatus.CHECKING_AVAILABILITY,
        ResourceStatus.AVAILABLE,
        ResourceStatus.CONDITIONS_INDICATED,
        ResourceStatus.CONDITIONS_ACCEPTED,
        ResourceStatus.ACCESS_GRANTED,
    ],
}


def make_researcher(email: str | None = None, institution: str = "Karolinska Institutet") -> User:
    """A verified, self-registered researcher with a profile."""
    number = next(_numbers)
    user = User.objects.create_user(
        email=email or f"researcher-{number}@example.org",
        password="long-enough-password-1",
        full_name=f"Researcher {number}",
        is_researcher=True,
        email_verified_at=timezone.now(),
    )
    ResearcherProfile.objects.create(user=user, institution=institution, orcid="0000-0002-1825-0097")
    return user


def make_committee(
    biobank: Biobank, *, members: int = 2, rule: str = DecisionRule.MAJORITY, quorum: int = 2
) -> tuple[Committee, User, list[User]]:
    """The biobank's DAC: a chair (role DAC chair) and ``members`` members (role DAC member)."""
    committee = Committee.objects.create(biobank=biobank, name=f"DAC {biobank.name}", decision_rule=rule, quorum=quorum)
    chair = make_member(biobank, Role.DAC_CHAIR, email=f"chair-{biobank.code}@example.org")
    CommitteeMember.objects.create(committee=committee, user=chair, role=CommitteeRole.CHAIR)
    people = []
    for i in range(members):
        person = make_member(biobank, Role.DAC_MEMBER, email=f"dac{i}-{biobank.code}@example.org")
        CommitteeMember.objects.create(committee=committee, user=person, role=CommitteeRole.MEMBER)
        people.append(person)
    return committee, chair, people


def make_request(
    researcher: User,
    biobanks: list[Biobank],
    *,
    status: str = RequestStatus.DRAFT,
    resource_status: str = ResourceStatus.CONTACTED,
    actor: Any = None,
    **fields: Any,
) -> AccessRequest:
    """A request for ``biobanks`` walked to ``status`` (and each resource to ``resource_status``) by the primitives."""
    values: dict[str, Any] = {
        "title": f"Project {next(_numbers)}",
        "lay_summary": "We study why some people get diabetes.",
        "abstract": "A case-control study of plasma markers.",
        "purpose_kind": PurposeKind.HMB,
        "material": [{"material_type": "Plasma", "amount": "0.5", "unit": "ml", "samples": 100}],
        "criteria": {"material_types": ["Plasma"]},
        "duration_months": 24,
        **fields,
    }
    with transaction.atomic():
        request = AccessRequest.objects.create(researcher=researcher, **values)
        request_number_assign(request)
        for biobank in biobanks:
            RequestResource.objects.create(request=request, biobank=biobank)
        for step in REQUEST_PATH[status]:
            request_transition(request=request, to=step, actor=actor or researcher)
        for resource in request.resources.all():
            for step in RESOURCE_PATH[resource_status]:
                resource_transition(resource=resource, to=step, actor=actor or researcher)
    return request
