"""The downloadable template: the header row (CSV and XLSX) and a README (second sheet, or a text file) that
explains every column: name, required or not, format, allowed values, example."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from .columns import COLUMNS, format_text

README_HEADER = ("column", "required", "format", "allowed values", "example", "meaning")


def column_rows() -> list[dict[str, Any]]:
    """One dict per column, in file order (the README sheet, the page and the docs show these)."""
    return [
        {
            "name": column.name,
            "required": column.required,
            "format": str(format_text(column)),
            "allowed": ", ".join(column.allowed),
            "example": column.example,
            "help": str(column.help),
        }
        for column in COLUMNS
    ]


def _readme_lines() -> list[list[str]]:
    yes, no = _("yes"), _("no")
    return [
        [row["name"], yes if row["required"] else no, row["format"], row["allowed"], row["example"], row["help"]]
        for row in column_rows()
    ]


def template_csv(*, example: bool = True) -> bytes:
    """The header row (and one example row), UTF-8 with a BOM so spreadsheet programs read it as UTF-8."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in COLUMNS])
    if example:
        writer.writerow([column.example for column in COLUMNS])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode()


def readme_csv() -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(README_HEADER)
    writer.writerows(_readme_lines())
    return b"\xef\xbb\xbf" + buffer.getvalue().encode()


def template_xlsx(*, example: bool = True) -> bytes:
    """Sheet 1 ``specimens``: the header (and an example row); sheet 2 ``README``: every column explained."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "specimens"
    sheet.append([column.name for column in COLUMNS])
    if example:
        sheet.append([column.example for column in COLUMNS])
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.number_format = "@"  # text: a spreadsheet keeps "0.50", PIDs and timestamps as typed
    readme = book.create_sheet("README")
    readme.append(list(README_HEADER))
    for line in _readme_lines():
        readme.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
