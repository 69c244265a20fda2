"""The export of a filtered specimen list: CSV streamed row by row from a server-side cursor, XLSX written in
openpyxl's write-only mode (constant memory) to a temporary file that is then streamed. Audited before the first
byte leaves."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest

from ..models import Specimen
from ..selectors.lists import EXPORT_COLUMNS, specimen_export_rows
from ..services.exports import specimens_export_record

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit: longer exports continue on the next sheet
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    """Spreadsheets run text starting with = + - @ as a formula: such text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)  # the BOM makes spreadsheet programs read UTF-8
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def write_xlsx(rows: Iterator[tuple[Any, ...]], target: Any) -> None:
    """Rows into ``target`` (a file) through a write-only workbook: memory stays flat however many rows."""
    workbook = Workbook(write_only=True)
    sheet, written = None, XLSX_MAX_ROWS
    for row in rows:
        if written >= XLSX_MAX_ROWS:
            sheet = workbook.create_sheet(title=f"specimens-{len(workbook.worksheets) + 1}")
            sheet.append(list(EXPORT_COLUMNS))
            written = 1
        assert sheet is not None
        sheet.append([_cell(value) for value in row])
        written += 1
    if sheet is None:
        workbook.create_sheet(title="specimens-1").append(list(EXPORT_COLUMNS))
    workbook.save(target)


def export_response(
    request: AuthenticatedHttpRequest,
    biobank: Biobank,
    specimens: QuerySet[Specimen],
    *,
    filters: Mapping[str, Any],
    export_format: str,
) -> StreamingHttpResponse | FileResponse:
    specimens_export_record(actor=request.user, biobank=biobank, filters=filters, export_format=export_format)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"specimens-{biobank.code}-{stamp}.{export_format}"
    rows = specimen_export_rows(specimens)
    if export_format == "xlsx":
        spool = tempfile.TemporaryFile()  # noqa: SIM115  # FileResponse closes it once sent
        write_xlsx(rows, spool)
        spool.seek(0)
        return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX_TYPE)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
