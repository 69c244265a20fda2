"""A biobank admin adds a member and changes their roles, inline with HTMX and without it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from biobank.accounts.models import Membership
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def biobank():
    biobank = make_biobank(code="central", name="Central Biobank")
    make_member(biobank, Role.BIOBANK_ADMIN, email="admin@example.org")
    make_member(biobank, Role.TECHNICIAN, email="staff@example.org")
    return biobank


def roles_of(email, biobank):
    return sorted(Membership.objects.filter(user__email=email, biobank=biobank).values_list("role", flat=True))


def test_an_admin_adds_a_member_and_changes_their_roles(page, biobank, screenshot):
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    page.get_by_role("link", name="Add a member").click()

    page.get_by_label("E-mail address").fill("new.colleague@example.org")
    page.get_by_label("Full name").fill("New Colleague")
    page.get_by_label("Consent officer").check()
    page.get_by_role("button", name="Add the member").click()
    expect(page.get_by_text("new.colleague@example.org was added")).to_be_visible()
    assert roles_of("new.colleague@example.org", biobank) == [Role.CONSENT_OFFICER]

    row = page.locator("tr", has_text="new.colleague@example.org")
    row.get_by_role("link", name="Change roles").click()
    editing = page.locator("tr.row--editing")
    expect(editing.get_by_label("Consent officer")).to_be_checked()
    editing.get_by_label("Data manager").check()
    editing.get_by_role("button", name="Save roles").click()
    expect(page.locator("tr.row--editing")).to_have_count(0)
    expect(page.locator("#messages")).to_contain_text("The roles of new.colleague@example.org were saved.")
    expect(page.locator("tr", has_text="new.colleague@example.org").get_by_text("Data manager")).to_be_visible()
    assert roles_of("new.colleague@example.org", biobank) == sorted([Role.CONSENT_OFFICER, Role.DATA_MANAGER])
    screenshot(page, "members-admin-1280")


def test_the_last_admin_is_told_why_they_cannot_drop_the_role(page, biobank, screenshot):
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.goto("/biobanks/central/members/")
    page.locator("tr", has_text="admin@example.org").get_by_role("link", name="Change roles").click()
    editing = page.locator("tr.row--editing")
    editing.get_by_label("Biobank admin").uncheck()
    editing.get_by_label("Auditor").check()
    editing.get_by_role("button", name="Save roles").click()
    expect(page.get_by_role("alert").get_by_text("last biobank admin")).to_be_visible()
    expect(page.locator("tr.row--editing")).to_have_count(1)  # the form stays open with the error
    screenshot(page, "members-last-admin-error")
    assert roles_of("admin@example.org", biobank) == [Role.BIOBANK_ADMIN]


def test_member_management_works_without_javascript(browser, live_server, biobank):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.goto("/biobanks/central/members/")
    page.locator("tr", has_text="staff@example.org").get_by_role("link", name="Change roles").click()
    assert "/roles/" in page.url  # a full page, not an inline edit
    page.get_by_label("Auditor").check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.get_by_text("The roles of staff@example.org were saved.")).to_be_visible()
    assert roles_of("staff@example.org", biobank) == sorted([Role.AUDITOR, Role.TECHNICIAN])
    context.close()
