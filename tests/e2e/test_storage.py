"""A technician finds a box through the Storage page and scans tubes into it: one cell with HTMX, then in bulk."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from specimens.models import Specimen
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member
from tests.e2e.conftest import sign_in
from tests.specimens.factories import make_storage_box, stock_specimen

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def box():
    biobank = make_biobank(code="central", name="Central Biobank")
    make_member(biobank, Role.TECHNICIAN, email="tech@example.org")
    for barcode in ("S-HTMX", "S-BULK-1", "S-BULK-2"):
        stock_specimen(biobank, barcode=barcode)
    return make_storage_box(biobank, rows=9, columns=9, code="BOX-E2E")


def test_a_technician_places_a_tube_in_a_cell_and_scans_two_more_into_the_box(page, box, screenshot):
    sign_in(page, "tech@example.org", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Storage").click()
    screenshot(page, "storage-tree-1280")
    page.get_by_role("link", name=box.name).click()
    expect(page.locator("#unit-fill")).to_contain_text("0 of 81 cells (0 %)")

    page.get_by_role("link", name="Place here B3").click()  # HTMX swaps the cell for a barcode field
    field = page.get_by_label("Barcode for B3")
    expect(field).to_be_focused()
    field.fill("S-HTMX")
    field.press("Enter")  # what a scanner does after the code

    cell = page.locator("#cell-B3")
    expect(cell).to_contain_text("S-HTMX")
    expect(cell).to_have_class("cell cell--available cell--type-ser")
    expect(page.locator("#messages")).to_contain_text("S-HTMX was placed at BOX-E2E B3.")
    assert Specimen.objects.get(barcode="S-HTMX").position == "B3"
    expect(page.locator("#unit-fill")).to_contain_text("1 of 81 cells (1 %)")  # reloaded after the placement
    screenshot(page, "storage-box-map-1280")

    page.get_by_role("link", name="Scan tubes into this box").click()
    page.get_by_label("Barcodes, one per line").fill("S-BULK-1\nS-BULK-2 I9\n")
    page.get_by_role("button", name="Place all").click()

    expect(page.locator("#messages")).to_contain_text("2 specimens were placed in BOX-E2E")
    expect(page.locator("#cell-A1")).to_contain_text("S-BULK-1")
    expect(page.locator("#cell-I9")).to_contain_text("S-BULK-2")
    expect(page.locator("#unit-fill")).to_contain_text("3 of 81 cells (4 %)")
