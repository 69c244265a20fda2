"""The box map is one query whatever the box's size and fill; utilisation is one query for a whole biobank."""

from __future__ import annotations

import pytest

from specimens.choices import StorageKind
from specimens.models import StorageUnit
from specimens.selectors import box_map, storage_units_visible_to, utilisation
from specimens.services import specimens_place_bulk
from tests.specimens.factories import make_storage_box, stock_specimen

pytestmark = pytest.mark.django_db


def _fill(box, count, *, status="available", sample_type="SER"):
    barcodes = [stock_specimen(box.biobank, status=status, sample_type=sample_type).barcode for _ in range(count)]
    if barcodes:
        specimens_place_bulk(actor=None, box=box, placements=[(b, None) for b in barcodes])


@pytest.mark.parametrize(("rows", "columns", "fill"), [(9, 9, 0), (9, 9, 81), (12, 8, 5), (12, 8, 96), (32, 48, 100)])
def test_the_box_map_is_one_query_whatever_the_size_and_fill(biobank_a, django_assert_num_queries, rows, columns, fill):
    box = make_storage_box(biobank_a, rows=rows, columns=columns)
    _fill(box, fill)

    with django_assert_num_queries(1):
        grid = box_map(box)
        cells = list(grid.cells())

    assert len(cells) == rows * columns and grid.occupied == fill
    assert [row.label for row in grid.rows][:2] == ["A", "B"]


def test_cells_carry_barcode_status_letter_and_sample_type(biobank_a):
    box = make_storage_box(biobank_a, rows=2, columns=2)
    reserved = stock_specimen(biobank_a, status="reserved", sample_type="PL1")
    specimens_place_bulk(actor=None, box=box, placements=[(reserved.barcode, "B2")])

    grid = box_map(box)

    cell = grid.cell(2, 2)
    assert (cell.label, cell.barcode, cell.status_letter, cell.sample_type) == ("B2", reserved.barcode, "R", "PL1")
    assert cell.specimen_id == reserved.pk and not grid.cell(1, 1).occupied
    assert grid.statuses() == [("reserved", "R", "Reserved")] and grid.sample_types() == ["PL1"]
    assert (grid.capacity, grid.free) == (4, 3)


def test_utilisation_per_freezer_counts_every_box_below_in_one_query(biobank_a, biobank_b, django_assert_num_queries):
    first = make_storage_box(biobank_a, rows=9, columns=9)
    second = make_storage_box(biobank_a, rows=10, columns=10, parent=first.parent)  # same rack
    third = make_storage_box(biobank_a, rows=8, columns=12)  # another freezer
    _fill(first, 10)
    _fill(second, 5)
    _fill(third, 96)
    _fill(make_storage_box(biobank_b, rows=9, columns=9), 3)  # another biobank's freezer is not counted

    with django_assert_num_queries(1):
        rows = [(u.code, u.kind, u.specimen_count, u.cell_count) for u in utilisation(biobank_a)]

    freezer_of = {
        box.pk: StorageUnit.objects.get(pk=int(box.path.strip("/").split("/")[2])).code for box in (first, third)
    }
    assert sorted(rows) == sorted(
        [(freezer_of[first.pk], "freezer", 15, 181), (freezer_of[third.pk], "freezer", 96, 96)]
    )


def test_utilisation_of_a_unit_covers_it_its_ancestors_and_its_descendants(biobank_a):
    box = make_storage_box(biobank_a, rows=3, columns=3)
    _fill(box, 4)

    found = {u.kind: (u.specimen_count, u.cell_count) for u in utilisation(box, kinds=tuple(StorageKind.values))}

    assert found == {kind: (4, 9) for kind in ("site", "room", "freezer", "rack", "box")}


def test_storage_units_are_visible_only_to_those_who_see_specimens_of_their_biobank(
    biobank_a, box_a, box_b, technician_a, viewer_a, admin_a
):
    from biobank.accounts.choices import Role
    from tests.accounts.factories import make_member

    steward = make_member(biobank_a, Role.IDENTITY_STEWARD, email="steward@example.org")

    for user in (technician_a, viewer_a, admin_a):
        units = storage_units_visible_to(user=user)
        assert box_a in units and box_b not in units
    assert not storage_units_visible_to(user=steward).exists()
