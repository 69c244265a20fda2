"""Scan-driven bulk placement: many barcodes into one box, all or nothing, set-based."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.principals import Actor
from biobank.audit.services import audit_record_many
from biobank.errors import ConflictError, DomainError

from ...choices import EventType, SpecimenAuditAction
from ...models import Specimen, StorageUnit, position_label
from ...positions import position_parse
from ...selectors.storage import free_positions, occupied_cells
from ..events import events_add_many
from ..permissions import require_change_specimens
from .placement import cell_of, location_label, lock_boxes
from .units import kind_label

MAX_BULK = 2000  # a bulk placement fills boxes: 2,000 cells is more than any rack holds


def _refused(problems: list[str]) -> DomainError:
    return DomainError(_("Nothing was placed. %(problems)s") % {"problems": " ".join(problems)}, field="placements")


@dataclass(frozen=True)
class Placement:
    """One placed specimen of a bulk placement."""

    specimen: Specimen
    row: int
    column: int
    moved_from: str = ""  # "BOX-3 A1" when the tube came from another cell, else placed from outside storage

    @property
    def position(self) -> str:
        return position_label(self.row, self.column)

    def details(self, box: StorageUnit) -> dict[str, object]:
        details: dict[str, object] = {"to": location_label(box, self.row, self.column), "position": self.position}
        details["box"] = box.pk
        if self.moved_from:
            details["from"] = self.moved_from
        return details


def _bulk_targets(box: StorageUnit, placements: Sequence[tuple[str, str | None]]) -> list[tuple[str, tuple | None]]:
    """Barcodes with their parsed cells (``None``: the next free cell); every problem of the list at once."""
    problems: list[str] = []
    seen_barcodes: set[str] = set()
    seen_cells: dict[tuple[int, int], str] = {}
    targets: list[tuple[str, tuple | None]] = []
    for number, (raw_barcode, label) in enumerate(placements, start=1):
        barcode = (raw_barcode or "").strip()
        if not barcode:
            continue
        if barcode in seen_barcodes:
            problems.append(_("Line %(line)s: %(barcode)s is scanned twice.") % {"line": number, "barcode": barcode})
            continue
        seen_barcodes.add(barcode)
        cell = None
        if label and label.strip():
            try:
                cell = position_parse(label, box)
            except DomainError as error:
                problems.append(_("Line %(line)s: %(error)s") % {"line": number, "error": error.message})
                continue
            if cell in seen_cells:
                problems.append(
                    _("Line %(line)s: position %(position)s is also given to %(other)s.")
                    % {"line": number, "position": position_label(*cell), "other": seen_cells[cell]}
                )
                continue
            seen_cells[cell] = barcode
        targets.append((barcode, cell))
    if problems:
        raise _refused(problems)
    if not targets:
        raise DomainError(_("Scan at least one barcode to place."), field="placements")
    if len(targets) > MAX_BULK:
        raise DomainError(
            _("At most %(max)s specimens can be placed at once; %(count)s were given.")
            % {"max": MAX_BULK, "count": len(targets)},
            field="placements",
        )
    return targets


@transaction.atomic
def specimens_place_bulk(
    *, actor: Actor, box: StorageUnit, placements: Sequence[tuple[str, str | None]]
) -> list[Placement]:
    """Put many scanned specimens into ``box``, all or nothing: ``placements`` is (barcode, position label or
    ``None`` for the next free cell, row by row).

    A tube in no box is placed (event ``stored``), a tube in another cell is moved (``moved``, from and to), a tube
    already in this box with no other position named stays where it is (a re-scanned box changes nothing). Cells
    that moving tubes leave are free only after the batch. One UPDATE for all tubes; one ``events_add_many`` and one
    ``audit_record_many`` per kind of change. Returns what changed.
    """
    require_change_specimens(actor, box.biobank)
    if not box.is_box:
        raise DomainError(
            _("%(unit)s is a %(kind)s, not a box: specimens are placed in the cells of a box.")
            % {"unit": box.code, "kind": kind_label(box.kind)},
            field="box",
        )
    targets = _bulk_targets(box, placements)
    barcodes = [barcode for barcode, _cell_ in targets]
    box, found = _lock(box, barcodes)
    problems = [
        _("%(barcode)s: no specimen with this barcode in %(biobank)s.")
        % {"barcode": barcode, "biobank": box.biobank.name}
        for barcode in barcodes
        if barcode not in found
    ]
    occupied = occupied_cells(box)
    changing: list[tuple[str, tuple[int, int] | None]] = []
    for barcode, cell in targets:
        specimen = found.get(barcode)
        if specimen is None:
            continue
        if specimen.box_id == box.pk and cell in (None, cell_of(specimen)):
            continue  # already there: a re-scanned box changes nothing
        if not specimen.in_stock:
            problems.append(
                _("%(barcode)s is %(status)s: only specimens in stock have a place in storage.")
                % {"barcode": barcode, "status": specimen.get_status_display()}
            )
        elif cell is not None and cell in occupied:
            problems.append(
                _("%(barcode)s: position %(position)s of box %(box)s is already occupied.")
                % {"barcode": barcode, "position": position_label(*cell), "box": box.code}
            )
        else:
            changing.append((barcode, cell))
    named = {cell for _barcode, cell in changing if cell is not None}
    wanted = sum(1 for _barcode, cell in changing if cell is None)
    free = free_positions(box, wanted, taken=named) if wanted else []
    if len(free) < wanted:
        problems.append(
            _("Box %(box)s has %(free)s free cells left for %(wanted)s specimens without a position; use another box.")
            % {"box": box.code, "free": len(free), "wanted": wanted}
        )
    if problems:
        raise _refused(problems)
    cells = iter(free)
    done = []
    for barcode, cell in changing:
        specimen = found[barcode]
        origin = location_label(specimen.box, *cell_of(specimen)) if specimen.box is not None else ""
        done.append(Placement(specimen, *(cell or next(cells)), moved_from=origin))
    _write(actor, box, done)
    return done


def _lock(box: StorageUnit, barcodes: list[str]) -> tuple[StorageUnit, dict[str, Specimen]]:
    """Lock the box (``FOR NO KEY UPDATE``), the boxes the scanned tubes come from (``FOR SHARE``) in id order, then
    the tubes; a tube moved by someone else between the first read and the locks is a conflict."""
    before = dict(
        Specimen.objects.filter(biobank_id=box.biobank_id, barcode__in=barcodes).values_list("barcode", "box_id")
    )
    fresh: dict[int, StorageUnit] = {}
    for pk in sorted({box.pk, *(pk for pk in before.values() if pk is not None)}):
        unit = box if pk == box.pk else StorageUnit(pk=pk)
        fresh |= lock_boxes([unit], "NO KEY UPDATE" if pk == box.pk else "SHARE")
    found = {
        s.barcode: s
        for s in Specimen.objects.filter(biobank_id=box.biobank_id, barcode__in=barcodes)
        .select_for_update(of=("self",))
        .select_related("biobank", "box")
        .order_by("pk")
    }
    if any(before.get(barcode) != specimen.box_id for barcode, specimen in found.items()):
        raise ConflictError(
            _("A scanned tube was moved by someone else meanwhile; nothing was placed. Try again."), code="moved"
        )
    return fresh[box.pk], found


def _write(actor: Actor, box: StorageUnit, done: list[Placement]) -> None:
    """One UPDATE for every tube; one batch of events and one of audit records per kind (stored, moved)."""
    if not done:
        return
    now = timezone.now()
    for placement in done:
        specimen = placement.specimen
        specimen.box, specimen.box_row, specimen.box_column = box, placement.row, placement.column
        specimen.updated_at = now
    try:
        with transaction.atomic():
            Specimen.objects.bulk_update(
                [p.specimen for p in done], ["box", "box_row", "box_column", "updated_at"], batch_size=MAX_BULK
            )
    except IntegrityError as error:
        if "specimen_one_per_position" in str(error):
            raise ConflictError(
                _("A cell of box %(box)s was taken by someone else meanwhile; nothing was placed. Try again.")
                % {"box": box.code},
                code="occupied",
            ) from None
        raise
    for moved, event, action in (
        (False, EventType.STORED, SpecimenAuditAction.SPECIMEN_PLACE),
        (True, EventType.MOVED, SpecimenAuditAction.SPECIMEN_MOVE),
    ):
        batch = [p for p in done if bool(p.moved_from) == moved]
        if not batch:
            continue
        details_of = {p.specimen.pk: p.details(box) for p in batch}
        events_add_many(
            actor=actor, specimens=[p.specimen for p in batch], type=event, occurred_at=now, details_of=details_of
        )
        audit_record_many(
            actor=actor,
            action=action,
            entries=[
                {
                    "obj": p.specimen,
                    "changes": {"position": [p.moved_from or None, details_of[p.specimen.pk]["to"]]},
                    "details": {"bulk": True},
                }
                for p in batch
            ],
        )
