"""Every list page as CSV or XLSX (``?format=csv`` / ``?format=xlsx`` on the list's own URL): one mechanism.

A list view builds its filtered, permission-scoped queryset as for the page, then hands it with a column spec to
``export_response`` when ``export_format(request)`` names a format. The export therefore has exactly the page's
rows — every page of them: the keyset position (``before``) is ignored — and exactly the page's columns: a column
spec lists only what the page shows.

* CSV is streamed row by row (``StreamingHttpResponse``) from ``QuerySet.iterator`` (chunks of ``CHUNK`` rows: the
  number of queries does not grow with the rows). It starts with a UTF-8 byte order mark, so that spreadsheet
  programs (Excel) read umlauts right; other readers skip it.
* XLSX is written in openpyxl's write-only mode (constant memory) into a temporary file, then streamed
  (``FileResponse``); past a worksheet's row limit the rows continue on the next sheet.
* Times are exported in UTC, ISO 8601 (``2026-12-07T09:30:00Z``); dates ISO (``2026-12-07``) — whatever the page's
  local display (docs/ui.md's rule: show local time, export UTC).
* Formula injection: text starting with ``= + - @`` (or a tab or carriage return) gets a leading apostrophe, so a
  spreadsheet shows it as text instead of running it.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook

EXPORT_FORMATS = ("csv", "xlsx")
FORMAT_PARAMETER = "format"
CHUNK = 2000
XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit, the header row included
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Not filters: the page's position and the export's own parameter.
NOT_FILTERS = ("before", "after", "page", FORMAT_PARAMETER)


@dataclass(frozen=True)
class Column:
    """One exported column: its heading (as the page's) and how to read a row's value (an attribute path such as
    ``"biobank.name"``, or a function of the row)."""

    header: Any  # a (lazy) translated label
    value: str | Callable[[Any], Any]

    def read(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        value = row
        for part in self.value.split("."):
            value = None if value is None else getattr(value, part)
        return value() if callable(value) else value


def export_format(request: HttpRequest) -> str | None:
    """The format asked for (``?format=csv|xlsx``), ``None`` for the page itself (an unknown value too)."""
    asked = request.GET.get(FORMAT_PARAMETER, "")
    return asked if asked in EXPORT_FORMATS else None


def export_filters(request: HttpRequest) -> dict[str, str]:
    """The page's filters as asked (for the audit trail): the query without position and format."""
    return {key: str(value) for key, value in request.GET.items() if key not in NOT_FILTERS and value != ""}


def export_links(request: HttpRequest) -> dict[str, str]:
    """The "Export CSV / XLSX" links of a list page: its own URL with the current filters and the format."""
    query = [(key, value) for key, values in request.GET.lists() for value in values if key not in NOT_FILTERS]
    return {fmt: f"{request.path}?{urlencode([*query, (FORMAT_PARAMETER, fmt)])}" for fmt in EXPORT_FORMATS}


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: UTC ISO times, ISO dates, text guarded against formulas, ``None`` empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        value = ", ".join(str(item) for item in value)
    text = str(value) if isinstance(value, Promise) else value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_filename(name: str, export_format: str) -> str:
    """``name`` stamped with the time of the export in UTC: ``donors-ukrm-20261207T093000Z.csv``."""
    return f"{name}-{timezone.now().astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}.{export_format}"


def rows_of(items: Iterable[Any], columns: Sequence[Column]) -> Iterator[list[Any]]:
    """The cells of each item; a queryset is read in chunks from a server-side cursor (``iterator``)."""
    if isinstance(items, QuerySet):
        items = items.iterator(chunk_size=CHUNK)
    for item in items:
        yield [cell(column.read(item)) for column in columns]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield ("\ufeff" if bom else "") + writer.writerow(headers)
    for row in rows:
        yield writer.writerow(row)


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], target: Any, *, title: str = "export") -> None:
    """Rows into ``target`` (a file) through a write-only workbook: memory stays flat however many rows."""
    workbook = Workbook(write_only=True)
    sheet: Any = None
    written = XLSX_MAX_ROWS
    for row in rows:
        if written >= XLSX_MAX_ROWS:
            sheet = workbook.create_sheet(title=f"{title[:25]}-{len(workbook.worksheets) + 1}")
            sheet.append(list(headers))
            written = 1
        sheet.append(list(row))
        written += 1
    if sheet is None:
        workbook.create_sheet(title=f"{title[:25]}-1").append(list(headers))
    workbook.save(target)


def export_response(
    *,
    items: Iterable[Any],
    columns: Sequence[Column],
    name: str,
    export_format: str,
    audit: Callable[[], Any] | None = None,
) -> StreamingHttpResponse | FileResponse:
    """The file of ``items`` (the page's filtered queryset, unsliced) in ``export_format``.

    ``audit`` (e.g. a donor list's export record) runs before the first byte leaves. ``name`` is the file's base
    name, e.g. ``donors-ukrm``; a UTC time stamp and the extension are added.
    """
    if audit is not None:
        audit()
    headers = [str(column.header) for column in columns]
    rows = rows_of(items, columns)
    filename = export_filename(name, export_format)
    if export_format == "xlsx":
        spool = tempfile.TemporaryFile()  # noqa: SIM115  # FileResponse closes it once sent
        write_xlsx(headers, rows, spool, title=name.split("-")[0] or "export")
        spool.seek(0)
        return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response = StreamingHttpResponse(csv_lines(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
