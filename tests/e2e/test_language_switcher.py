"""The language switcher in the header (issue 16, Build 3): each language named in itself, reached and used by
keyboard, the choice kept for every later page and the document's ``lang`` following it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_keyboard_user_switches_the_portal_to_german_and_back(page):
    make_member(make_biobank(code="central", name="Central Biobank"), Role.CONSENT_OFFICER, email="o@example.org")
    sign_in(page, "o@example.org", DEMO_PASSWORD)
    switcher = page.get_by_role("group", name="Show the portal in")
    expect(switcher.get_by_role("button")).to_have_text(["English", "Deutsch"])
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator("body").focus()
    focused = ""
    for _ in range(15):  # the skip link, the brand, the search, then the switcher
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused == "Deutsch":
            break
    assert focused == "Deutsch", "the switcher is not reached by Tab from the top of the page"
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    expect(page.locator('button[lang="de"]')).to_have_attribute("aria-current", "true")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "de")  # kept for the next pages

    page.locator('button[lang="en"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
