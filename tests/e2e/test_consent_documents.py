"""An identity steward opens a consent's receipt: the page asks for a reason first, then the PDF downloads; a data
manager sees the consent but no download."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from biobank.audit.models import AuditEvent
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member
from tests.consent.factories import make_catalogue, make_donor, record
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def consent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    biobank = make_biobank(code="central", name="Central Biobank")
    officer = make_member(biobank, Role.CONSENT_OFFICER, email="officer@example.org")
    make_member(biobank, Role.IDENTITY_STEWARD, email="steward@example.org")
    make_member(biobank, Role.DATA_MANAGER, email="data@example.org")
    consent = record(officer, make_donor(biobank), make_catalogue(biobank, actor=officer))
    consent.refresh_from_db()
    return consent


def test_a_steward_states_a_reason_and_downloads_the_receipt(page, consent, screenshot):
    sign_in(page, "steward@example.org", DEMO_PASSWORD)
    page.goto(f"/consent/central/consents/{consent.pk}/")
    page.get_by_role("link", name="Download the receipt (PDF)").click()

    expect(page.get_by_text("opened only for a stated reason")).to_be_visible()
    page.get_by_label("Reason").fill("The donor asked for a copy of her consent")
    screenshot(page, "consent-document-reason")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()

    data = download_info.value.path().read_bytes()
    assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == consent.receipt_sha256
    event = AuditEvent.objects.get(action="consent.receipt_read")  # drained after commit
    assert event.reason == "The donor asked for a copy of her consent"


def test_a_data_manager_sees_the_consent_but_no_download(page, consent):
    sign_in(page, "data@example.org", DEMO_PASSWORD)
    page.goto(f"/consent/central/consents/{consent.pk}/")

    expect(page.get_by_role("heading", name=f"Consent of {consent.donor.pid}")).to_be_visible()
    expect(page.get_by_role("link", name="Download the receipt (PDF)")).to_have_count(0)
