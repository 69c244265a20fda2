"""Donors of the portal view tests: registered through the real service (with an e-mail in the vault), a signed broad
consent whose receipt is made (on-commit callbacks run), and a portal account with a one-time link from
``donor_invite``. ``jane`` and ``catalogue`` here take the place of tests/consent/conftest.py's for these tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from consent.services.portal import donor_invite
from tests.consent.factories import make_catalogue, record

OTHER = {
    "given_names": "Max",
    "family_name": "Oberländer",
    "date_of_birth": date(1958, 11, 23),
    "address": "Ringstraße 9, 80331 München",
    "hospital_id": "MRN-0099999",
    "national_id": "DE-T88000111",
    "email": "max.oberlaender@example.org",
    "phone": "+49 89 7654321",
}

CHOICES = {"data": "accepted", "biomaterial": "accepted", "recontact": "accepted", "research": "declined"}


@dataclass
class PortalDonor:
    donor: object
    consent: object
    account: object
    token: str

    @property
    def user(self):
        return self.account.user


@pytest.fixture
def catalogue(biobank_a, consent_officer_a):
    return make_catalogue(biobank_a, actor=consent_officer_a)


@pytest.fixture
def make_portal_donor(register, catalogue, consent_officer_a, django_capture_on_commit_callbacks):
    def build(language: str = "en", **identity) -> PortalDonor:
        donor = register(**identity).donor
        with django_capture_on_commit_callbacks(execute=True):
            consent = record(consent_officer_a, donor, catalogue, choices=CHOICES, language=language)
            invitation = donor_invite(actor=consent_officer_a, donor=donor)
        consent.refresh_from_db()
        return PortalDonor(donor=donor, consent=consent, account=invitation.account, token=invitation.token)

    return build


@pytest.fixture
def jane(make_portal_donor) -> PortalDonor:
    return make_portal_donor()


@pytest.fixture
def max_(make_portal_donor) -> PortalDonor:
    return make_portal_donor(**OTHER)


@pytest.fixture
def as_jane(client, jane):
    client.force_login(jane.user)
    return client
