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

    @property
    def position(self) -> str:
        return position_label(self.row, self.column)


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
    """Place many scanned specimens in ``box``, all or nothing: ``placements`` is (barcode, position label or
    ``None`` for the next free cell, row by row). One UPDATE, one batch of events, one batch of audit records."""
    require_change_specimens(actor, box.biobank)
    if not box.is_box:
        raise DomainError(
            _("%(unit)s is a %(kind)s, not a box: specimens are placed in the cells of a box.")
            % {"unit": box.code, "kind": kind_label(box.kind)},
            field="box",
        )
    targets = _bulk_targets(box, placements)
    box = lock_boxes([box], "NO KEY UPDATE")[box.pk]
    barcodes = [barcode for barcode, _cell_ in targets]
    found = {
        s.barcode: s
        for s in Specimen.objects.filter(biobank_id=box.biobank_id, barcode__in=barcodes)
        .select_for_update(of=("self",))
        .select_related("biobank", "box")
        .order_by("pk")
    }
    problems = [
        _("%(barcode)s: no specimen with this barcode in %(biobank)s.")
        % {"barcode": barcode, "biobank": box.biobank.name}
        for barcode in barcodes
        if barcode not in found
    ]
    occupied = occupied_cells(box)
    for barcode, cell in targets:
        specimen = found.get(barcode)
        if specimen is None:
            continue
        if specimen.box_id is not None:
            problems.append(
                _("%(barcode)s is already at %(position)s; move it instead.")
                % {"barcode": barcode, "position": location_label(specimen.box, *cell_of(specimen))}  # type: ignore[arg-type]
            )
        elif not specimen.in_stock:
            problems.append(
                _("%(barcode)s is %(status)s: only specimens in stock have a place in storage.")
                % {"barcode": barcode, "status": specimen.get_status_display()}
            )
        elif cell is not None and cell in occupied:
            problems.append(
                _("%(barcode)s: position %(position)s of box %(box)s is already occupied.")
                % {"barcode": barcode, "position": position_label(*cell), "box": box.code}
            )
    named = {cell for _barcode, cell in targets if cell is not None}
    wanted = sum(1 for _barcode, cell in targets if cell is None)
    free = free_positions(box, wanted, taken=named) if wanted else []
    if len(free) < wanted:
        problems.append(
            _("Box %(box)s has %(free)s free cells left for %(wanted)s specimens without a position; use another box.")
            % {"box": box.code, "free": len(free), "wanted": wanted}
        )
    if problems:
        raise _refused(problems)
    cells = iter(free)
    done = [Placement(found[barcode], *(cell or next(cells))) for barcode, cell in targets]
    now = timezone.now()
    for placement in done:
        specimen = placement.specimen
        specimen.box, specimen.box_row, specimen.box_column, specimen.updated_at = (
            box,
            placement.row,
            placement.column,
            now,
        )
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
    details_of = {
        p.specimen.pk: {"to": location_label(box, p.row, p.column), "position": p.position, "box": box.pk} for p in done
    }
    events_add_many(
        actor=actor, specimens=[p.specimen for p in done], type=EventType.STORED, occurred_at=now, details_of=details_of
    )
    audit_record_many(
        actor=actor,
        action=SpecimenAuditAction.SPECIMEN_PLACE,
        entries=[
            {
                "obj": p.specimen,
                "changes": {"position": [None, details_of[p.specimen.pk]["to"]]},
                "details": {"bulk": True},
            }
            for p in done
        ],
    )
    return done
