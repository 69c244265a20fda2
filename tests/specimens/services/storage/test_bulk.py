"""Scan-driven bulk placement: named and next free cells, moves from other cells, all or nothing."""

from __future__ import annotations

import pytest

from biobank.audit.models import AuditOutbox
from biobank.errors import DomainError
from specimens.models import Specimen, SpecimenEvent
from specimens.services import specimen_place, specimens_place_bulk
from tests.specimens.factories import make_storage_box, stock_specimen

pytestmark = pytest.mark.django_db


def _state() -> tuple[int, int, list]:
    return (
        SpecimenEvent.objects.count(),
        AuditOutbox.objects.filter(action__startswith="specimen.").count(),
        list(Specimen.objects.order_by("pk").values_list("box_id", "box_row", "box_column")),
    )


def test_bulk_placement_fills_named_and_next_free_cells_in_one_go(
    biobank_a, technician_a, box_a, django_assert_max_num_queries
):
    specimen_place(actor=None, specimen=stock_specimen(biobank_a), box=box_a, row=1, column=1)
    specimens = [stock_specimen(biobank_a, barcode=f"BULK-{n}") for n in range(5)]
    placements = [("BULK-0", None), ("BULK-1", "a3"), ("BULK-2", ""), ("BULK-3", "I9"), (" BULK-4 ", None)]

    with django_assert_max_num_queries(14):
        done = specimens_place_bulk(actor=technician_a, box=box_a, placements=placements)

    assert [(p.specimen.barcode, p.position) for p in done] == [
        ("BULK-0", "A2"),
        ("BULK-1", "A3"),
        ("BULK-2", "A4"),
        ("BULK-3", "I9"),
        ("BULK-4", "A5"),
    ]
    positions = dict(Specimen.objects.filter(barcode__startswith="BULK").values_list("barcode", "box_column"))
    assert positions == {"BULK-0": 2, "BULK-1": 3, "BULK-2": 4, "BULK-3": 9, "BULK-4": 5}
    assert SpecimenEvent.objects.filter(specimen__in=specimens, type="stored").count() == 5
    assert AuditOutbox.objects.filter(action="specimen.place").count() == 6


def test_bulk_placement_is_all_or_nothing_and_reports_every_problem(biobank_a, biobank_b, box_a):
    specimen_place(actor=None, specimen=stock_specimen(biobank_a, barcode="TAKEN"), box=box_a, row=2, column=2)
    stock_specimen(biobank_a, barcode="GOOD-1")
    stock_specimen(biobank_a, barcode="GONE", status="consumed")
    stock_specimen(biobank_b, barcode="FOREIGN")
    before = _state()
    placements = [
        ("GOOD-1", None),
        ("TAKEN", None),
        ("GONE", None),
        ("FOREIGN", None),
        ("NOPE", None),
        ("GOOD-2", "B2"),
    ]
    stock_specimen(biobank_a, barcode="GOOD-2")
    before = _state()

    with pytest.raises(DomainError) as raised:
        specimens_place_bulk(actor=None, box=box_a, placements=placements)

    message = raised.value.message
    for part in (
        "FOREIGN: no specimen with this barcode in Biobank A",
        "NOPE: no specimen",
        "GONE is Consumed",
        "GOOD-2: position B2 of box BOX-A is already occupied",
    ):
        assert part in message
    assert "TAKEN" not in message  # already in this box, no other cell named: stays where it is
    assert _state() == before


def test_bulk_placement_refuses_bad_lines_before_reading_anything(box_a):
    with pytest.raises(DomainError) as raised:
        specimens_place_bulk(actor=None, box=box_a, placements=[("X", "Z1"), ("X", None), ("Y", "A1"), ("W", "a1")])

    assert "Line 1: Position Z1 is outside box BOX-A" in raised.value.message
    assert "Line 2: X is scanned twice" in raised.value.message
    assert "Line 4: position A1 is also given to Y" in raised.value.message


def test_bulk_placement_into_a_nearly_full_box_says_how_many_cells_are_left(biobank_a):
    box = make_storage_box(biobank_a, rows=1, columns=2)
    for n in range(3):
        stock_specimen(biobank_a, barcode=f"F-{n}")

    with pytest.raises(DomainError, match="has 2 free cells left for 3 specimens"):
        specimens_place_bulk(actor=None, box=box, placements=[(f"F-{n}", None) for n in range(3)])
    assert not Specimen.objects.filter(box=box).exists()


def test_bulk_scanning_moves_tubes_from_other_cells_and_leaves_tubes_already_in_the_box(biobank_a, box_a):
    other = make_storage_box(biobank_a, rows=2, columns=2, code="OLD")
    travelling, staying, shifted = (stock_specimen(biobank_a, barcode=b) for b in ("TRAVEL", "STAY", "SHIFT"))
    specimen_place(actor=None, specimen=travelling, box=other, row=1, column=1)
    specimen_place(actor=None, specimen=staying, box=box_a, row=1, column=1)
    specimen_place(actor=None, specimen=shifted, box=box_a, row=1, column=2)
    fresh = stock_specimen(biobank_a, barcode="FRESH")

    done = specimens_place_bulk(
        actor=None, box=box_a, placements=[("TRAVEL", None), ("STAY", None), ("SHIFT", "C3"), ("FRESH", None)]
    )

    assert [(p.specimen.barcode, p.position, p.moved_from) for p in done] == [
        ("TRAVEL", "A3", "OLD A1"),
        ("SHIFT", "C3", "BOX-A A2"),
        ("FRESH", "A4", ""),
    ]
    assert dict(Specimen.objects.filter(box=box_a).values_list("barcode", "box_row")) == {
        "TRAVEL": 1, "STAY": 1, "SHIFT": 3, "FRESH": 1,
    }  # fmt: skip
    moved = SpecimenEvent.objects.get(specimen=travelling, type="moved")
    assert (moved.details["from"], moved.details["to"]) == ("OLD A1", "BOX-A A3")
    assert SpecimenEvent.objects.filter(specimen=fresh, type="stored").count() == 1
    assert not SpecimenEvent.objects.filter(specimen=staying, type="moved").exists()
    assert AuditOutbox.objects.filter(action="specimen.move").count() == 2
    assert not Specimen.objects.filter(box=other).exists()


def test_a_rescanned_box_changes_nothing(biobank_a, box_a):
    for n in range(3):
        specimen_place(actor=None, specimen=stock_specimen(biobank_a, barcode=f"R-{n}"), box=box_a, row=1, column=n + 1)
    before = _state()

    assert specimens_place_bulk(actor=None, box=box_a, placements=[(f"R-{n}", None) for n in range(3)]) == []
    assert _state() == before
