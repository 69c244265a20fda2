"""Aliquots and derivatives in an import file: ``parent_barcode`` names a specimen of the biobank or a row earlier in
the file, and what the child took is deducted from it (mass balance, as ``specimens_aliquot``/``specimen_derive``).

A child of the same SPREC type as its parent is an aliquot (it takes its own quantity unless ``used_quantity`` says
otherwise); of another type, a derivative (``used_quantity`` and ``used_unit`` say what was used). Donor and
collection must be the parent's; the parent must be available or reserved; the amounts taken from one parent may
not exceed what it has left. Checked after the pass (the parents in the database are one query); the commit writes
the lineage, the sources and the deductions set-based (``lineage_write``, below).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection
from django.utils.translation import gettext as _

from biobank.accounts.models import Biobank

from ..choices import UNIT_BASE, EventType, LineageKind, SpecimenStatus
from .check import Problem, Report
from .copytext import copy_field

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


# --- the commit's part: lineage, sources, deductions and events of the file's children, set-based ---

LINEAGE_SQL = (
    # the children: aliquot or derivative of their parent (inserted as primary a statement ago)
    """UPDATE specimens_specimen c SET lineage = l.lineage, parent_id = p.id
    FROM import_lineage l JOIN import_staging s ON s.row_number = l.row_number
    JOIN specimens_specimen p ON p.barcode = l.parent_barcode
    WHERE c.id = s.id""",
    """INSERT INTO specimens_specimensource (specimen_id, parent_id, used_quantity, created_at)
    SELECT c.id, c.parent_id, l.used, now()
    FROM import_lineage l JOIN import_staging s ON s.row_number = l.row_number
    JOIN specimens_specimen c ON c.id = s.id""",
    # what each child took, off its parent; a parent left with nothing is consumed and leaves its box
    """UPDATE specimens_specimen p SET quantity = p.quantity - u.used, updated_at = now(),
        status = CASE WHEN p.quantity = u.used THEN %(consumed)s ELSE p.status END,
        box_id = CASE WHEN p.quantity = u.used THEN NULL ELSE p.box_id END,
        box_row = CASE WHEN p.quantity = u.used THEN NULL ELSE p.box_row END,
        box_column = CASE WHEN p.quantity = u.used THEN NULL ELSE p.box_column END
    FROM (SELECT parent_id, sum(used_quantity) AS used FROM specimens_specimensource
          WHERE specimen_id IN (SELECT id FROM import_staging) GROUP BY parent_id) u
    WHERE p.id = u.parent_id AND p.status IN (%(available)s, %(reserved)s)""",
    """INSERT INTO specimens_specimenevent
        (specimen_id, biobank_id, type, occurred_at, recorded_at, actor_label, details, note)
    SELECT c.parent_id, %(biobank)s,
        CASE WHEN c.lineage = %(aliquot)s THEN %(aliquoted)s ELSE %(derived)s END, now(), now(), %(label)s,
        jsonb_build_object('child', c.barcode, 'import', %(job)s), ''
    FROM import_lineage l JOIN import_staging s ON s.row_number = l.row_number JOIN specimens_specimen c ON c.id = s.id
    UNION ALL
    SELECT c.id, %(biobank)s, %(processed)s, now(), now(), %(label)s,
        jsonb_build_object('from', l.parent_barcode, 'import', %(job)s), ''
    FROM import_lineage l JOIN import_staging s ON s.row_number = l.row_number JOIN specimens_specimen c ON c.id = s.id
    UNION ALL
    SELECT p.id, %(biobank)s, %(consumed_event)s, now(), now(), %(label)s,
        jsonb_build_object('reason', 'used up', 'import', %(job)s), ''
    FROM specimens_specimen p
    WHERE p.id IN (SELECT DISTINCT parent_id FROM specimens_specimensource
                   WHERE specimen_id IN (SELECT id FROM import_staging)) AND p.quantity = 0""",
)


def lineage_write(cursor: Any, *, biobank: Biobank, report: Report, label: str, job_uid: str) -> None:
    """Aliquots and derivatives of the file: lineage, sources, deductions and events, set-based (rare rows)."""
    if not report.lineage:
        return
    cursor.execute(
        "CREATE TEMP TABLE import_lineage "
        "(row_number integer, parent_barcode text, lineage text, used numeric) ON COMMIT DROP"
    )
    text = io.StringIO(
        "".join(f"{row}\t{copy_field(parent)}\t{kind}\t{used}\n" for row, parent, kind, used, _unit in report.lineage)
    )
    cursor.copy_expert("COPY import_lineage FROM STDIN", text)
    params = {
        "consumed": SpecimenStatus.CONSUMED.value,
        "available": SpecimenStatus.AVAILABLE.value,
        "reserved": SpecimenStatus.RESERVED.value,
        "biobank": biobank.pk,
        "aliquot": "aliquot",
        "aliquoted": EventType.ALIQUOTED.value,
        "derived": EventType.DERIVED.value,
        "processed": EventType.PROCESSED.value,
        "consumed_event": EventType.CONSUMED.value,
        "label": label,
        "job": job_uid,
    }
    parents = len({parent for _row, parent, _kind, _used, _unit in report.lineage})
    for number, sql in enumerate(LINEAGE_SQL):
        cursor.execute(sql, params)
        if number == 2 and cursor.rowcount != parents:  # a parent changed status since the check: nothing kept
            raise DatabaseError(
                _("%(changed)d parent specimens are no longer available; nothing was imported.")
                % {"changed": parents - cursor.rowcount}
            )
