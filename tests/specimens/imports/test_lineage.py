"""Aliquots and derivatives in an import file: parents in the database or earlier in the file, mass balance."""

from __future__ import annotations

from decimal import Decimal

import pytest

from specimens.models import ImportProblem, Specimen, SpecimenEvent, SpecimenSource
from tests.accounts.factories import make_biobank, make_member
from tests.consent.factories import make_donor
from tests.specimens.factories import make_collection, make_specimen
from tests.specimens.imports.helpers import commit, csv_bytes, serum_row, upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world():
    biobank = make_biobank()
    technician = make_member(biobank, "technician")
    collection = make_collection(biobank, code="serum-2024")
    donor = make_donor(biobank)
    return biobank, technician, collection, donor


def problems_of(job):
    return [(p.row, p.column, p.message) for p in ImportProblem.objects.filter(job=job).order_by("id")]


def test_aliquots_of_a_stored_specimen_and_a_derivative_of_a_row_above_are_deducted_set_based(world):
    biobank, technician, collection, donor = world
    stored = make_specimen(collection=collection, donor=donor, sample_type="SER", quantity="2", unit="mL")
    rows = [
        serum_row(donor, "serum-2024", barcode="A-1", parent_barcode=stored.barcode, quantity="500", unit="uL"),
        serum_row(donor, "serum-2024", barcode="A-2", parent_barcode=stored.barcode, quantity="1.5", unit="mL"),
        serum_row(donor, "serum-2024", barcode="P-1", quantity="4", unit="mL"),
        {
            **serum_row(donor, "serum-2024", barcode="D-1", parent_barcode="P-1", quantity="20", unit="ug"),
            "sample_type": "ZZZ",
            "kind": "fluid",
            "material_type": "DNA",
            "used_quantity": "1",
            "used_unit": "mL",
            "primary_container": "",
        },
    ]
    job = commit(technician, upload(technician, biobank, csv_bytes(rows)))

    assert job.status == "imported", (job.message, problems_of(job))
    stored.refresh_from_db()
    assert (stored.quantity, stored.status) == (Decimal(0), "consumed")  # 0.5 + 1.5 mL of 2 mL
    a1 = Specimen.objects.get(barcode="A-1")
    assert (a1.lineage, a1.parent_id) == ("aliquot", stored.pk)
    p1, d1 = Specimen.objects.get(barcode="P-1"), Specimen.objects.get(barcode="D-1")
    assert (d1.lineage, d1.parent_id, p1.quantity, p1.initial_quantity) == ("derivative", p1.pk, 3, 4)
    used = dict(SpecimenSource.objects.values_list("specimen__barcode", "used_quantity"))
    assert used == {"A-1": Decimal("0.5"), "A-2": Decimal("1.5"), "D-1": Decimal("1")}
    events = set(SpecimenEvent.objects.filter(specimen=stored).values_list("type", flat=True))
    assert {"aliquoted", "consumed"} <= events
    assert SpecimenEvent.objects.filter(specimen=p1, type="derived").exists()


def test_an_overdrawn_parent_an_unknown_parent_and_a_derivative_without_used_quantity_write_nothing(world):
    biobank, technician, collection, donor = world
    stored = make_specimen(collection=collection, donor=donor, sample_type="SER", quantity="1", unit="mL")
    rows = [
        serum_row(donor, "serum-2024", parent_barcode=stored.barcode, quantity="0.6", unit="mL"),
        serum_row(donor, "serum-2024", parent_barcode=stored.barcode, quantity="0.6", unit="mL"),
        serum_row(donor, "serum-2024", parent_barcode="NOPE-1", quantity="1", unit="mL"),
        serum_row(donor, "serum-2024", parent_barcode=stored.barcode, quantity="1", sample_type="PL1"),
        serum_row(donor, "serum-2024", parent_barcode=stored.barcode, quantity="1", unit="mg"),
    ]
    job = upload(technician, biobank, csv_bytes(rows))

    found = {(row, column) for row, column, _message in problems_of(job)}
    assert found == {(3, "used_quantity"), (4, "parent_barcode"), (5, "used_quantity"), (6, "used_unit")}
    assert Specimen.objects.count() == 1
