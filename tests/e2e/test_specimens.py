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
    make_collection(biobank, code="plasma-2026")
    return biobank, make_donor(biobank)


def place_aliquots_through_the_box_map(page, primary: Specimen) -> None:
    """The storage pages' step of this scenario (issue 11: "places them in a box through the box map"): the lead
    adds it when the box map is merged. It starts and must end on the specimen page of ``primary``."""


def test_a_technician_registers_a_specimen_with_aliquots_and_prints_their_labels(page, lab, screenshot):
    _biobank, donor = lab
    sign_in(page, "tech@example.org", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register specimen").click()

    page.get_by_label("Donor PID").fill(donor.pid_display)  # a scanner types the PID
    page.get_by_label("Collection", exact=True).select_option(label="Collection 1")
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
