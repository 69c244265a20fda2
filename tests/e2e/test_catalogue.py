"""A visitor without an account searches the public catalogue with two facets and a text query, opens a collection
and adds it to the cart, then finds it in the cart with the search it came from (issue 12, "Done when")."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import make_biobank
from tests.catalog.factories import make_fact, make_public_profile, make_published_collection

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    de = make_biobank(code="rhine", name="Rhine Biobank", country="DE")
    at = make_biobank(code="danube", name="Danube Biobank", country="AT")
    make_public_profile(de)
    make_public_profile(at)
    crc = make_published_collection(
        de, "crc", "Colorectal tumours", description="Resections of colorectal cancer.",
        materials=["PLASMA", "TISSUE_FROZEN"], diseases=["C18"], age_low=18, age_high=90,
    )  # fmt: skip
    make_published_collection(de, "serum", "Serum bank", description="Serum of colorectal screening.",
                              materials=["SERUM"])  # fmt: skip
    make_published_collection(at, "vienna-crc", "Vienna colorectal plasma", materials=["PLASMA"], diseases=["C18"])
    make_fact(crc, 137, 40)
    make_fact(crc, 80, 25, sex="FEMALE")
    make_fact(crc, 57, 15, sex="MALE")
    return crc


def test_a_visitor_searches_opens_a_collection_and_adds_it_to_the_cart(page, catalogue, screenshot):
    page.goto("/accounts/login/")
    page.get_by_role("navigation", name="Public pages").get_by_role("link", name="Catalogue").click()
    page.get_by_role("button", name="Search").click()

    page.get_by_label("Plasma").check()
    page.get_by_label("Germany").check()
    page.get_by_label("Text").fill("colorectal")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_role("heading", name="1 collection found")).to_be_visible()
    expect(
        page.get_by_text("Collections with material type Plasma; country Germany; text 'colorectal'")
    ).to_be_visible()
    expect(page.get_by_label("Plasma")).to_be_checked()
    screenshot(page, "catalogue-search")
    page.get_by_role("link", name="Colorectal tumours").click()

    expect(page.get_by_role("heading", name="Colorectal tumours", level=1)).to_be_visible()
    expect(page.get_by_text("≈ 140")).to_be_visible()  # obfuscated for the public
    page.get_by_label("Split by").select_option("sex")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("img", name="Bar chart of samples by Sex")).to_be_visible()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("“Colorectal tumours” was added to the cart.")).to_be_visible()

    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name="Cart").click()
    cart = page.get_by_role("table", name="Collections in the cart")
    expect(cart.get_by_role("link", name="Colorectal tumours")).to_be_visible()
    expect(
        page.get_by_text("Collections with material type Plasma; country Germany; text 'colorectal'").first
    ).to_be_visible()
    screenshot(page, "catalogue-cart")
