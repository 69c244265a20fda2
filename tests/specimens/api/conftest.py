"""Fixtures of the specimens API tests: biobank A's collection, a consented donor, a serum tube, and clients."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from biobank.accounts.choices import Role
from specimens.models import Specimen
from tests.accounts.factories import make_member, make_token
from tests.specimens.factories import consented_donor, make_collection, make_specimen
from tests.specimens.storage_fixtures import *  # noqa: F403  (the storage API's fixtures)


@pytest.fixture
def login():
    def build(user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return build


@pytest.fixture
def collection(biobank_a):
    return make_collection(biobank_a, "crc-2024")


@pytest.fixture
def donor(biobank_a):
    return consented_donor(biobank_a)


@pytest.fixture
def specimen(collection, donor) -> Specimen:
    return make_specimen(collection=collection, donor=donor, quantity="2", unit="mL")


@pytest.fixture
def technician(biobank_a):
    return make_member(biobank_a, Role.TECHNICIAN, email="tech@example.org")


@pytest.fixture
def tech(technician) -> APIClient:
    """A technician of biobank A (view and change specimens), signed in."""
    client = APIClient()
    client.force_login(technician)
    return client


@pytest.fixture
def auditor(biobank_a) -> APIClient:
    """Sees biobank A's specimens, may not change them."""
    client = APIClient()
    client.force_login(make_member(biobank_a, Role.AUDITOR, email="auditor@example.org"))
    return client


@pytest.fixture
def lis(biobank_a) -> APIClient:
    """A partner system's token of biobank A with view and change of specimens."""
    client = APIClient()
    secret = make_token(biobank_a, "view_biobank", "view_specimens", "change_specimens", name="LIS")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def url(specimen: Specimen, action: str = "") -> str:
    return f"/api/v1/specimens/{specimen.barcode}/" + (f"{action}/" if action else "")
