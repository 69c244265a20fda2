"""Placing, moving and taking specimens out: each an event and an audit record; bad input writes nothing."""

from __future__ import annotations

import pytest

from biobank.audit.models import AuditOutbox
from biobank.errors import ConflictError, DomainError, ForbiddenError
from specimens.models import Specimen, SpecimenEvent
from specimens.services import (
    specimen_move,
    specimen_place,
    specimen_unplace,
)
from specimens.services.storage import free_positions
from tests.specimens.factories import make_storage_box, stock_specimen

pytestmark = pytest.mark.django_db


def _state() -> tuple[int, int, list]:
    return (
        SpecimenEvent.objects.count(),
        AuditOutbox.objects.filter(action__startswith="specimen.").count(),
        list(Specimen.objects.order_by("pk").values_list("box_id", "box_row", "box_column")),
    )


def test_placing_records_a_stored_event_and_an_audit_record(biobank_a, technician_a, box_a):
    specimen = stock_specimen(biobank_a, barcode="S-1")

    specimen_place(actor=technician_a, specimen=specimen, box=box_a, row=1, column=2)

    specimen.refresh_from_db()
    assert (specimen.box_id, specimen.position) == (box_a.pk, "A2")
    event = SpecimenEvent.objects.get(specimen=specimen)
    assert event.type == "stored" and event.details["to"] == "BOX-A A2"
    assert event.actor_label == technician_a.email
    audit = AuditOutbox.objects.get(action="specimen.place")
    assert audit.object_id == str(specimen.pk) and audit.changes == {"position": [None, "BOX-A A2"]}


def test_moving_records_from_and_to_then_taking_out_frees_the_cell(biobank_a, technician_a, box_a):
    other = make_storage_box(biobank_a, rows=8, columns=12, code="PLATE-1")
    specimen = stock_specimen(biobank_a)
    specimen_place(actor=technician_a, specimen=specimen, box=box_a, row=1, column=1)

    specimen_move(actor=technician_a, specimen=specimen, box=other, row=8, column=12)
    specimen_unplace(actor=technician_a, specimen=specimen, note="thawed for DNA extraction")

    events = list(SpecimenEvent.objects.filter(specimen=specimen).order_by("id"))
    assert [e.type for e in events] == ["stored", "moved", "removed"]
    assert (events[1].details["from"], events[1].details["to"]) == ("BOX-A A1", "PLATE-1 H12")
    assert events[2].details["from"] == "PLATE-1 H12" and events[2].note == "thawed for DNA extraction"
    storage_actions = ("specimen.place", "specimen.move", "specimen.unplace")
    actions = list(
        AuditOutbox.objects.filter(action__in=storage_actions).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["specimen.place", "specimen.move", "specimen.unplace"]
    specimen.refresh_from_db()
    assert specimen.box_id is None and specimen.position == ""
    # the cell is free again and a specimen can be placed there anew ("stored" again)
    specimen_place(actor=technician_a, specimen=specimen, box=box_a, row=1, column=1)
    assert SpecimenEvent.objects.filter(specimen=specimen).latest("id").type == "stored"


def test_a_move_within_the_same_box_is_a_move(biobank_a, box_a):
    specimen = stock_specimen(biobank_a)
    specimen_place(actor=None, specimen=specimen, box=box_a, row=1, column=1)

    specimen_move(actor=None, specimen=specimen, box=box_a, row=2, column=1)

    assert SpecimenEvent.objects.filter(specimen=specimen).latest("id").details["to"] == "BOX-A B1"
    with pytest.raises(DomainError, match="already at BOX-A B1"):
        specimen_move(actor=None, specimen=specimen, box=box_a, row=2, column=1)


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (10, 1, "Position J1 is outside box BOX-A, which has 9 rows (A-I) x 9 columns (1-9)"),
        (1, 10, "Position A10 is outside box BOX-A"),
        (0, 1, "is outside box BOX-A"),
    ],
)
def test_a_position_outside_the_box_is_refused_naming_it_and_the_box_size(biobank_a, box_a, row, column, message):
    specimen = stock_specimen(biobank_a)
    before = _state()

    with pytest.raises(DomainError, match=message.replace("(", r"\(").replace(")", r"\)")):
        specimen_place(actor=None, specimen=specimen, box=box_a, row=row, column=column)

    assert _state() == before


def test_an_occupied_cell_is_a_conflict_naming_the_cell_and_nothing_is_written(biobank_a, box_a):
    specimen_place(actor=None, specimen=stock_specimen(biobank_a), box=box_a, row=3, column=3)
    second = stock_specimen(biobank_a)
    before = _state()

    with pytest.raises(ConflictError, match="Position C3 of box BOX-A is already occupied") as raised:
        specimen_place(actor=None, specimen=second, box=box_a, row=3, column=3)

    assert raised.value.status_code == 409
    assert _state() == before


def test_a_box_of_another_biobank_is_refused(biobank_a, box_b):
    specimen = stock_specimen(biobank_a)
    before = _state()

    with pytest.raises(DomainError, match="belongs to another biobank"):
        specimen_place(actor=None, specimen=specimen, box=box_b, row=1, column=1)

    assert _state() == before


def test_a_unit_that_is_not_a_box_is_refused(biobank_a, box_a):
    specimen = stock_specimen(biobank_a)

    with pytest.raises(DomainError, match="is a Rack, not a box"):
        specimen_place(actor=None, specimen=specimen, box=box_a.parent, row=1, column=1)


@pytest.mark.parametrize("status", ["distributed", "consumed", "destroyed"])
def test_a_specimen_out_of_stock_cannot_be_placed(biobank_a, box_a, status):
    specimen = stock_specimen(biobank_a, status=status)
    before = _state()

    with pytest.raises(DomainError, match="only specimens in stock"):
        specimen_place(actor=None, specimen=specimen, box=box_a, row=1, column=1)

    assert _state() == before


def test_a_placed_specimen_is_moved_not_placed_and_an_unplaced_one_cannot_be_moved(biobank_a, box_a):
    specimen = stock_specimen(biobank_a)
    with pytest.raises(DomainError, match="is in no box; place it"):
        specimen_move(actor=None, specimen=specimen, box=box_a, row=1, column=1)
    with pytest.raises(DomainError, match="nothing to take out"):
        specimen_unplace(actor=None, specimen=specimen)
    specimen_place(actor=None, specimen=specimen, box=box_a, row=1, column=1)

    with pytest.raises(ConflictError, match="already at BOX-A A1; move it"):
        specimen_place(actor=None, specimen=specimen, box=box_a, row=2, column=2)


def test_someone_who_may_only_see_storage_cannot_place(biobank_a, viewer_a, box_a):
    specimen = stock_specimen(biobank_a)

    with pytest.raises(ForbiddenError):
        specimen_place(actor=viewer_a, specimen=specimen, box=box_a, row=1, column=1)
    assert _state()[2] == [(None, None, None)]


def test_a_technician_of_another_biobank_cannot_place_in_ours(biobank_a, technician_b, box_a):
    with pytest.raises(ForbiddenError):
        specimen_place(actor=technician_b, specimen=stock_specimen(biobank_a), box=box_a, row=1, column=1)


# --- free cells and bulk ---------------------------------------------------------------------------------------------


def test_free_positions_go_row_by_row_around_occupied_cells(biobank_a):
    box = make_storage_box(biobank_a, rows=2, columns=3)
    specimen_place(actor=None, specimen=stock_specimen(biobank_a), box=box, row=1, column=2)

    assert free_positions(box, 3) == [(1, 1), (1, 3), (2, 1)]
    assert len(free_positions(box, 99)) == 5
    assert free_positions(box.parent, 3) == []
