"""A researcher puts a catalogue collection in the cart, starts a request from the cart, fills every step of the
wizard (one step with a mistake first: the error is shown at the top and at the field, and nothing typed is lost),
uploads the ethics approval, sees the feasibility panel on the review step and submits (issue 14, items 1 and 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from access_requests.choices import RequestStatus
from access_requests.models import AccessRequest
from tests.access_requests.factories import make_researcher
from tests.accounts.factories import make_biobank
from tests.catalog.factories import make_public_profile, make_published_collection
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    biobank = make_biobank(code="rhine", name="Rhine Biobank", country="DE")
    make_public_profile(biobank)
    collection = make_published_collection(biobank, "dm2", "Diabetes plasma", materials=["PLASMA"], diseases=["E11"])
    researcher = make_researcher(email="rosa@example.org")
    return collection, researcher, tmp_path


def test_a_researcher_goes_from_the_cart_to_a_submitted_request(page, world, screenshot):
    collection, researcher, tmp_path = world
    ethics = tmp_path / "ethics-approval.pdf"
    ethics.write_bytes(PDF)
    sign_in(page, researcher.email, "long-enough-password-1")
    page.goto(f"/catalogue/collections/{collection.pk}/")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("was added to the cart")).to_be_visible()

    page.get_by_role("link", name="Access requests").first.click()
    page.get_by_role("link", name="New request from my cart").click()
    expect(page.get_by_text("Rhine Biobank — Diabetes plasma")).to_be_visible()
    page.get_by_label("Project title").fill("Plasma markers of type 2 diabetes")
    page.get_by_label("Lay summary").fill("We look for early signs of diabetes in blood.")
    page.get_by_label("Scientific abstract").fill("A nested case-control study of 40 plasma proteins.")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Research on a specific disease (DS)").check()
    page.get_by_label("Disease (ICD-10", exact=False).fill("diabetes")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".errorlist")).to_contain_text("is not a disease code")
    expect(page.get_by_label("Disease (ICD-10", exact=False)).to_have_value("diabetes")  # nothing lost
    screenshot(page, "request-wizard-error")
    page.get_by_label("Disease (ICD-10", exact=False).fill("E11")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Material row 1: type").select_option("PLASMA")
    page.get_by_label("Row 1: amount").fill("0.5")
    page.get_by_label("Row 1: unit").select_option("mL")
    page.get_by_label("Row 1: number of samples").fill("200")
    page.get_by_role("group", name="Material types to count (feasibility)").get_by_label("Plasma").check()
    page.get_by_label("Diagnoses (ICD-10 prefixes", exact=False).fill("E11")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_label("Rhine Biobank — Diabetes plasma")).to_be_checked()  # from the cart
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Ethics approval reference").fill("EK-2026-117")
    page.get_by_label("Ethics approval valid until").fill((timezone.localdate() + timedelta(days=365)).isoformat())
    page.get_by_label("Ethics approval (PDF", exact=False).set_input_files(str(ethics))
    page.get_by_label("Duration in months").fill("24")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Name").fill("Carl Collaborator")
    page.get_by_label("E-mail").fill("carl@example.org")
    page.get_by_label("Role").select_option("collaborator")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("cell", name="Carl Collaborator")).to_be_visible()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Feasibility")).to_be_visible()
    expect(page.get_by_test_id("feasibility-row")).to_contain_text("Diabetes plasma")
    screenshot(page, "request-wizard-review")
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_text("Status: Submitted")).to_be_visible()
    expect(page.get_by_role("cell", name="waits for the biobank to look at it")).to_be_visible()
    screenshot(page, "request-submitted")
    request = AccessRequest.objects.get()
    assert request.status == RequestStatus.SUBMITTED and request.disease == "E11"
    assert request.attachments.get().content_type == "application/pdf"
