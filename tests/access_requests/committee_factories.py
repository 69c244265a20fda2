"""Builders of the committee tests: a request whose resource at biobank A is available for votes, with a DAC whose
members have declared no conflict, and collections carrying DUO terms (for the match beside the votes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from access_requests.choices import DecisionRule, RequestStatus, ResourceStatus
from access_requests.models import AccessRequest, Committee, RequestResource
from access_requests.services.review import conflict_declare
from biobank.accounts.models import Biobank, User
from catalog.models import Collection
from tests.access_requests.factories import make_committee, make_request, make_researcher
from tests.specimens.factories import make_collection


@dataclass
class Review:
    request: AccessRequest
    resource: RequestResource
    committee: Committee
    chair: User
    members: list[User]
    researcher: User
    collections: list[Collection] = field(default_factory=list)


def duo_collection(biobank: Biobank, terms: list[str], diseases: list[str] | None = None) -> Collection:
    collection = make_collection(biobank)
    Collection.objects.filter(pk=collection.pk).update(data_use=terms, diseases=diseases or [])
    collection.refresh_from_db()
    return collection


def make_review(
    biobank: Biobank,
    *,
    members: int = 2,
    rule: str = DecisionRule.MAJORITY,
    quorum: int = 2,
    terms: list[str] | None = None,
    declare: bool = True,
    resource_status: str = ResourceStatus.AVAILABLE,
    extra_biobanks: list[Biobank] | None = None,
    **fields,
) -> Review:
    """A request under review whose resource at ``biobank`` is available, its DAC, one collection with ``terms``."""
    committee, chair, people = make_committee(biobank, members=members, rule=rule, quorum=quorum)
    researcher = make_researcher()
    request = make_request(
        researcher,
        [biobank, *(extra_biobanks or [])],
        status=RequestStatus.UNDER_REVIEW,
        resource_status=resource_status,
        **fields,
    )
    resource = request.resources.get(biobank=biobank)
    collection = duo_collection(biobank, terms if terms is not None else ["DUO:0000042"])
    resource.collections.add(collection)
    if declare:
        for person in [chair, *people]:
            conflict_declare(actor=person, request=request, has_conflict=False)
    return Review(request, resource, committee, chair, people, researcher, [collection])
