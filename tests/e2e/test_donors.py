"""A consent officer registers a donor on the tablet form; an identity steward opens the identity with a reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from biobank.audit.models import AuditEvent, AuditOutbox
from consent.models import Donor
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member
from tests.e2e.conftest import sign_in
from tests.pseudonyms.keyfiles import point_key_files_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def biobank(settings, tmp_path):
    point_key_files_to(settings, tmp_path)
    biobank = make_biobank(code="central", name="Central Biobank")
    make_member(biobank, Role.CONSENT_OFFICER, email="officer@example.org")
    make_member(biobank, Role.IDENTITY_STEWARD, email="steward@example.org")
    return biobank


def test_an_officer_registers_a_donor_and_a_steward_sees_the_identity_with_a_reason(page, biobank, screenshot):
    page.set_viewport_size({"width": 1024, "height": 1366})  # a tablet in portrait
    sign_in(page, "officer@example.org", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Donors", exact=True).click()
    page.get_by_role("link", name="Register a donor").click()
    page.get_by_label("Given names").fill("Jane Marie")
    page.get_by_label("Family name").fill("Schmidt")
    page.get_by_label("Date of birth").fill("1970-03-07")
    page.get_by_label("Female").check()
    page.get_by_label("Hospital ID (MRN)").fill("MRN-0012345")
    screenshot(page, "donor-register-tablet")
    page.get_by_role("button", name="Register the donor").click()

    donor = Donor.objects.get()
    expect(page.get_by_text(f"Donor {donor.pid_display} was registered")).to_be_visible()
    assert "Schmidt" not in page.content()
    page.get_by_role("button", name="Sign out").click()

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "steward@example.org", DEMO_PASSWORD)
    page.goto(f"/consent/central/donors/{donor.pid_display}/")
    page.get_by_role("link", name="Show identity").click()
    page.get_by_role("button", name="Show the identity").click()
    expect(page.get_by_role("alert").get_by_text("State why you need to see this identity.")).to_be_visible()
    page.get_by_label("Reason").fill("Recall for an incidental finding")
    page.get_by_role("button", name="Show the identity").click()
    table = page.get_by_role("table", name=f"Identity of donor {donor.pid_display}")
    expect(table.get_by_role("cell", name="Schmidt")).to_be_visible()
    expect(table.get_by_role("cell", name="MRN-0012345")).to_be_visible()
    screenshot(page, "donor-identity-steward")
    recorded = [
        *AuditOutbox.objects.filter(action="donor.identity_view"),
        *AuditEvent.objects.filter(action="donor.identity_view"),
    ]
    assert [event.reason for event in recorded] == ["Recall for an incidental finding"]  # drained or not yet
