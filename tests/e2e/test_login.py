"""Each demo role signs in through the login form and reaches a dashboard that shows its biobank work."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from catalog import services as catalog_services
from tests.accounts.factories import DEMO_PASSWORD, UserFactory, make_biobank, make_member, make_token
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# e-mail → (role, something only that role's dashboard shows)
PEOPLE = {
    "admin@example.org": (Role.BIOBANK_ADMIN, "Manage API tokens"),
    "staff@example.org": (Role.TECHNICIAN, "Register and process specimens, manage storage"),
    "consent@example.org": (Role.CONSENT_OFFICER, "Register donors and record consent"),
    "data@example.org": (Role.DATA_MANAGER, "Describe a new collection"),
    "dac@example.org": (Role.DAC_CHAIR, "Decide access requests for the committee"),
    "auditor@example.org": (Role.AUDITOR, "Members and their roles"),
    "steward@example.org": (Role.IDENTITY_STEWARD, "See identifying data of donors"),
}


@pytest.fixture
def network():
    biobank = make_biobank(code="charite", name="Central Biobank")
    for email, (role, _) in PEOPLE.items():
        make_member(biobank, role, email=email)
    catalog_services.collection_create(actor=None, biobank=biobank, code="crc", name="Colorectal cancer cohort")
    make_token(biobank, "view_catalog", name="National node")
    UserFactory(email="researcher@example.org", is_researcher=True, email_verified_at=timezone.now())
    return biobank


@pytest.mark.parametrize("email", [*PEOPLE, "researcher@example.org"])
def test_each_role_signs_in_and_reaches_its_dashboard(page, network, email):
    sign_in(page, email, DEMO_PASSWORD)
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    if email == "researcher@example.org":
        expect(page.get_by_text("Biobanks and collections of the network")).to_be_visible()
        # The cohort is not published: the dashboard says so, as the collections page does (issue 16, item 10).
        expect(page.get_by_text("Colorectal cancer cohort")).to_have_count(0)
        expect(page.get_by_text("No collection is visible to you yet.").first).to_be_visible()
        return
    role, marker = PEOPLE[email]
    page.get_by_text("What your roles allow here").click()  # open the details, as a person would
    expect(page.get_by_text(marker).first).to_be_visible()
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_text("Central Biobank")).to_be_visible()
    expect(navigation.get_by_text(str(Role(role).label), exact=True)).to_be_visible()  # the roles under the biobank


def test_a_wrong_password_shows_the_error_and_stays_on_the_login_page(page, network):
    sign_in(page, "admin@example.org", "not-the-password")
    expect(page.get_by_role("alert").get_by_text("The e-mail address or password is not correct")).to_be_visible()
    assert "/accounts/login/" in page.url


def test_signing_out_ends_the_session(page, network):
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_the_dashboard_looks_right_at_1280_and_on_a_tablet(page, network, screenshot):
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/")
    screenshot(page, "dashboard-admin-1280")
    page.set_viewport_size({"width": 820, "height": 1180})
    assert page.evaluate("document.documentElement.scrollWidth") <= 820  # no sideways scrolling on a tablet
    screenshot(page, "dashboard-admin-tablet")


def test_the_keyboard_reaches_the_skip_link_first_and_it_jumps_to_the_content(page, network):
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    expect(page.get_by_role("link", name="Skip to main content")).to_be_visible()  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
