"""Builders of the entitle tests: a request whose resource on biobank A has its conditions indicated by the
committee (the decision helper's state, built here with its rows), a published agreement, and accepted ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from access_requests.choices import (
    ConditionKind,
    DecisionOutcome,
    ReleaseStatus,
    RequestStatus,
    ResourceStatus,
    SignatoryRole,
    TeamRole,
)
from access_requests.models import (
    AccessRequest,
    AgreementTemplate,
    Committee,
    Condition,
    Decision,
    Release,
    RequestResource,
    TeamMember,
)
from access_requests.services.agreements import agreement_accept, agreement_default_publish
from access_requests.services.entitlements import resource_grant
from biobank.accounts.models import Biobank, User
from tests.access_requests.factories import make_committee, make_request, make_researcher
from tests.specimens.factories import make_collection


@dataclass
class Granting:
    """One request on biobank A at conditions indicated, with its committee, collection and agreement."""

    request: AccessRequest
    resource: RequestResource
    researcher: User
    chair: User
    members: list[User]
    collection: Any
    agreement: AgreementTemplate
    signatory: TeamMember  # unsaved when the request names none


def make_conditions_indicated(
    biobank: Biobank,
    *,
    researcher: User | None = None,
    access_ends_on: date | None = None,
    signatory: bool = True,
    **fields: Any,
) -> Granting:
    """The decision helper's end state: DECIDED request, resource CONDITIONS_INDICATED, a Decision and Conditions."""
    researcher = researcher or make_researcher()
    committee = Committee.objects.filter(biobank=biobank).first()
    if committee is None:
        _committee, chair, members = make_committee(biobank)
    else:
        chair = committee.members.get(role="chair").user
        members = [m.user for m in committee.members.filter(role="member")]
    request = make_request(
        researcher,
        [biobank],
        status=RequestStatus.DECIDED,
        resource_status=ResourceStatus.CONDITIONS_INDICATED,
        **fields,
    )
    resource = request.resources.get(biobank=biobank)
    collection = make_collection(biobank)
    resource.collections.add(collection)
    Decision.objects.create(
        resource=resource,
        outcome=DecisionOutcome.APPROVED,
        rationale="Fits the consent.",
        decided_by=chair,
        access_ends_on=access_ends_on,
    )
    Condition.objects.create(resource=resource, kind=ConditionKind.ACKNOWLEDGEMENT, created_by=chair)
    Condition.objects.create(
        resource=resource, kind=ConditionKind.OTHER, text="Share the assay protocol.", created_by=chair
    )
    person = TeamMember(request=request, name="Ina Signer", email="signatory@uni.example")
    if signatory:
        person.role = TeamRole.INSTITUTIONAL_SIGNATORY
        person.save()
    agreement = agreement_default_publish(actor=chair, biobank=biobank)
    return Granting(request, resource, researcher, chair, members, collection, agreement, person)


def accept_both(g: Granting) -> None:
    """The researcher accepts, then the signatory accepts with an account named by their e-mail."""
    agreement_accept(
        actor=g.researcher,
        resource=g.resource,
        role=SignatoryRole.RESEARCHER,
        name="R Searcher",
        confirm=True,
        ip="192.0.2.1",
    )
    signer = User.objects.filter(email=g.signatory.email).first() or User.objects.create_user(
        email=g.signatory.email, password="long-enough-password-1", full_name="Ina Signer"
    )
    agreement_accept(actor=signer, resource=g.resource, role=SignatoryRole.INSTITUTION, name="Ina Signer", confirm=True)
    g.resource.refresh_from_db()


def make_granted(biobank: Biobank, **kwargs: Any) -> Granting:
    """A request with access granted on biobank A's resource (entitlement running)."""
    g = make_conditions_indicated(biobank, **kwargs)
    accept_both(g)
    resource_grant(actor=g.chair, resource=g.resource)
    g.resource.refresh_from_db()
    g.request.refresh_from_db()
    return g


def make_ready_release(resource: RequestResource, actor: User) -> Release:
    """A release already built (the release helper's job), READY."""
    return Release.objects.create(
        resource=resource,
        status=ReleaseStatus.READY,
        attributes=["sex"],
        requested_by=actor,
        built_at=timezone.now(),
    )
