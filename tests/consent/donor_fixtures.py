"""Fixtures of the donor-registry tests (imported by conftest.py): personas of biobank A and donors made through
the real registration service."""

from __future__ import annotations

from datetime import date

import pytest

from consent import services
from consent.choices import Sex

__all__ = [
    "JANE",
    "donor_a",
    "register",
]

JANE = {
    "given_names": "Jane Marie",
    "family_name": "Schmidt",
    "date_of_birth": date(1970, 3, 7),
    "sex": Sex.FEMALE,
    "address": "Hauptstraße 1, 10115 Berlin",
    "hospital_id": "MRN-0012345",
    "national_id": "DE-T22000129",
    "email": "jane.schmidt@example.org",
    "phone": "+49 30 1234567",
}


@pytest.fixture
def register(biobank_a, consent_officer_a):
    """``register(**changes)``: a registration of Jane (with ``changes``) in biobank A by the consent officer."""

    def run(*, actor=consent_officer_a, biobank=biobank_a, **changes):
        return services.donor_register(actor=actor, biobank=biobank, **{**JANE, **changes})

    return run


@pytest.fixture
def donor_a(register):
    return register().donor
