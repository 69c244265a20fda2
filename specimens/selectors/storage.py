"""Permission-scoped reads of the storage hierarchy: units, box maps, free cells and utilisation.

A unit is visible to whoever holds ``view_specimens`` on its biobank (people by role, API tokens by grant); a unit of
another biobank is simply absent (404). The box map is one query for the whole box, however large; utilisation is
one query for every unit of a biobank, through the materialised ``path``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Func, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import biobank_ids_with_perm

from ..choices import SpecimenStatus, StorageKind
from ..models import Specimen, StorageUnit, position_label, row_label
from .specimens import specimens_visible_to

__all__ = [
    "BoxCell",
    "BoxMap",
    "box_map",
    "free_positions",
    "occupied_cells",
    "specimen_for_storage",
    "storage_units_changeable_by",
    "storage_units_visible_to",
    "utilisation",
]

# One letter per status, shown in each cell so the map reads without colour (the legend explains them).
STATUS_LETTERS: dict[str, str] = {
    SpecimenStatus.AVAILABLE: "A",
    SpecimenStatus.RESERVED: "R",
    SpecimenStatus.CONSENT_BLOCKED: "B",
    SpecimenStatus.DISTRIBUTED: "D",
    SpecimenStatus.CONSUMED: "C",
    SpecimenStatus.DESTROYED: "X",
}


def storage_units_visible_to(*, user: Principal) -> QuerySet[StorageUnit]:
    """Units of the biobanks where ``user`` holds ``view_specimens``, with their biobank and parent joined."""
    return StorageUnit.objects.filter(
        biobank__in=biobank_ids_with_perm(user=user, perm=Perm.VIEW_SPECIMENS)
    ).select_related("biobank", "parent")


def storage_units_changeable_by(*, user: Principal) -> QuerySet[StorageUnit]:
    """Units of the biobanks where ``user`` holds ``change_specimens`` (storage is managed by the same people)."""
    return StorageUnit.objects.filter(
        biobank__in=biobank_ids_with_perm(user=user, perm=Perm.CHANGE_SPECIMENS)
    ).select_related("biobank", "parent")


def specimen_for_storage(*, user: Principal, barcode: str, biobank: Biobank | None = None) -> Specimen:
    """The specimen with the scanned ``barcode`` among those ``user`` may see (``specimens_visible_to``), with its
    biobank and box; ``Specimen.DoesNotExist`` otherwise (a 404, or a form error naming the barcode)."""
    specimens = specimens_visible_to(user=user)
    if biobank is not None:
        specimens = specimens.filter(biobank=biobank)
    return specimens.select_related("biobank", "box").get(barcode=barcode.strip())


@dataclass(frozen=True)
class BoxCell:
    """One position of a box, empty or holding one specimen."""

    row: int
    column: int
    specimen_id: int | None = None
    barcode: str = ""
    status: str = ""
    sample_type: str = ""

    @property
    def label(self) -> str:
        return position_label(self.row, self.column)

    @property
    def occupied(self) -> bool:
        return self.specimen_id is not None

    @property
    def status_letter(self) -> str:
        return STATUS_LETTERS.get(self.status, "?") if self.occupied else ""

    @property
    def status_label(self) -> str:
        return str(SpecimenStatus(self.status).label) if self.status in SpecimenStatus.values else self.status


@dataclass
class BoxRow:
    number: int
    label: str
    cells: list[BoxCell] = field(default_factory=list)


@dataclass
class BoxMap:
    """A box as a grid of cells (row-major), with its counts."""

    box: StorageUnit
    rows: list[BoxRow]

    @property
    def columns(self) -> list[int]:
        return list(range(1, (self.box.columns or 0) + 1))

    @property
    def capacity(self) -> int:
        return self.box.capacity

    @property
    def occupied(self) -> int:
        return sum(1 for cell in self.cells() if cell.occupied)

    @property
    def free(self) -> int:
        return self.capacity - self.occupied

    @property
    def all_cells(self) -> list[BoxCell]:
        return list(self.cells())

    def cells(self) -> Iterator[BoxCell]:
        for row in self.rows:
            yield from row.cells

    def cell(self, row: int, column: int) -> BoxCell:
        return self.rows[row - 1].cells[column - 1]

    def sample_types(self) -> list[str]:
        return sorted({cell.sample_type for cell in self.cells() if cell.occupied})

    def statuses(self) -> list[tuple[str, str, str]]:
        """(status, letter, label) of the statuses present, for the legend."""
        present = {cell.status for cell in self.cells() if cell.occupied}
        return [(s, STATUS_LETTERS[s], str(SpecimenStatus(s).label)) for s in SpecimenStatus.values if s in present]


def box_map(box: StorageUnit) -> BoxMap:
    """The whole box in ONE query (its specimens' cells), whatever its size; ``box`` is already read."""
    rows, columns = box.rows or 0, box.columns or 0
    found = {
        (r, c): (pk, barcode, status, sample_type)
        for pk, barcode, status, sample_type, r, c in Specimen.objects.filter(box=box)
        .order_by()
        .values_list("pk", "barcode", "status", "sample_type", "box_row", "box_column")
    }
    grid = []
    for r in range(1, rows + 1):
        cells = []
        for c in range(1, columns + 1):
            occupant = found.get((r, c))
            cells.append(BoxCell(r, c, *occupant) if occupant else BoxCell(r, c))
        grid.append(BoxRow(r, row_label(r), cells))
    return BoxMap(box=box, rows=grid)


def occupied_cells(box: StorageUnit) -> set[tuple[int, int]]:
    """The (row, column) of every occupied cell of ``box`` (one query)."""
    cells = Specimen.objects.filter(box=box).order_by().values_list("box_row", "box_column")
    return {(r, c) for r, c in cells if r is not None and c is not None}


def free_positions(box: StorageUnit, n: int, *, taken: set[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """The first ``n`` free cells of ``box``, row by row (A1, A2 … B1 …); fewer if the box has fewer free cells.

    ``taken``: cells to treat as occupied as well (a bulk placement's explicitly named cells). One query.
    """
    if not box.is_box or n <= 0:
        return []
    occupied = occupied_cells(box) | (taken or set())
    free: list[tuple[int, int]] = []
    for r in range(1, (box.rows or 0) + 1):
        for c in range(1, (box.columns or 0) + 1):
            if (r, c) not in occupied:
                free.append((r, c))
                if len(free) == n:
                    return free
    return free


def _sum(expression: Any, name: str) -> Func:
    return Func(expression, function=name, output_field=IntegerField())


def utilisation(target: Biobank | StorageUnit, *, kinds: tuple[str, ...] | None = None) -> QuerySet[StorageUnit]:
    """Units with ``cell_count`` (cells of the boxes below them) and ``specimen_count`` (specimens in those boxes).

    ONE query, through the materialised ``path``.

    ``target``: a biobank (its units) or a unit (the unit, what is below it and the units above it). ``kinds``:
    which units to report, freezers and tanks by default. A box reports its own cells.
    """
    kinds = kinds or (StorageKind.FREEZER, StorageKind.TANK)
    boxes_below = StorageUnit.objects.filter(kind=StorageKind.BOX, path__startswith=OuterRef("path")).order_by()
    specimens_below = Specimen.objects.filter(box__path__startswith=OuterRef("path")).order_by()
    units = StorageUnit.objects.filter(kind__in=kinds)
    if isinstance(target, StorageUnit):
        ancestors = [int(pk) for pk in target.path.strip("/").split("/") if pk]
        units = units.filter(biobank_id=target.biobank_id).filter(path__startswith=target.path) | units.filter(
            pk__in=ancestors
        )
    else:
        units = units.filter(biobank=target)
    return units.annotate(
        cell_count=Coalesce(
            Subquery(boxes_below.annotate(total=_sum(F("rows") * F("columns"), "SUM")).values("total")[:1]),
            Value(0),
        ),
        specimen_count=Coalesce(
            Subquery(specimens_below.annotate(total=_sum(F("pk"), "COUNT")).values("total")[:1]), Value(0)
        ),
    ).order_by("path")
