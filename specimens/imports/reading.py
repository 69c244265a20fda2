"""Reading an import file: CSV (UTF-8, with or without BOM) or XLSX, as rows of text cells.

A wrong encoding is never guessed: the first byte that is not UTF-8 is reported with its row and nothing else is
read. Broken CSV quoting stops the reading at the row where it happens (what follows cannot be told apart from the
broken field); every row before it is still checked. A row is the spreadsheet's row number: 1 is the header.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

csv.field_size_limit(1024 * 1024)


class FileProblem(Exception):
    """The file cannot be read past ``row``: ``message`` says why (encoding, quoting, not a workbook)."""

    def __init__(self, row: int, message: str, column: str = "", value: str = "") -> None:
        super().__init__(message)
        self.row, self.message, self.column, self.value = row, message, column, value


def decode_utf8(data: bytes) -> str:
    """The text of a UTF-8 file (a BOM dropped), or a FileProblem naming the row and the first bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        bad = data[error.start : error.start + 1].hex().upper()
        raise FileProblem(
            row,
            _(
                "The file is not UTF-8: byte 0x%(byte)s in row %(row)d (at byte offset %(offset)d) is not valid "
                'UTF-8. Save the file as "CSV UTF-8" and upload it again; nothing was read.'
            )
            % {"byte": bad, "row": row, "offset": error.start},
        ) from None


def _delimiter(text: str) -> str:
    """Comma, or a semicolon when the header has semicolons and no comma (spreadsheets in many locales)."""
    header = text[: text.find("\n")] if "\n" in text else text
    return ";" if ";" in header and "," not in header else ","


def csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` of a CSV file; the header is row 1. Raises FileProblem on bad bytes or quoting."""
    text = decode_utf8(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as error:
        raise FileProblem(
            number + 1,
            _("Row %(row)d breaks the CSV format (%(detail)s); the rows after it were not read. Check the quotes.")
            % {"row": number + 1, "detail": error},
        ) from None


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold: 60.0 → "60", datetimes in ISO 8601, booleans yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` of the first sheet of a workbook (python-calamine: the Rust reader, ~30x openpyxl)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
    except Exception as error:  # CalamineError, zip errors: the file is no workbook
        raise FileProblem(
            1, _("The file is not an XLSX workbook (%(detail)s).") % {"detail": str(error)[:200]}
        ) from None
    # calamine yields every row from the sheet's first, but only the columns from the first one used: pad them back
    pad = [""] * (sheet.start or (0, 0))[1]
    try:
        for index, values in enumerate(sheet.iter_rows()):
            cells = [*pad, *(cell_text(value) for value in values)]
            while cells and cells[-1] == "":
                cells.pop()
            yield index + 1, cells
    finally:
        book.close()


def file_rows(data: bytes, file_format: str) -> Iterator[tuple[int, list[str]]]:
    return xlsx_rows(data) if file_format == "xlsx" else csv_rows(data)
