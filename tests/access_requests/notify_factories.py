"""Builders of the notification and webhook tests: a request with two biobanks and their committees, a confirmed
team member, and webhook endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from access_requests.choices import RequestStatus
from access_requests.models import AccessRequest, TeamMember, WebhookEndpoint
from biobank.accounts.models import Biobank, User
from tests.access_requests.factories import make_committee, make_request, make_researcher


@dataclass
class Scene:
    researcher: User
    teammate: User
    request: AccessRequest
    committee_a: list[User]  # chair first
    committee_b: list[User]


def make_scene(biobank_a: Biobank, biobank_b: Biobank, *, status: str = RequestStatus.DRAFT, **kw: Any) -> Scene:
    """A request to two biobanks, each with its own committee (chair + 2 members), and a confirmed teammate."""
    _, chair_a, members_a = make_committee(biobank_a)
    _, chair_b, members_b = make_committee(biobank_b)
    researcher = make_researcher()
    teammate = make_researcher()
    request = make_request(researcher, [biobank_a, biobank_b], status=status, **kw)
    TeamMember.objects.create(
        request=request, name="Co Applicant", email=teammate.email, user=teammate, confirmed_at=timezone.now()
    )
    return Scene(researcher, teammate, request, [chair_a, *members_a], [chair_b, *members_b])


def make_endpoint(biobank: Biobank, actor: User, url: str = "https://partner.example.org/hook", **kw: Any):
    from access_requests.services.webhooks import webhook_endpoint_create

    return webhook_endpoint_create(actor=actor, biobank=biobank, url=url, **kw)


__all__ = ["Scene", "WebhookEndpoint", "make_endpoint", "make_scene"]
