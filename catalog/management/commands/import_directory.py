"""``manage.py import_directory PATH [--dry-run]``: load a BBMRI-ERIC Directory staging workbook (.xlsx or .zip).

Everything is checked first; on any problem nothing is written and every problem is listed (sheet, row, column,
value, message). Runs as the system actor, which may create the core biobanks the workbook names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.directory.importer import import_directory


class Command(BaseCommand):
    help = "Import a BBMRI-ERIC Directory staging workbook (.xlsx, or .zip of CSVs): all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the workbook (.xlsx) or ZIP of CSVs (.zip)")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        report = import_directory(
            actor="system:import_directory", data=path.read_bytes(), file_name=path.name,
            dry_run=options["dry_run"], may_create_biobanks=True,
        )  # fmt: skip
        for warning in report.warnings:
            self.stdout.write(f"warning: {warning.sheet} row {warning.row} {warning.column} {warning.value!r}: "
                              f"{warning.message}")  # fmt: skip
        if not report.ok:
            for p in report.problems:
                self.stderr.write(f"{p.sheet} row {p.row} column {p.column!r} value {p.value!r}: {p.message}")
            raise CommandError(f"{len(report.problems)} problem(s); nothing was written.")
        counts = ", ".join(f"{n} {sheet}" for sheet, n in report.counts.items())
        verb = "Checked (dry run, nothing written)" if report.dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {counts}."))
