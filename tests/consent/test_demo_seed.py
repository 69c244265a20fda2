"""seed_demo fills the consent screens with real records: donors, a signed broad consent each, one withdrawal."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from consent.gate import permitted_many
from consent.models import Consent, Donor

pytestmark = pytest.mark.django_db


def test_seed_demo_registers_donors_with_consents_and_a_withdrawal(settings, django_capture_on_commit_callbacks):
    settings.DEMO_MODE = True
    for _ in range(2):  # twice: idempotent
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", stdout=StringIO())

    # the consent demo's donors (with an identity); the catalogue's pseudonymous cohorts (specimens/demo_catalog.py)
    # carry no electronic consent and are never signed for by this seeder, on any run
    donors = Donor.objects.filter(biobank__code="ukrm-biobank", merged_into__isnull=True, identity__isnull=False)
    assert donors.count() >= 19
    assert set(Consent.objects.filter(donor__in=donors).values_list("donor", flat=True)) == set(
        donors.values_list("pk", flat=True)
    )  # each donor signed a form; one also signed a withdrawal form later
    assert all(c.receipt_sha256 for c in Consent.objects.all())

    today = timezone.localdate()
    answers = permitted_many(donors=donors, policy="biomat-use", at=today + timedelta(days=1))
    denied = sorted(a.code for a in answers.values() if not a.allowed)
    # the module withdrawal (staff), the withdrawal form, the refusal form, and the donor-level withdrawal of the
    # specimens demo (specimens/demo_seed.py: that donor's tubes are consent-blocked)
    assert denied == ["refused", "withdrawn", "withdrawn", "withdrawn"]
    contact = permitted_many(donors=donors, policy="recontact")
    assert sorted(a.code for a in contact.values() if not a.allowed).count("withdrawn") >= 1  # no further contact
