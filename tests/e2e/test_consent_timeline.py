"""A donor withdraws by letter: the officer records it on the donor page and the consent page then shows the form's
answer beside the person's; a consent recorded in error is invalidated by two officers."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from consent import gate
from consent.models import ConsentInvalidation
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member
from tests.consent.factories import make_catalogue, make_donor, record
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def consent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    biobank = make_biobank(code="central", name="Central Biobank")
    officer = make_member(biobank, Role.CONSENT_OFFICER, email="officer@example.org")
    make_member(biobank, Role.CONSENT_OFFICER, email="second@example.org")
    consent = record(officer, make_donor(biobank), make_catalogue(biobank, actor=officer))
    consent.refresh_from_db()
    return consent


def test_an_officer_records_a_donor_withdrawal_and_the_consent_page_shows_it(page, consent, screenshot):
    donor = consent.donor
    sign_in(page, "officer@example.org", DEMO_PASSWORD)
    page.goto(f"/consent/central/donors/{donor.pid_display}/")
    page.get_by_role("link", name="Record a withdrawal").click()

    page.get_by_label("What the donor withdraws").select_option("no_further_use")
    page.get_by_label("Made on").fill(timezone.localdate().isoformat())
    page.get_by_label("Reason or the donor's words").fill("Letter: please stop using my samples and data")
    screenshot(page, "consent-donor-withdrawal")
    page.get_by_role("button", name="Record the withdrawal").click()

    expect(page.get_by_text("Withdrawal recorded for")).to_be_visible()
    page.goto(f"/consent/central/consents/{consent.pk}/")
    expect(page.get_by_role("cell", name="donor-level withdrawal", exact=False).first).to_be_visible()
    assert gate.permitted(donor=donor, policy="biomat-use").code == "withdrawn"


def test_two_officers_invalidate_a_consent_recorded_in_error(page, consent, screenshot):
    sign_in(page, "second@example.org", DEMO_PASSWORD)
    page.goto(f"/consent/central/consents/{consent.pk}/")
    page.get_by_label("Why was this consent recorded in error?").fill("Signed on the tablet for the wrong donor")
    page.get_by_role("button", name="Ask to invalidate").click()
    expect(page.get_by_text("a second person must decide it")).to_be_visible()
    expect(page.get_by_role("button", name="Record the decision")).to_have_count(0)  # not the one who asked

    page.context.clear_cookies()
    make_member(consent.biobank, Role.CONSENT_OFFICER, email="third@example.org")
    sign_in(page, "third@example.org", DEMO_PASSWORD)
    page.goto(f"/consent/central/consents/{consent.pk}/")
    page.get_by_label("Approve: the consent counts for no time").check()
    screenshot(page, "consent-invalidation-decision")
    page.get_by_role("button", name="Record the decision").click()

    expect(page.get_by_text("it counts for no time").first).to_be_visible()
    assert ConsentInvalidation.objects.get(consent=consent).status == "approved"
    assert gate.permitted(donor=consent.donor, policy="biomat-use").code == "no_consent"
