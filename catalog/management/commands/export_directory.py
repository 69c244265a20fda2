"""``manage.py export_directory --output PATH [--biobank CODE]``: the published catalogue for the BBMRI-ERIC Directory.

The format follows the file name: ``.xlsx`` the staging workbook, ``.zip`` one CSV per sheet, ``.json`` MIABIS JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from biobank.accounts.models import Biobank
from catalog.directory.export import FORMATS, directory_export, format_of


class Command(BaseCommand):
    help = "Export the published catalogue as the BBMRI-ERIC Directory workbook (.xlsx), CSVs (.zip) or MIABIS JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="file to write: .xlsx, .zip (CSVs) or .json (MIABIS)")
        parser.add_argument("--biobank", help="code of one biobank (default: all published biobanks)")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        fmt = format_of(output.name)
        if fmt is None:
            raise CommandError(
                f"Cannot tell the format from {output.name!r}: end the file name with one of "
                f"{', '.join('.' + f for f in FORMATS)}."
            )
        biobank = None
        if options["biobank"]:
            biobank = Biobank.objects.filter(code=options["biobank"]).first()
            if biobank is None:
                codes = ", ".join(Biobank.objects.order_by("code").values_list("code", flat=True))
                raise CommandError(f"No biobank with the code {options['biobank']!r}; the codes are: {codes}.")
        data = directory_export(actor="system:export_directory", fmt=fmt, biobank=biobank)
        output.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} ({len(data)} bytes, {fmt})."))
