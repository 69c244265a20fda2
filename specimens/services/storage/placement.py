"""Placing one specimen in a cell, moving it to another, taking it out: each an event and an audit record."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.principals import Actor
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError

from ...choices import EventType, SpecimenAuditAction
from ...models import Specimen, StorageUnit, position_label
from ...positions import position_check
from ..events import event_add
from ..permissions import require_change_specimens
from .units import kind_label


def location_label(box: StorageUnit, row: int, column: int) -> str:
    """How events and messages name a cell: ``BOX-7 A1`` (box codes are unique in a biobank)."""
    return f"{box.code} {position_label(row, column)}"


def lock_boxes(boxes: Iterable[StorageUnit], mode: str = "SHARE") -> dict[int, StorageUnit]:
    """Lock storage units in id order (the first step of every placement; see the module docstring) and read them
    as they are now: a box resized just before the lock is checked with its new size."""
    given = {box.pk: box for box in boxes}
    table = StorageUnit._meta.db_table
    sql = f"SELECT * FROM {table} WHERE id = ANY(%s) ORDER BY id FOR {mode}"  # noqa: S608 (constants only)
    fresh = {unit.pk: unit for unit in StorageUnit.objects.raw(sql, [sorted(given)])}
    for pk, unit in fresh.items():
        if StorageUnit.biobank.is_cached(given[pk]):
            unit.biobank = given[pk].biobank
    return fresh


def _lock_specimen(specimen: Specimen) -> Specimen:
    return Specimen.objects.select_for_update(of=("self",)).select_related("biobank", "box").get(pk=specimen.pk)


def _check_target(specimen: Specimen, box: StorageUnit, row: int, column: int) -> None:
    """The rules of a destination cell, each refusal naming the position, the box and the rule."""
    if not box.is_box:
        raise DomainError(
            _("%(unit)s is a %(kind)s, not a box: specimens are placed in the cells of a box.")
            % {"unit": box.code, "kind": kind_label(box.kind)},
            field="box",
        )
    if box.biobank_id != specimen.biobank_id:
        raise DomainError(
            _("Box %(box)s belongs to another biobank than specimen %(barcode)s; place it in a box of its biobank.")
            % {"box": box.code, "barcode": specimen.barcode},
            field="box",
        )
    position_check(box, row, column)
    if not specimen.in_stock:
        raise DomainError(
            _(
                "Specimen %(barcode)s is %(status)s, so it cannot be placed at %(position)s: only specimens in stock "
                "(available, reserved or consent-blocked) have a place in storage."
            )
            % {
                "barcode": specimen.barcode,
                "status": specimen.get_status_display(),
                "position": location_label(box, row, column),
            },
            field="barcode",
        )


def _occupied(box: StorageUnit, row: int, column: int) -> ConflictError:
    return ConflictError(
        _("Position %(position)s of box %(box)s is already occupied; choose a free cell.")
        % {"position": position_label(row, column), "box": box.code},
        field="position",
        code="occupied",
    )


def _write_position(specimen: Specimen, box: StorageUnit | None, row: int | None, column: int | None) -> None:
    """The UPDATE, in a savepoint: the loser of a race for one cell gets the 409, the transaction goes on."""
    try:
        with transaction.atomic():
            Specimen.objects.filter(pk=specimen.pk).update(
                box=box, box_row=row, box_column=column, updated_at=timezone.now()
            )
    except IntegrityError as error:
        if box is not None and row is not None and column is not None and "specimen_one_per_position" in str(error):
            raise _occupied(box, row, column) from None
        raise
    specimen.box, specimen.box_row, specimen.box_column = box, row, column


@transaction.atomic
def specimen_place(*, actor: Actor, specimen: Specimen, box: StorageUnit, row: int, column: int) -> Specimen:
    """Put a specimen that is in no box into cell (row, column) of ``box``: event ``stored``."""
    require_change_specimens(actor, box.biobank)
    box = lock_boxes([box])[box.pk]
    specimen = _lock_specimen(specimen)
    if specimen.box is not None:
        raise ConflictError(
            _("Specimen %(barcode)s is already at %(position)s; move it instead of placing it.")
            % {"barcode": specimen.barcode, "position": location_label(specimen.box, *cell_of(specimen))},
            field="barcode",
            code="already_placed",
        )
    _check_target(specimen, box, row, column)
    _write_position(specimen, box, row, column)
    to = location_label(box, row, column)
    details = {"to": to, "box": box.pk, "box_code": box.code, "position": position_label(row, column)}
    event_add(actor=actor, specimen=specimen, type=EventType.STORED, details=details)
    audit_record(
        actor=actor,
        action=SpecimenAuditAction.SPECIMEN_PLACE,
        obj=specimen,
        changes={"position": [None, to]},
    )
    return specimen


def cell_of(specimen: Specimen) -> tuple[int, int]:
    return specimen.box_row or 0, specimen.box_column or 0


@transaction.atomic
def specimen_move(*, actor: Actor, specimen: Specimen, box: StorageUnit, row: int, column: int) -> Specimen:
    """Move a placed specimen to another cell, in its box or another: event ``moved`` with from and to."""
    require_change_specimens(actor, box.biobank)
    current = Specimen.objects.filter(pk=specimen.pk).values_list("box_id", flat=True).first()
    box = lock_boxes([box, *([StorageUnit(pk=current)] if current else [])])[box.pk]
    specimen = _lock_specimen(specimen)
    if specimen.box_id is None:
        raise DomainError(
            _("Specimen %(barcode)s is in no box; place it instead of moving it.") % {"barcode": specimen.barcode},
            field="barcode",
            code="not_placed",
        )
    if specimen.box_id != current:  # moved by someone else between the read and the lock: lock its new box too
        raise ConflictError(
            _("Specimen %(barcode)s was moved by someone else meanwhile; reload and try again.")
            % {"barcode": specimen.barcode}
        )
    source = specimen.box
    assert source is not None
    if (source.pk, *cell_of(specimen)) == (box.pk, row, column):
        raise DomainError(
            _("Specimen %(barcode)s is already at %(position)s.")
            % {"barcode": specimen.barcode, "position": location_label(box, row, column)},
            field="position",
        )
    _check_target(specimen, box, row, column)
    origin = location_label(source, *cell_of(specimen))
    _write_position(specimen, box, row, column)
    to = location_label(box, row, column)
    details = {"from": origin, "to": to, "from_box": source.pk, "box": box.pk, "position": position_label(row, column)}
    event_add(actor=actor, specimen=specimen, type=EventType.MOVED, details=details)
    audit_record(
        actor=actor, action=SpecimenAuditAction.SPECIMEN_MOVE, obj=specimen, changes={"position": [origin, to]}
    )
    return specimen


@transaction.atomic
def specimen_unplace(*, actor: Actor, specimen: Specimen, note: str = "") -> Specimen:
    """Take a specimen out of its box (to thaw, use or ship it): event ``removed``, the cell is free again."""
    require_change_specimens(actor, specimen.biobank)
    current = Specimen.objects.filter(pk=specimen.pk).values_list("box_id", flat=True).first()
    if current:
        lock_boxes([StorageUnit(pk=current)])
    specimen = _lock_specimen(specimen)
    if specimen.box_id is None or specimen.box_id != current:
        raise DomainError(
            _("Specimen %(barcode)s is in no box: there is nothing to take out.") % {"barcode": specimen.barcode},
            field="barcode",
            code="not_placed",
        )
    source = specimen.box
    assert source is not None
    origin = location_label(source, *cell_of(specimen))
    _write_position(specimen, None, None, None)
    details = {"from": origin, "from_box": source.pk}
    event_add(actor=actor, specimen=specimen, type=EventType.REMOVED, details=details, note=note)
    audit_record(
        actor=actor, action=SpecimenAuditAction.SPECIMEN_UNPLACE, obj=specimen, changes={"position": [origin, None]}
    )
    return specimen
