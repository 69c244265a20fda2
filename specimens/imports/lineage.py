"""Aliquots and derivatives in an import file: ``parent_barcode`` names a specimen of the biobank or a row earlier in
the file, and what the child took is deducted from it (mass balance, as ``specimens_aliquot``/``specimen_derive``).

A child of the same SPREC type as its parent is an aliquot (it takes its own quantity unless ``used_quantity`` says
otherwise); of another type, a derivative (``used_quantity`` and ``used_unit`` say what was used). Donor and
collection must be the parent's; the parent must be available or reserved; the amounts taken from one parent may
not exceed what it has left. Checked after the pass (the parents in the database are one query); the commit writes
the lineage, the sources and the deductions set-based (``commit.lineage_write``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from biobank.accounts.models import Biobank

from ..choices import UNIT_BASE, LineageKind, SpecimenStatus
from .check import Problem, Report

PROCESSABLE = (SpecimenStatus.AVAILABLE.value, SpecimenStatus.RESERVED.value)


@dataclass(frozen=True, slots=True)
class Child:
    row: int
    parent: str
    donor_pid: str
    collection: str
    sample_type: str
    quantity: Decimal
    unit: str
    used: Decimal | None
    used_unit: str


@dataclass(slots=True)
class Parent:
    """What a child needs of its parent; ``left`` runs down as the file's children take from it."""

    donor: Any  # a donor id (database) or a canonical PID (file)
    collection: Any  # a collection id (database) or a code (file)
    sample_type: str
    left: Decimal
    unit: str
    status: str = SpecimenStatus.AVAILABLE.value
    in_file: bool = False


def _convert(amount: Decimal, unit: str, to_unit: str) -> Decimal | None:
    (dimension, factor), (to_dimension, to_factor) = UNIT_BASE[unit], UNIT_BASE[to_unit]
    return amount * factor / to_factor if dimension == to_dimension else None


class LineageChecker:
    """Collects the rows that name a parent, and the rows that may be parents (those with a barcode)."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self.written: list[tuple[int, str, str, Decimal, str]] = []  # (row, parent barcode, lineage, used, unit)

    def add(self, row: int, values: dict[str, Any], shared: dict[str, Any]) -> None:
        self.children.append(
            Child(
                row=row,
                parent=values["parent_barcode"],
                donor_pid=values.get("donor_pid", ""),
                collection=shared.get("collection", ""),
                sample_type=shared.get("sample_type", ""),
                quantity=shared.get("quantity") or Decimal(0),
                unit=shared.get("unit", ""),
                used=values.get("used_quantity"),
                used_unit=values.get("used_unit") or "",
            )
        )

    def check(self, biobank: Biobank, report: Report, file_parents: dict[str, tuple[int, str, dict[str, Any]]]) -> None:
        """Every child's parent found, matching, and not overdrawn; problems go to ``report``."""
        if not self.children:
            return
        wanted = sorted({child.parent for child in self.children} - set(file_parents))
        parents: dict[str, Parent] = {}
        if wanted:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT barcode, donor_id, collection_id, sample_type, quantity, unit, status "
                    "FROM specimens_specimen WHERE biobank_id = %s AND barcode = ANY(%s)",
                    [biobank.pk, wanted],
                )
                for barcode, donor, collection, sample_type, left, unit, status in cursor.fetchall():
                    parents[barcode] = Parent(donor, collection, sample_type, left, unit, status)
        for child in self.children:
            problem = self._one(child, parents, file_parents, report)
            if problem:
                column, message = problem
                report.problems.append(Problem(child.row, column, child.parent, message))
        report.problems.sort(key=lambda found: found.row)

    def _parent(
        self, child: Child, parents: dict[str, Parent], file_parents: dict[str, tuple[int, str, dict[str, Any]]]
    ) -> Parent | None:
        found = parents.get(child.parent)
        if found is None and child.parent in file_parents:
            row, pid, shared = file_parents[child.parent]
            if row < child.row:
                found = parents[child.parent] = Parent(
                    pid,
                    shared.get("collection"),
                    shared.get("sample_type", ""),
                    shared.get("quantity") or Decimal(0),
                    shared.get("unit", ""),
                    in_file=True,
                )
        return found

    def _one(
        self,
        child: Child,
        parents: dict[str, Parent],
        file_parents: dict[str, tuple[int, str, dict[str, Any]]],
        report: Report,
    ) -> tuple[str, str] | None:
        if child.donor_pid not in report.donors or child.collection not in report.collections:
            return None  # the unknown PID or collection is reported already
        parent = self._parent(child, parents, file_parents)
        if parent is None:
            return "parent_barcode", _("No specimen %(barcode)s in this biobank or in an earlier row of this file.") % {
                "barcode": child.parent
            }
        donor = report.donors.get(child.donor_pid, (None, False))
        same_donor = parent.donor == (child.donor_pid if parent.in_file else donor[0])
        same_collection = parent.collection == (
            child.collection if parent.in_file else report.collections.get(child.collection)
        )
        if not (same_donor and same_collection):
            return "parent_barcode", _(
                "Specimen %(barcode)s belongs to another donor or collection; a child keeps its parent's."
            ) % {"barcode": child.parent}
        blocked = report.donors.get(child.donor_pid, (None, False))[1]
        if parent.status not in PROCESSABLE or blocked:
            return "parent_barcode", _(
                "Specimen %(barcode)s cannot be processed (it is not available or reserved, or its donor's consent "
                "blocks it)."
            ) % {"barcode": child.parent}
        aliquot = child.sample_type == parent.sample_type
        if child.used is not None:
            used, unit = child.used, child.used_unit or child.unit
        elif aliquot:
            used, unit = child.quantity, child.unit
        else:
            return "used_quantity", _(
                "A derivative (type %(type)s from %(parent_type)s) needs used_quantity and used_unit: how much of "
                "the parent was used."
            ) % {"type": child.sample_type, "parent_type": parent.sample_type}
        taken = _convert(used, unit, parent.unit) if unit in UNIT_BASE and parent.unit in UNIT_BASE else None
        if taken is None:
            return "used_unit", _(
                "%(unit)s cannot be taken from specimen %(barcode)s, measured in %(parent_unit)s."
            ) % {
                "unit": unit,
                "barcode": child.parent,
                "parent_unit": parent.unit,
            }
        if taken > parent.left:
            return "used_quantity", _(
                "Specimen %(barcode)s has %(left)s %(unit)s left; %(taken)s %(unit)s cannot be taken from it."
            ) % {"barcode": child.parent, "left": parent.left.normalize(), "unit": parent.unit, "taken": taken}
        parent.left -= taken
        lineage = LineageKind.ALIQUOT if aliquot else LineageKind.DERIVATIVE
        self.written.append((child.row, child.parent, lineage.value, taken, parent.unit))
        return None
