"""A technician registers a primary specimen with its aliquots in one form ("10 x 0.5 mL"), lands on the specimen
page with the new aliquots listed, and prints their labels (a PDF download). Placing the aliquots in a box through
the box map (the storage pages) comes between the two: ``place_aliquots_through_the_box_map``."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from biobank.audit.models import AuditEvent, AuditOutbox
from specimens.models import Specimen
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member
from tests.consent.factories import make_donor
from tests.e2e.conftest import sign_in
from tests.specimens.factories import make_collection

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lab():
    biobank = make_biobank(code="central", name="Central Biobank")
    make_member(biobank, Role.TECHNICIAN, email="tech@example.org")
    collection = make_collection(biobank, code="plasma-2026")
    return collection, make_donor(biobank)


def place_aliquots_through_the_box_map(page, primary: Specimen) -> None:
    """The storage pages' step (issue 11: "places them in a box through the box map"): the first aliquot into a cell
    of the map (HTMX), the others scanned into the box in bulk. Starts and ends on the specimen page of ``primary``."""
    from tests.specimens.factories import make_storage_box

    box = make_storage_box(primary.biobank, rows=9, columns=9, code="BOX-0001")
    aliquots = list(primary.children.order_by("pk"))
    specimen_page = page.url
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Storage").click()
    page.get_by_role("link", name=box.name).click()
    page.get_by_role("link", name="Place here A1").click()
    field = page.get_by_label("Barcode for A1")
    field.fill(aliquots[0].barcode)
    field.press("Enter")  # a scanner types the code and Enter
    expect(page.locator("#cell-A1")).to_contain_text(aliquots[0].barcode)

    page.get_by_role("link", name="Scan tubes into this box").click()
    page.get_by_label("Barcodes, one per line").fill("\n".join(a.barcode for a in aliquots[1:]))
    page.get_by_role("button", name="Place all").click()
    expect(page.locator("#unit-fill")).to_contain_text(f"{len(aliquots)} of 81 cells")
    expect(page.locator("#cell-B1")).to_contain_text(aliquots[-1].barcode)  # A1-A9, then B1
    assert sorted(Specimen.objects.filter(box=box).values_list("barcode", flat=True)) == sorted(
        a.barcode for a in aliquots
    )
    page.goto(specimen_page)


def test_a_technician_registers_a_specimen_with_aliquots_and_prints_their_labels(page, lab, screenshot):
    collection, donor = lab
    sign_in(page, "tech@example.org", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register specimen").click()

    page.get_by_label("Donor PID").fill(donor.pid_display)  # a scanner types the PID
    page.get_by_label("Collection", exact=True).select_option(
        label=collection.name
    )  # "Collection <n>": n counts up per run
    page.get_by_label("Sample type (SPREC)").select_option("PL1")
    page.get_by_label("Barcode (optional)", exact=True).fill("TUBE-0001")
    page.get_by_label("Quantity", exact=True).fill("5")
    page.get_by_label("Number of aliquots").fill("10")
    page.get_by_label("Quantity of each aliquot").fill("0.5")
    page.get_by_label("SPREC code (optional)").fill("PL1-PED-A-B-N-A-E")
    screenshot(page, "specimen-register")
    page.get_by_role("button", name="Register the specimen").click()

    expect(page.get_by_text("Specimen TUBE-0001 was registered with 10 aliquots.")).to_be_visible()
    expect(page.get_by_role("heading", name="New aliquots")).to_be_visible()
    primary = Specimen.objects.get(barcode="TUBE-0001")
    aliquots = list(primary.children.order_by("pk"))
    assert len(aliquots) == 10 and primary.quantity == 0
    for aliquot in aliquots:
        expect(page.get_by_role("link", name=aliquot.barcode).first).to_be_visible()
    screenshot(page, "specimen-registered")

    place_aliquots_through_the_box_map(page, primary)

    page.get_by_role("button", name="Print labels (11)").click()
    expect(page.get_by_label("Barcodes")).to_have_value("\n".join(["TUBE-0001", *(a.barcode for a in aliquots)]))
    page.get_by_label("Label layout").select_option("1.28x0.5in-a4")
    page.get_by_label("Symbol").select_option("datamatrix")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the labels").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert download.path().read_bytes().startswith(b"%PDF")
    printed = [
        *AuditOutbox.objects.filter(action="specimen.labels").values_list("object_id", flat=True),
        *AuditEvent.objects.filter(action="specimen.labels").values_list("object_id", flat=True),
    ]
    assert sorted(printed) == sorted(str(s.pk) for s in [primary, *aliquots])
