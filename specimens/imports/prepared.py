"""The dry run's converted rows, kept for the commit: the commit neither re-reads nor re-derives the file.

The dry run of a clean file writes ``<upload>.prepared`` next to the upload: a JSON header line (format version,
the SHA-256 of the upload it was made from, the row count, and each distinct set of shared columns as its staging
COPY text with the values the audit rows name), then one line per row — the index of its shared set, the file row,
the barcode (empty: generated at commit), the canonical PID and the row's own columns, all in COPY text.

The commit does not read the upload again: it refuses a prepared file made from another upload than the job's
(the SHA-256 recorded and audited at upload), COPYs its rows into the staging table and
re-checks, set-based, only what the database may have changed since the dry run: barcodes taken meanwhile (one
join against the staging table), donors and collections (gone, merged, PID changed: the same two look-ups as the
dry run) and donor withdrawals (a withdrawn donor's specimens are imported ``consent_blocked``). Every problem is
reported with its row and column and nothing is written. Files with aliquots or derivatives (``parent_barcode``)
get no prepared file: their commit re-checks the whole file, parents' quantities and status included.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from biobank.accounts.models import Biobank
from biobank.errors import DomainError

from ..models import ImportJob
from .check import PROGRESS_EVERY, Problem, Report, Shared, barcode_taken, look_up_keys
from .commit import StagingWriter, copy_field, row_text, segment_of, staging_create

VERSION = 1
AUDIT_VALUES = ("collection", "quantity", "unit", "sample_type", "sprec_code")
_UNESCAPE = re.compile(r"\\(.)")
_UNESCAPED = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


class PreparedWriter:
    """The dry run's sink: each clean row as a prepared line (nothing touches the database)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.index: dict[int, int] = {}
        self.shared: list[Shared] = []  # kept alive, so ``id()`` keys stay unique

    def add(self, row: int, shared: Shared, values: dict[str, Any]) -> None:
        index = self.index.get(id(shared))
        if index is None:
            index = self.index[id(shared)] = len(self.shared)
            self.shared.append(shared)
            segment_of(shared)
        barcode = copy_field(values.get("barcode") or "")
        self.lines.append(f"{index}\t{row}\t{barcode}\t{values['donor_pid']}\t{row_text(values)}\n")

    def close(self) -> None:
        """Nothing to flush: the file is written once the whole check is clean (``prepared_save``)."""

    def content(self, sha256: str, rows: int) -> bytes:
        shared = [[one.segment, {name: _text(one.values.get(name)) for name in AUDIT_VALUES}] for one in self.shared]
        header = json.dumps({"version": VERSION, "sha256": sha256, "rows": rows, "shared": shared})
        return (header + "\n" + "".join(self.lines)).encode()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def prepared_name(job: ImportJob) -> str:
    return f"{job.file.name}.prepared"


def prepared_save(job: ImportJob, writer: PreparedWriter, report: Report, sha256: str) -> None:
    """Keep the converted rows of a clean file (a stale prepared file is removed whatever the outcome)."""
    storage, name = job.file.storage, prepared_name(job)
    if storage.exists(name):
        storage.delete(name)
    if report.clean and not report.lineage:
        storage.save(name, ContentFile(writer.content(sha256, report.rows)))


def prepared_delete(job: ImportJob) -> None:
    storage, name = job.file.storage, prepared_name(job)
    if job.file.name and storage.exists(name):
        storage.delete(name)


def prepared_stage(
    cursor: Any, job: ImportJob, biobank: Biobank, progress: Callable[[int], None] | None = None
) -> tuple[Report, StagingWriter] | None:
    """The prepared rows COPYed into the staging table and re-checked against the database as it is now;
    ``None`` when the job has no prepared file (the caller re-checks the whole file)."""
    storage, name = job.file.storage, prepared_name(job)
    if not job.file.name or not storage.exists(name):
        return None
    with storage.open(name, "rb") as handle:
        head, _newline, body = handle.read().decode().partition("\n")
    header = json.loads(head)
    if header.get("version") != VERSION:
        return None
    if header["sha256"] != job.file_sha256:
        raise DomainError(
            _("The file %(file)s changed since its check; upload it again.") % {"file": job.file_name}, code="changed"
        )
    shared = []
    for segment, values in header["shared"]:
        one = Shared()
        one.segment, one.values = segment, values
        shared.append(one)
    report = Report(rows=header["rows"])
    staging_create(cursor)
    writer = StagingWriter(cursor, biobank)
    writer.reserve(report.rows)
    pid_rows: dict[str, list[int]] = {}
    shared_rows: list[list[int]] = [[] for _one in shared]
    collecting = gc.isenabled()
    gc.disable()  # a million rows make millions of small objects that live to the end: no cyclic collection
    try:
        lines = body.split("\n")
        lines.pop()  # the last line's newline
        for number, line in enumerate(lines, 1):
            index, row_field, barcode, pid, middle = line.split("\t", 4)
            row = int(row_field)
            if "\\" in barcode:
                barcode = _UNESCAPE.sub(lambda match: _UNESCAPED[match[1]], barcode)
            elif not barcode:
                report.generated += 1
            writer.add_prepared(row, barcode, pid, middle, shared[int(index)])
            pid_rows.setdefault(pid, []).append(row)
            shared_rows[int(index)].append(row)
            if progress is not None and number % PROGRESS_EVERY == 0:
                progress(number)
    finally:
        if collecting:
            gc.enable()
        writer.close()
    if len(writer.audit) != report.rows:  # a prepared file that does not hold every row is never trusted
        raise DomainError(
            _("The checked rows of %(file)s are incomplete; upload the file again.") % {"file": job.file_name},
            code="changed",
        )
    collection_rows: dict[str, list[int]] = {}
    for one, rows_of in zip(shared, shared_rows, strict=True):
        collection_rows.setdefault(one.values["collection"], []).extend(rows_of)
    look_up_keys(biobank, pid_rows, collection_rows, report)
    cursor.execute(
        "SELECT s.row_number, s.barcode FROM import_staging s JOIN specimens_specimen p ON p.barcode = s.barcode"
    )
    for row, barcode in cursor.fetchall():
        report.problems.append(Problem(row, "barcode", barcode, barcode_taken(barcode)))
    report.problems.sort(key=lambda problem: problem.row)
    return report, writer
