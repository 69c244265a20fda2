"""A described biobank A for the editing page tests: a profile, a contact person and a collection."""

from __future__ import annotations

import pytest

from tests.catalog.factories import make_collection, make_contact, make_profile_for


@pytest.fixture
def profile_a(biobank_a):
    return make_profile_for(biobank_a)


@pytest.fixture
def person_a(biobank_a):
    return make_contact(biobank_a)


@pytest.fixture
def collection_a(biobank_a, profile_a):
    return make_collection(biobank_a, code="crc", name="Colorectal cancer", description="TBD")


@pytest.fixture
def collection_b(biobank_b):
    return make_collection(biobank_b, code="liver", name="Liver cohort")
