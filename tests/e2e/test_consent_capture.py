"""A consent officer records a consent on the capture screen (drawn signature, typed name, choices) and downloads
the receipt, whose SHA-256 equals the stored hash."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from consent.documents import signature_values
from consent.models import Consent
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member
from tests.consent.factories import make_catalogue, make_donor
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    biobank = make_biobank(code="central", name="Central Biobank")
    officer = make_member(biobank, Role.CONSENT_OFFICER, email="officer@example.org")
    template = make_catalogue(biobank, actor=officer)
    return make_donor(biobank), template


def test_a_consent_officer_records_a_consent_and_downloads_its_receipt(page, world, screenshot):
    donor, _template = world
    sign_in(page, "officer@example.org", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Record consent").click()
    page.get_by_label("Donor PID").fill(donor.pid)
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Show the form").click()

    expect(page.get_by_text("Ich willige ein")).to_be_visible()
    page.get_by_role("group", name="Patient data (de)").get_by_label("Yes, I agree").check()
    page.get_by_role("group", name="Biomaterial (de)").get_by_label("No, I do not agree").check()
    page.get_by_label("Typed name of the person signing").fill("Erika Mustermann")
    pad = page.locator("canvas[data-signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] / 2 + (15 if step % 2 else -15))
    page.mouse.up()
    expect(page.get_by_text("Drawing captured.")).to_be_visible()
    page.get_by_label("Place of the information").fill("Outpatient clinic, room 2")
    page.get_by_label("The witness named above saw the donor sign").check()
    screenshot(page, "consent-capture")
    page.get_by_role("button", name="Sign and record the consent").click()

    expect(page.get_by_text("Consent recorded for")).to_be_visible()
    consent = Consent.objects.get()
    drawn = signature_values(consent).signature_png  # in the vault, decrypted here only
    assert drawn and drawn.startswith(b"\x89PNG")
    assert {c.module.code: c.choice for c in consent.choices.all()}["biomaterial"] == "declined"
    assert page.locator("[data-receipt-sha256]").inner_text() == consent.receipt_sha256

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the receipt (PDF)").click()
    data = download_info.value.path().read_bytes()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == consent.receipt_sha256
    screenshot(page, "consent-detail")
