"""Builders of the dynamic-consent tests: a donor registered with an e-mail in the vault, a signed broad consent,
and a donor-portal account with a fresh one-time link — all through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from biobank.accounts.models import Biobank, User
from consent import services
from consent.models import Consent, Donor, DonorAccount, Template
from consent.services.portal import donor_invite
from tests.consent.donor_fixtures import JANE
from tests.consent.factories import ALL_ACCEPTED, make_catalogue, record


@dataclass
class PortalDonor:
    donor: Donor
    consent: Consent
    account: DonorAccount
    token: str
    template: Template


def broad_template(biobank: Biobank) -> Template:
    return Template.objects.filter(biobank=biobank, code="broad").order_by("-number").first() or make_catalogue(biobank)


def portal_donor(
    biobank: Biobank, officer: User, *, email: str = JANE["email"], choices: dict | None = None, **identity: object
) -> PortalDonor:
    """A donor of ``biobank`` (registered by ``officer`` with ``email``) who signed ``broad`` and was invited."""
    donor = services.donor_register(actor=officer, biobank=biobank, **{**JANE, "email": email, **identity}).donor
    assert donor is not None
    consent = record(officer, donor, broad_template(biobank), choices=choices or ALL_ACCEPTED)
    invitation = donor_invite(actor=officer, donor=donor)
    return PortalDonor(donor, consent, invitation.account, invitation.token, broad_template(biobank))  # type: ignore[attr-defined]


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
    """Jane (tests.consent.donor_fixtures.JANE) signed ``broad`` in biobank A and was invited to the portal."""
    return portal_donor(biobank_a, consent_officer_a)


@pytest.fixture
def karl(biobank_a, consent_officer_a):
    """Another donor of biobank A, signed and invited like Jane."""
    return portal_donor(biobank_a, consent_officer_a, email="karl.oberhuber@example.org", **OTHER)
