"""The dry run and the commit's re-check: one pass over the file, every problem of every row, then set-based
look-ups (one query for all PIDs, one for all collections, one for all barcodes).

``check_file`` hands each row that is clean by itself to ``sink`` (the commit writes it to the staging COPY); a
problem found later (an unknown PID) still fails the whole import, since the commit writes only when there is none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection
from django.utils.translation import gettext as _

from biobank.accounts.models import Biobank
from biobank.errors import DomainError
from biobank.pseudonyms.checkchar import pseudonym_validate
from catalog.models import Collection
from consent.models import Donor, DonorPid
from consent.withdrawal_effects import withdrawn_donor_ids

from .cells import CellError, converter
from .columns import BY_NAME, REQUIRED, Column
from .reading import FileProblem, file_rows
from .sprec_rows import SprecMemo

PROGRESS_EVERY = 20_000
VALUE_SHOWN = 200


@dataclass(frozen=True, slots=True)
class Problem:
    """One error: the file's row (1 is the header), its column, the value as read, and a sentence."""

    row: int
    column: str
    value: str
    message: str


class Sink(Protocol):
    def add(self, row: int, shared: Any, values: dict[str, Any]) -> None: ...

    def close(self) -> None:
        """Every row handed over is written: the connection is free for the look-ups."""


@dataclass
class Report:
    """What a pass found: rows read, problems, and what the commit needs to resolve the rows set-based."""

    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    donors: dict[str, tuple[int, bool]] = field(default_factory=dict)  # canonical PID → (donor id, blocked)
    collections: dict[str, int] = field(default_factory=dict)
    generated: int = 0  # rows without a barcode (one is generated at commit)
    lineage: list[tuple[int, str, str, Any, str]] = field(default_factory=list)  # (row, parent, kind, used, unit)

    @property
    def clean(self) -> bool:
        return not self.problems and self.rows > 0


def _header(cells: list[str], problems: list[Problem]) -> list[Column | None]:
    """The columns of the header row, or problems (unknown, duplicate, missing): reported before any row."""
    plan: list[Column | None] = []
    seen: set[str] = set()
    for cell in cells:
        name = cell.strip().lower().replace(" ", "_")
        if not name:
            plan.append(None)
            continue
        column = BY_NAME.get(name)
        if column is None:
            message = _("Column %(name)s is not a column of the import; the template lists them all.") % {"name": cell}
            problems.append(Problem(1, cell[:64], cell[:VALUE_SHOWN], message))
        elif name in seen:
            message = _("Column %(name)s appears twice; keep one.") % {"name": name}
            problems.append(Problem(1, name, cell[:VALUE_SHOWN], message))
        seen.add(name)
        plan.append(column)
    for name in REQUIRED:
        if name not in seen:
            message = _("Column %(name)s is required and missing from the header.") % {"name": name}
            problems.append(Problem(1, name, "", message))
    return plan


# Columns that differ from row to row; every other column is usually shared by many rows (one protocol, one
# collection), so those are converted and SPREC-derived once per distinct combination (``Shared``).
ROW_COLUMNS = (
    "barcode",
    "donor_pid",
    "collection_time",
    "reception_time",
    "storage_started_at",
    "notes",
    "parent_barcode",
    "used_quantity",
    "used_unit",
)
MEMO_LIMIT = 50_000


class Shared:
    """The converted shared columns of a set of rows: values, problems (column, value, message), and the text the
    commit writes for them (``segment``, filled by the staging writer)."""

    __slots__ = ("audit", "problems", "segment", "values")

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.problems: list[tuple[str, str, str]] = []
        self.segment: str | None = None
        self.audit: dict[bool, str] = {}


class RowChecker:
    """Checks one row at a time against the header's columns; collects the keys the look-ups need."""

    def __init__(self, plan: list[Column | None], report: Report) -> None:
        present = [(index, col, converter(col)) for index, col in enumerate(plan) if col is not None]
        self.row_plan = [entry for entry in present if entry[1].name in ROW_COLUMNS]
        self.shared_plan = [entry for entry in present if entry[1].name not in ROW_COLUMNS]
        self.shared_indices = [index for index, _col, _convert in self.shared_plan]
        self.width = len(plan)
        self.report = report
        self.memo = SprecMemo()
        self.shared: dict[tuple[str, ...], Shared] = {}
        self.pids: dict[str, str | tuple[str, str]] = {}  # as typed → canonical, or (column, problem)
        self.pid_rows: dict[str, list[int]] = {}
        self.collection_rows: dict[str, list[int]] = {}
        self.barcodes: dict[str, int] = {}
        self.lineage: Any = None
        self.file_parents: dict[str, tuple[int, str, dict[str, Any]]] = {}
        if any(column.name == "parent_barcode" for _index, column, _convert in self.row_plan):
            from .lineage import LineageChecker

            self.lineage = LineageChecker()

    def _problem(self, row: int, column: str, value: str, message: str) -> None:
        self.report.problems.append(Problem(row, column, value[:VALUE_SHOWN], message))

    def check(self, row: int, cells: list[str]) -> tuple[Shared, dict[str, Any]] | None:
        """``(shared part, row part)`` of a row without problems, else ``None`` (its problems are recorded)."""
        width = self.width
        if len(cells) != width:
            if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                message = _("Row %(row)d has %(cells)d cells but the header has %(columns)d columns.") % {
                    "row": row,
                    "cells": len(cells),
                    "columns": width,
                }
                self._problem(row, "", "", message)
                return None
            cells = (cells + [""] * width)[:width]
        before = len(self.report.problems)
        key = tuple([cells[index] for index in self.shared_indices])
        shared = self.shared.get(key)
        if shared is None:
            if len(self.shared) >= MEMO_LIMIT:
                self.shared.clear()
            shared = self.shared[key] = self._shared(cells)
        for name, value, message in shared.problems:
            self._problem(row, name, value, message)
        values: dict[str, Any] = {}
        for index, column, convert in self.row_plan:
            raw = cells[index].strip()
            if not raw:
                if column.required:
                    self._problem(row, column.name, "", _("%(column)s is required.") % {"column": column.name})
                continue
            try:
                values[column.target] = convert(raw, column)
            except CellError as error:
                self._problem(row, column.name, raw, str(error))
        self._keys(row, values, shared.values.get("collection"))
        if self.lineage is not None:
            if values.get("barcode"):
                self.file_parents.setdefault(values["barcode"], (row, values.get("donor_pid", ""), shared.values))
            if values.get("parent_barcode"):
                self.lineage.add(row, values, shared.values)
        return (shared, values) if len(self.report.problems) == before else None

    def _shared(self, cells: list[str]) -> Shared:
        shared = Shared()
        values, problems = shared.values, shared.problems
        for index, column, convert in self.shared_plan:
            raw = cells[index].strip()
            if not raw:
                if column.required:
                    problems.append((column.name, "", _("%(column)s is required.") % {"column": column.name}))
                continue
            try:
                values[column.target] = convert(raw, column)
            except CellError as error:
                problems.append((column.name, raw[:VALUE_SHOWN], str(error)))
        self._rules(values, problems)
        return shared

    def _keys(self, row: int, values: dict[str, Any], collection: str | None) -> None:
        typed = values.get("donor_pid")
        if typed:
            canonical = self.pids.get(typed)
            if canonical is None:
                try:
                    canonical = pseudonym_validate(typed)
                except DomainError:
                    canonical = (
                        "donor_pid",
                        _("%(value)s is not a valid PID (check its characters).") % {"value": typed[:40]},
                    )
                self.pids[typed] = canonical
            if isinstance(canonical, tuple):
                self._problem(row, canonical[0], typed, canonical[1])
            else:
                values["donor_pid"] = canonical
                self.pid_rows.setdefault(canonical, []).append(row)
        if collection:
            self.collection_rows.setdefault(collection, []).append(row)
        barcode = values.get("barcode")
        if barcode:
            first = self.barcodes.setdefault(barcode, row)
            if first != row:
                message = _("Barcode %(barcode)s is already used in row %(first)d of this file.") % {
                    "barcode": barcode,
                    "first": first,
                }
                self._problem(row, "barcode", barcode, message)
        else:
            self.report.generated += 1

    def _rules(self, values: dict[str, Any], problems: list[tuple[str, str, str]]) -> None:
        if values.get("concentration") is not None and not values.get("concentration_unit"):
            problems.append(("concentration_unit", "", _("A concentration needs its unit (concentration_unit).")))
        typed = values.get("sample_type")
        if not typed:
            return
        checked = self.memo.sample_type(typed, values.get("kind") or "", values.get("material_type") or "")
        if len(checked) == 2:
            problems.append((checked[0], str(values.get(checked[0]) or typed)[:VALUE_SHOWN], checked[1]))
            return
        values["sample_type"], values["kind"], values["material_type"] = checked
        code = self.memo.code(values["kind"], values["sample_type"], values)
        if isinstance(code, str):
            values["sprec_code"], values["sprec_entered"] = code, bool(values.get("sprec_code"))
            return
        for column, message in code:
            shown = values.get(column)
            problems.append((column, "" if shown is None else str(shown)[:VALUE_SHOWN], message))


def _look_up(biobank: Biobank, checker: RowChecker, report: Report) -> None:
    """Three queries whatever the number of rows: PIDs (current or earlier), collections, barcodes in use."""
    look_up_keys(biobank, checker.pid_rows, checker.collection_rows, report)
    if checker.barcodes:
        with connection.cursor() as cursor:
            cursor.execute("SELECT barcode FROM specimens_specimen WHERE barcode = ANY(%s)", [list(checker.barcodes)])
            taken = [barcode for (barcode,) in cursor.fetchall()]
        for barcode in taken:
            report.problems.append(Problem(checker.barcodes[barcode], "barcode", barcode, barcode_taken(barcode)))


def barcode_taken(barcode: str) -> str:
    return _("Barcode %(barcode)s is already in use; every specimen needs its own.") % {"barcode": barcode}


def look_up_keys(
    biobank: Biobank, pid_rows: dict[str, list[int]], collection_rows: dict[str, list[int]], report: Report
) -> None:
    """Two queries (and the withdrawals): the PIDs (current or earlier) and the collection codes of the rows;
    ``report.donors`` and ``report.collections`` filled, an unknown, merged or missing one reported on each row."""
    pids = list(pid_rows)
    found: dict[str, tuple[int, int | None]] = {}
    if pids:
        with connection.cursor() as cursor:  # one array parameter, however many PIDs (an IN list is slow)
            cursor.execute(
                f"SELECT h.pid, d.id, d.merged_into_id FROM {DonorPid._meta.db_table} h "  # noqa: S608 (table names)
                f"JOIN {Donor._meta.db_table} d ON d.id = h.donor_id WHERE d.biobank_id = %s AND h.pid = ANY(%s)",
                [biobank.pk, pids],
            )
            found = {pid: (pk, merged) for pid, pk, merged in cursor.fetchall()}
    blocked = withdrawn_donor_ids([pk for pk, _merged in found.values()])
    for pid, rows_of in pid_rows.items():
        hit = found.get(pid)
        if hit is None:
            message = _("No donor with PID %(pid)s in %(biobank)s.") % {"pid": pid, "biobank": biobank.name}
        elif hit[1] is not None:
            message = _("Donor %(pid)s was merged into another donor; import the specimen for that donor.") % {
                "pid": pid
            }
        else:
            report.donors[pid] = (hit[0], hit[0] in blocked)
            continue
        report.problems += [Problem(row, "donor_pid", pid, message) for row in rows_of]
    codes = dict(Collection.objects.filter(biobank=biobank, code__in=list(collection_rows)).values_list("code", "pk"))
    report.collections = codes
    for code, rows_of in collection_rows.items():
        if code not in codes:
            message = _("No collection %(code)s in %(biobank)s.") % {"code": code, "biobank": biobank.name}
            report.problems += [Problem(row, "collection", code, message) for row in rows_of]


def check_file(
    *,
    data: bytes,
    file_format: str,
    biobank: Biobank,
    sink: Sink | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Every problem of the file (header first; rows only once the header is right), with the look-ups done."""
    report = Report()
    rows: Iterable[tuple[int, list[str]]] = file_rows(data, file_format)
    checker: RowChecker | None = None
    try:
        for number, cells in rows:
            if not any(cells):
                continue  # an empty row, also above the header
            if checker is None:
                plan = _header(cells, report.problems)
                if report.problems:
                    return report
                checker = RowChecker(plan, report)
                continue
            report.rows += 1
            checked = checker.check(number, cells)
            if checked is not None and sink is not None:
                sink.add(number, *checked)
            if progress is not None and report.rows % PROGRESS_EVERY == 0:
                progress(report.rows)
    except FileProblem as error:
        report.problems.append(Problem(error.row, error.column, error.value, error.message))
    finally:
        if sink is not None:
            sink.close()
    if checker is None:
        if not report.problems:
            report.problems.append(Problem(1, "", "", _("The file is empty: the first row must be the header.")))
        return report
    if report.rows == 0 and not report.problems:
        report.problems.append(Problem(2, "", "", _("The file has a header but no rows.")))
    _look_up(biobank, checker, report)
    if checker.lineage is not None:
        checker.lineage.check(biobank, report, checker.file_parents)
        report.lineage = checker.lineage.written
    report.problems.sort(key=lambda problem: problem.row)
    return report
