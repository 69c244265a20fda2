"""A donor opens the invitation link, sees the consent they signed, changes one choice, withdraws, and sees the
confirmation and the updated history — on a phone-sized screen, without any script of ours being needed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from consent import services
from consent.models import WithdrawalPropagation
from consent.services.portal import donor_invite
from tests.accounts.factories import make_biobank, make_member
from tests.consent.factories import make_catalogue, record
from tests.pseudonyms.keyfiles import point_key_files_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def invitation(settings, tmp_path):
    point_key_files_to(settings, tmp_path)
    settings.MEDIA_ROOT = tmp_path / "media"
    biobank = make_biobank(code="central", name="Central Biobank")
    officer = make_member(biobank, Role.CONSENT_OFFICER, email="officer@example.org")
    donor = services.donor_register(
        actor=officer,
        biobank=biobank,
        given_names="Jane Marie",
        family_name="Schmidt",
        date_of_birth=date(1970, 3, 7),
        sex="female",
        hospital_id="MRN-0012345",
        email="jane.schmidt@example.org",
    ).donor
    choices = {"data": "accepted", "biomaterial": "accepted", "recontact": "accepted", "research": "accepted"}
    record(officer, donor, make_catalogue(biobank, actor=officer), choices=choices)
    return donor_invite(actor=officer, donor=donor)


def test_a_donor_opens_the_link_changes_a_choice_withdraws_and_sees_the_history(page, invitation, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"/my/welcome/{invitation.token}/")
    page.get_by_role("button", name="Open my consent page").click()

    expect(page.get_by_role("heading", name="My consent", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Your choices today")).to_be_visible()
    screenshot(page, "donor-portal-home")
    page.get_by_role("link", name="Broad consent", exact=True).click()
    expect(page.get_by_text("I agree that my data and biomaterial may be used for medical research.")).to_be_visible()
    page.get_by_role("navigation", name="My consent").get_by_role("link", name="My consent").click()

    page.get_by_role("link", name=re.compile(r"^Change\W+Recontact$")).click()
    page.get_by_label("No, I do not agree").check()
    page.get_by_label("Your full name").fill("Jane Marie Schmidt")
    screenshot(page, "donor-portal-change-choice")
    page.get_by_role("button", name="Save my new choice").click()
    expect(page.get_by_text("Your choice is saved.")).to_be_visible()
    row = page.locator("[data-module=recontact]")
    expect(row.get_by_text("Withdrawn")).to_be_visible()  # "I agree" turned to "no" is a withdrawal of that part

    page.get_by_role("link", name="Withdraw my consent").first.click()
    page.get_by_label("No further use", exact=False).check()
    screenshot(page, "donor-portal-withdraw")
    page.get_by_role("button", name="Confirm my withdrawal").click()

    expect(page.get_by_role("heading", name="Your withdrawal is recorded")).to_be_visible()
    expect(page.get_by_text("Our staff destroy your samples.")).to_be_visible()
    screenshot(page, "donor-portal-withdrawn")
    assert WithdrawalPropagation.objects.filter(level="no_further_use").count() == 1

    page.get_by_role("link", name="See my history").click()
    history = page.get_by_role("table")
    expect(history).to_contain_text("withdr")
    expect(history).to_contain_text("Recontact")
    screenshot(page, "donor-portal-history")


def test_a_used_link_says_so_in_the_browser(page, invitation):
    page.goto(f"/my/welcome/{invitation.token}/")
    page.get_by_role("button", name="Open my consent page").click()
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"/my/welcome/{invitation.token}/")

    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert "Schmidt" not in page.content()
