"""Builders of the fulfilment tests: donors consented for data and material, a resource with access granted (an
``Entitlement`` row as the entitlements part makes it), the guardian permission on a release, and built releases."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from access_requests.choices import RequestStatus, ResourceStatus
from access_requests.models import Entitlement, Release, RequestResource
from access_requests.services.releases import release_request
from biobank.accounts.models import Biobank, User
from catalog.models import Collection
from consent import services as consent_services
from consent.models import Donor, Template
from specimens.models import Specimen
from tests.access_requests.factories import make_committee, make_request, make_researcher
from tests.consent.factories import make_donor, record, texts
from tests.specimens.factories import consent_officer, make_collection, make_specimen

ATTRIBUTES = ["sex", "material_type", "collected_on"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def release_catalogue(biobank: Biobank) -> Template:
    """Template ``release`` v1: using data (GRU), using biomaterial (GRU), sending biomaterial away (GRU)."""
    existing = Template.objects.filter(biobank=biobank, code="release").first()
    if existing:
        return existing
    modules = []
    for code, action, data_class in (
        ("data", "use", "medical_data"),
        ("use", "use", "biomaterial"),
        ("transfer", "transfer", "biomaterial"),
    ):
        policy = consent_services.policy_create(
            actor=None,
            biobank=biobank,
            code=f"rel-{code}",
            name=f"Release {code}",
            action=action,
            data_class=data_class,
            duo_terms=["GRU"],
        )
        modules.append(
            consent_services.module_create(
                actor=None, biobank=biobank, code=f"rel-{code}", texts=texts(code, f"{code}."), policies=[policy]
            )
        )
    template = consent_services.template_create(
        actor=None,
        biobank=biobank,
        code="release",
        version_label="v1",
        texts={"en": {"title": "Release", "text": "Data."}, "de": {"title": "Freigabe", "text": "Daten."}},
        modules=modules,
        consent_validity="P30Y",
    )
    return consent_services.template_activate(actor=None, template=template)


def release_donor(biobank: Biobank, **choices: str) -> Donor:
    """A donor who accepted data use, material use and transfer unless ``choices`` say otherwise."""
    donor = make_donor(biobank)
    donor.sex, donor.birth_year = "female", 1970
    donor.save(update_fields=["sex", "birth_year"])
    accepted = {"rel-data": "accepted", "rel-use": "accepted", "rel-transfer": "accepted", **choices}
    record(consent_officer(biobank), donor, release_catalogue(biobank), choices=accepted)
    return donor


def plasma(collection: Collection, donor: Donor, **kwargs: Any) -> Specimen:
    return make_specimen(
        collection=collection,
        donor=donor,
        sample_type="PL1",
        facts={"collected_at": timezone.now() - timedelta(days=30)},
        **kwargs,
    )


def granted_resource(
    biobank: Biobank,
    *,
    researcher: User | None = None,
    attributes: list[str] | None = None,
    ends_on: date | None = None,
    **fields: Any,
) -> RequestResource:
    """An active request whose resource at ``biobank`` has access granted, approved attributes and a running
    entitlement of its researcher."""
    researcher = researcher or make_researcher()
    request = make_request(
        researcher, [biobank], status=RequestStatus.ACTIVE, resource_status=ResourceStatus.ACCESS_GRANTED, **fields
    )
    resource = request.resources.get()
    resource.approved_attributes = list(attributes if attributes is not None else ATTRIBUTES)
    resource.save(update_fields=["approved_attributes"])
    today = timezone.localdate()
    Entitlement.objects.create(
        resource=resource,
        user=researcher,
        starts_on=today - timedelta(days=1),
        ends_on=ends_on or today + timedelta(days=365),
        granted_by=researcher,
    )
    return resource


def decider(biobank: Biobank) -> User:
    """The biobank's committee chair (DECIDE_REQUESTS)."""
    existing = User.objects.filter(email=f"chair-{biobank.code}@example.org").first()
    return existing or make_committee(biobank, members=0, quorum=1)[1]


def built_release(resource: RequestResource, capture: Any) -> Release:
    """A release asked for by the chair and built (the task runs eagerly after commit); download permission given."""
    with capture(execute=True):
        release = release_request(actor=decider(resource.biobank), resource=resource)
    release.refresh_from_db()
    assign_perm("access_requests.download_release", resource.request.researcher, release)
    return release


def setup_world(biobank: Biobank, *, donors: int = 3) -> tuple[RequestResource, list[Donor], list[Specimen]]:
    """A collection with ``donors`` consented donors, one plasma specimen each, and a granted resource on it."""
    collection = make_collection(biobank)
    people = [release_donor(biobank) for _ in range(donors)]
    specimens = [plasma(collection, donor) for donor in people]
    resource = granted_resource(biobank)
    resource.collections.add(collection)
    return resource, people, specimens
