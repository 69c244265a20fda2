"""A consent officer records a consent on the capture screen (drawn signature, typed name, choices) and downloads
the receipt, whose SHA-256 equals the stored hash. A German form is asked and signed in German under an English
staff page (issue 16, item 1); a drawing survives a forgotten countersignature (issue 16, item 2)."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.utils.translation import gettext, override
from playwright.sync_api import expect
from pypdf import PdfReader

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


def in_german(message: str) -> str:
    """What the German catalogue says for ``message`` (the English until it is translated)."""
    with override("de"):
        return gettext(message)


def draw_on_the_pad(page) -> None:
    pad = page.locator("canvas[data-signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] / 2 + (15 if step % 2 else -15))
    page.mouse.up()


def open_the_form(page, donor, language: str) -> None:
    sign_in(page, "officer@example.org", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Record consent").click()
    page.get_by_label("Donor PID").fill(donor.pid)
    page.get_by_label("Language").select_option(language)
    page.get_by_role("button", name="Show the form").click()


def test_a_consent_officer_records_a_consent_and_downloads_its_receipt(page, world, screenshot):
    donor, _template = world
    open_the_form(page, donor, "en")

    expect(page.get_by_text("I agree that my data")).to_be_visible()
    page.get_by_role("group", name="Patient data").get_by_label("Yes, I agree").check()
    page.get_by_role("group", name="Biomaterial").get_by_label("No, I do not agree").check()
    page.get_by_label("Typed name of the person signing").fill("Erika Mustermann")
    draw_on_the_pad(page)
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


def test_a_german_form_is_answered_and_signed_in_german_and_its_receipt_is_german(page, world, screenshot):
    donor, _template = world
    open_the_form(page, donor, "de")

    form = page.locator(".capture-form")
    expect(form).to_have_attribute("lang", "de")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the officer's own page stays English
    expect(page.get_by_text("Ich willige ein")).to_be_visible()
    expect(form.get_by_text("Yes, I agree")).to_have_count(0)
    form.get_by_role("group", name="Patient data (de)").get_by_label("Ja, ich stimme zu").check()
    form.get_by_role("group", name="Biomaterial (de)").get_by_label("Nein, ich stimme nicht zu").check()
    form.get_by_label(in_german("Typed name of the person signing")).fill("Erika Mustermann")
    draw_on_the_pad(page)
    expect(form.get_by_text(in_german("Drawing captured."))).to_be_visible()
    form.get_by_label(in_german("Place of the information")).fill("Ambulanz, Raum 2")
    form.get_by_label(in_german("The witness named above saw the donor sign; I countersign as staff member")).check()
    screenshot(page, "consent-capture-german")
    form.get_by_role("button", name=in_german("Sign and record the consent")).click()

    expect(page.get_by_text("Consent recorded for")).to_be_visible()
    consent = Consent.objects.get()
    assert consent.language == "de" and signature_values(consent).signature_png
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the receipt (PDF)").click()
    receipt = PdfReader(io.BytesIO(download_info.value.path().read_bytes())).pages[0].extract_text()
    assert "Einwilligungsbeleg" in receipt and "Abgelehnt" in receipt


def test_a_drawing_survives_a_forgotten_countersignature_and_is_recorded(page, world, screenshot):
    donor, _template = world
    open_the_form(page, donor, "en")
    page.get_by_role("group", name="Patient data").get_by_label("Yes, I agree").check()
    page.get_by_label("Typed name of the person signing").fill("Erika Mustermann")
    draw_on_the_pad(page)
    expect(page.get_by_label("Typed name and a drawing on the pad")).to_be_checked()  # drawing chose it
    page.get_by_label("Place of the information").fill("Outpatient clinic, room 2")
    page.get_by_role("button", name="Sign and record the consent").click()  # countersignature forgotten

    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Confirm that the signature was witnessed.")
    pad = page.locator("canvas[data-signature-pad]")
    expect(pad).to_have_attribute("data-restored", "true")  # drawn again from what was sent
    expect(page.get_by_text("The drawing is still here")).to_be_visible()
    expect(page.get_by_label("Typed name and a drawing on the pad")).to_be_checked()
    assert page.locator('input[name="signature"]').input_value().startswith("data:image/png;base64,")
    assert not Consent.objects.exists()
    screenshot(page, "consent-capture-drawing-kept")

    page.get_by_label("The witness named above saw the donor sign").check()
    page.get_by_role("button", name="Sign and record the consent").click()

    expect(page.get_by_text("Consent recorded for")).to_be_visible()
    drawn = signature_values(Consent.objects.get()).signature_png
    assert drawn and drawn.startswith(b"\x89PNG")


def test_a_cleared_drawing_is_refused_at_the_pad(page, world):
    donor, _template = world
    open_the_form(page, donor, "en")
    page.get_by_role("group", name="Patient data").get_by_label("Yes, I agree").check()
    page.get_by_label("Typed name of the person signing").fill("Erika Mustermann")
    draw_on_the_pad(page)
    page.get_by_role("button", name="Clear the drawing").click()
    page.get_by_label("Place of the information").fill("Outpatient clinic, room 2")
    page.get_by_label("The witness named above saw the donor sign").check()
    page.get_by_role("button", name="Sign and record the consent").click()

    expect(page.locator("#signature-pad-field .errorlist")).to_contain_text("No drawing arrived")
    page.locator(".error-summary").get_by_role("link", name="No drawing arrived").click()
    expect(page.locator("canvas[data-signature-pad]")).to_be_focused()
    assert not Consent.objects.exists()
