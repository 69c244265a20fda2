from __future__ import annotations

from datetime import date

import pytest

from tests.consent.portal_fixtures import portal_donor

OTHER = {
    "given_names": "Karl",
    "family_name": "Oberhuber",
    "date_of_birth": date(1958, 11, 23),
    "hospital_id": "MRN-0099999",
    "national_id": "DE-T11000777",
    "phone": "+49 89 7654321",
    "address": "Marienplatz 2, 80331 München",
}


@pytest.fixture
def jane(biobank_a, consent_officer_a):
    return portal_donor(biobank_a, consent_officer_a)


@pytest.fixture
def karl(biobank_a, consent_officer_a):
    return portal_donor(biobank_a, consent_officer_a, email="karl.oberhuber@example.org", **OTHER)
