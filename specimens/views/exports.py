"""The export of a filtered specimen list through the portal's one export mechanism (``biobank.web.export``): CSV
streamed row by row from a server-side cursor, XLSX written in openpyxl's write-only mode (constant memory) to a
temporary file that is then streamed. Audited before the first byte leaves. Times in UTC, ISO 8601, and the file
name stamped in UTC, like every export (docs/ui.md, "Time, dates and language")."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse

from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.web.export import XLSX_TYPE, csv_lines, export_filename
from biobank.web.export import write_xlsx as _write_xlsx

from ..models import Specimen
from ..selectors.lists import EXPORT_COLUMNS, specimen_export_rows
from ..services.exports import specimens_export_record


def write_xlsx(rows: Iterator[tuple[Any, ...]], target: Any) -> None:
    """Rows into ``target`` (a file) through a write-only workbook: memory stays flat however many rows."""
    _write_xlsx(EXPORT_COLUMNS, rows, target, title="specimens")


def export_response(
    request: AuthenticatedHttpRequest,
    biobank: Biobank,
    specimens: QuerySet[Specimen],
    *,
    filters: Mapping[str, Any],
    export_format: str,
) -> StreamingHttpResponse | FileResponse:
    specimens_export_record(actor=request.user, biobank=biobank, filters=filters, export_format=export_format)
    name = export_filename(f"specimens-{biobank.code}", export_format)
    rows = specimen_export_rows(specimens)
    if export_format == "xlsx":
        spool = tempfile.TemporaryFile()  # noqa: SIM115  # FileResponse closes it once sent
        write_xlsx(rows, spool)
        spool.seek(0)
        return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX_TYPE)
    response = StreamingHttpResponse(csv_lines(EXPORT_COLUMNS, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
