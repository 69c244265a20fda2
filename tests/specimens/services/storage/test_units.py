"""The storage hierarchy: which kind sits in which, boxes have grids, codes are unique, a box never shrinks below a
specimen; every change is audited."""

from __future__ import annotations

import pytest

from biobank.audit.models import AuditOutbox
from biobank.errors import ConflictError, DomainError, ForbiddenError
from specimens.choices import StorageKind
from specimens.models import StorageUnit
from specimens.services import specimen_place, storage_unit_create, storage_unit_update
from tests.specimens.factories import make_freezer, make_storage_box, stock_specimen

pytestmark = pytest.mark.django_db


def _create(biobank, parent, kind, code, **extra):
    return storage_unit_create(actor=None, biobank=biobank, parent=parent, kind=kind, name=code, code=code, **extra)


def test_a_site_room_freezer_rack_box_chain_gets_materialised_paths(biobank_a, technician_a):
    site = storage_unit_create(
        actor=technician_a, biobank=biobank_a, parent=None, kind="site", name="Campus", code="S1"
    )
    room = _create(biobank_a, site, "room", "R1")
    freezer = _create(biobank_a, room, "freezer", "F1", temperature_c=-80)
    rack = _create(biobank_a, freezer, "rack", "RK1")
    box = _create(biobank_a, rack, "box", "B1", rows=10, columns=10)

    assert box.path == f"/{site.pk}/{room.pk}/{freezer.pk}/{rack.pk}/{box.pk}/"
    assert StorageUnit.objects.get(pk=box.pk).path == box.path
    created = AuditOutbox.objects.filter(action="storage.create", object_id=str(site.pk)).get()
    assert created.changes["code"] == [None, "S1"]


@pytest.mark.parametrize(
    ("parent_kind", "kind"),
    [("box", "box"), ("site", "box"), ("room", "rack"), ("freezer", "room"), (None, "freezer"), ("rack", "freezer")],
)
def test_a_kind_that_may_not_sit_in_its_parent_is_refused_naming_what_is_allowed(biobank_a, parent_kind, kind):
    freezer = make_freezer(biobank_a)
    parents = {u.kind: u for u in StorageUnit.objects.filter(biobank=biobank_a)}
    parents["rack"] = _create(biobank_a, freezer, "rack", "RK")
    parents["box"] = _create(biobank_a, parents["rack"], "box", "BX", rows=2, columns=2)
    before = StorageUnit.objects.count()

    with pytest.raises(DomainError) as raised:
        _create(
            biobank_a, parents.get(parent_kind), kind, "NEW", **({"rows": 2, "columns": 2} if kind == "box" else {})
        )

    assert raised.value.field == "parent"
    assert "may sit inside" in raised.value.message or "must sit inside" in raised.value.message
    assert StorageUnit.objects.count() == before


def test_a_box_needs_rows_and_columns_and_other_kinds_have_none(biobank_a):
    freezer = make_freezer(biobank_a)
    with pytest.raises(DomainError, match="A box needs rows between 1 and 48"):
        _create(biobank_a, freezer, "box", "B", columns=9)
    with pytest.raises(DomainError, match="Only a box has rows and columns"):
        _create(biobank_a, freezer, "rack", "R", rows=3, columns=3)


def test_a_parent_of_another_biobank_is_refused(biobank_a, biobank_b):
    freezer_b = make_freezer(biobank_b)

    with pytest.raises(DomainError, match="belongs to another biobank"):
        _create(biobank_a, freezer_b, "rack", "R")


def test_a_duplicate_code_in_the_biobank_is_a_conflict(biobank_a, biobank_b):
    make_freezer(biobank_a, tag="-x")
    make_freezer(biobank_b, tag="-x")  # another biobank may use the same codes

    with pytest.raises(ConflictError, match="already has a storage unit with the code 'SITE-x'"):
        _create(biobank_a, None, StorageKind.SITE, "SITE-x")


def test_someone_who_may_only_see_storage_cannot_create_a_unit(biobank_a, viewer_a):
    with pytest.raises(ForbiddenError):
        storage_unit_create(actor=viewer_a, biobank=biobank_a, parent=None, kind="site", name="S", code="S")
    assert not StorageUnit.objects.exists()


def test_renaming_and_a_new_temperature_are_audited_with_the_difference(biobank_a, technician_a, box_a):
    freezer = StorageUnit.objects.get(
        biobank=biobank_a, kind="freezer", pk__in=[int(p) for p in box_a.path.split("/") if p]
    )

    storage_unit_update(actor=technician_a, unit=freezer, name="Freezer 2", temperature_c=-70)

    freezer.refresh_from_db()
    assert (freezer.name, freezer.temperature_c) == ("Freezer 2", -70)
    event = AuditOutbox.objects.filter(action="storage.update").get()
    assert event.changes == {"name": ["Freezer -80", "Freezer 2"], "temperature_c": [-80, -70]}


def test_a_box_never_shrinks_below_an_occupied_cell(biobank_a, technician_a, box_a):
    specimen_place(actor=technician_a, specimen=stock_specimen(biobank_a), box=box_a, row=7, column=3)

    with pytest.raises(ConflictError, match="holds specimens up to row G and column 3"):
        storage_unit_update(actor=technician_a, unit=box_a, rows=6)

    box_a.refresh_from_db()
    assert box_a.rows == 9
    storage_unit_update(actor=technician_a, unit=box_a, rows=7, columns=3)  # down to the occupied cell is fine
    box_a.refresh_from_db()
    assert (box_a.rows, box_a.columns) == (7, 3)


def test_an_unknown_field_cannot_be_changed(box_a):
    with pytest.raises(DomainError, match="cannot be changed"):
        storage_unit_update(actor=None, unit=box_a, kind="rack")


def test_growing_a_box_to_a_plate_works_and_beyond_the_maximum_is_refused(box_a):
    storage_unit_update(actor=None, unit=box_a, rows=32, columns=48)
    with pytest.raises(DomainError, match="between 1 and 48"):
        storage_unit_update(actor=None, unit=box_a, columns=49)


def test_make_box_builds_a_box_under_a_rack(biobank_a):
    box = make_storage_box(biobank_a, rows=8, columns=12)
    assert box.parent.kind == "rack" and box.capacity == 96
