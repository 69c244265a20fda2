"""The API tokens page on a tablet (820 px): the help shows the header literally, nothing scrolls sideways and each
Revoke button is on screen (issue 16, item 9)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member, make_token
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def biobank():
    biobank = make_biobank(code="central", name="Central Biobank")
    make_member(biobank, Role.BIOBANK_ADMIN, email="admin@example.org")
    make_token(biobank, "view_specimens", "view_donors", "view_catalog", name="Hospital LIS of the university clinic")
    make_token(biobank, "view_specimens", name="National node (BBMRI.de) nightly export")
    return biobank


@pytest.mark.parametrize("width", [820, 1280])
def test_the_tokens_page_fits_a_tablet_and_names_the_header(page, biobank, width, screenshot):
    page.set_viewport_size({"width": width, "height": 1180})
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.goto("/biobanks/central/tokens/")

    expect(page.locator("p.lead code")).to_have_text("Authorization: Bearer <token>")
    overflow = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert overflow[0] <= overflow[1], f"the page scrolls sideways by {overflow[0] - overflow[1]} px"
    revoke = page.get_by_role("link", name="Revoke")
    expect(revoke).to_have_count(2)
    for index in range(2):
        box = revoke.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        inner = page.evaluate(
            "(el) => { const c = el.closest('.card'); return el.getBoundingClientRect().right <= "
            "c.getBoundingClientRect().right && c.scrollWidth <= c.clientWidth; }",
            revoke.nth(index).element_handle(),
        )
        assert inner, "the Revoke button is scrolled out of the table's card"
    screenshot(page, f"tokens-{width}")
