"""A biobank A with a technician, a data manager and an auditor, a consented donor and a specimen with two
aliquots; a biobank B with a specimen of its own."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from biobank.accounts.choices import Role
from specimens.services import AliquotPlan
from tests.accounts.factories import make_member
from tests.consent.factories import make_donor, record
from tests.specimens.factories import PLASMA_FACTS, make_collection, make_specimen, material_catalogue
from tests.specimens.storage_fixtures import *  # noqa: F403  (the storage pages' fixtures)


@pytest.fixture
def lab(biobank_a, biobank_b):
    technician = make_member(biobank_a, Role.TECHNICIAN, email="tech-a@example.org")
    collection = make_collection(biobank_a, code="plasma-2026")
    officer = make_member(biobank_a, Role.CONSENT_OFFICER, email="officer-a@example.org")
    donor = make_donor(biobank_a)
    record(officer, donor, material_catalogue(biobank_a), choices={"use": "accepted", "transfer": "accepted"})
    primary = make_specimen(
        collection=collection,
        donor=donor,
        sample_type="PL1",
        quantity="5",
        unit="mL",
        facts=PLASMA_FACTS,
        aliquots=AliquotPlan(2, "0.5", "mL"),
    )
    return SimpleNamespace(
        biobank=biobank_a,
        technician=technician,
        data_manager=make_member(biobank_a, Role.DATA_MANAGER, email="dm-a@example.org"),
        auditor=make_member(biobank_a, Role.AUDITOR, email="auditor-a@example.org"),
        collection=collection,
        donor=donor,
        primary=primary,
        aliquots=list(primary.children.order_by("pk")),
        foreign=make_specimen(biobank_b),
    )


def url(name: str, lab: SimpleNamespace, *args: object) -> str:
    from django.urls import reverse

    return reverse(f"specimens:{name}", args=[lab.biobank.code, *args])
