"""The filtered list as CSV (streamed) and XLSX, each export audited."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from biobank.audit.models import AuditOutbox
from specimens.models import Specimen
from specimens.selectors.lists import EXPORT_COLUMNS
from tests.specimens.views.conftest import url

pytestmark = pytest.mark.django_db


def test_the_csv_export_streams_the_filtered_list_and_is_audited(client, lab):
    client.force_login(lab.data_manager)
    response = client.get(url("specimen_export", lab), {"lineage": "aliquot", "as": "csv"})

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert sorted(row[0] for row in rows[1:]) == sorted(a.barcode for a in lab.aliquots)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["donor_pid"] == lab.donor.pid_display and first["parent"] == lab.primary.barcode
    assert first["quantity"] == "0.5" and first["unit"] == "mL"
    event = AuditOutbox.objects.get(action="specimen.export")
    assert event.details["format"] == "csv" and event.details["filters"] == {"lineage": "aliquot"}


def test_the_xlsx_export_holds_the_same_rows(client, lab):
    client.force_login(lab.technician)
    response = client.get(url("specimen_export", lab), {"as": "xlsx"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert {row[0] for row in rows[1:]} == {lab.primary.barcode, *(a.barcode for a in lab.aliquots)}
    assert [e.details["format"] for e in AuditOutbox.objects.filter(action="specimen.export")] == ["xlsx"]


def test_the_export_gives_its_times_in_utc_iso_8601_like_every_export(client, lab, settings):
    """docs/ui.md, "Time, dates and language": the page shows local time, the export UTC ending in Z."""
    settings.TIME_ZONE = "Europe/Berlin"
    winter, summer = datetime(2026, 12, 7, 9, 30, tzinfo=UTC), datetime(2026, 7, 1, 10, 0, 5, 250000, tzinfo=UTC)
    Specimen.objects.filter(pk=lab.primary.pk).update(collected_at=winter, received_at=summer)
    client.force_login(lab.technician)
    response = client.get(url("specimen_export", lab), {"as": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    primary = next(dict(zip(rows[0], row, strict=True)) for row in rows[1:] if row[0] == lab.primary.barcode)
    assert primary["collected_at"] == "2026-12-07T09:30:00Z"
    assert primary["received_at"] == "2026-07-01T10:00:05.250000Z"
    assert primary["registered_at"].endswith("Z")
    assert datetime.fromisoformat(primary["registered_at"]) == lab.primary.created_at
    assert re.fullmatch(r'attachment; filename="specimens-[\w-]+-\d{8}T\d{6}Z\.csv"', response["Content-Disposition"])


def test_an_export_never_holds_another_biobanks_specimens(client, lab, outsider):
    client.force_login(lab.technician)
    body = b"".join(client.get(url("specimen_export", lab)).streaming_content).decode()
    assert lab.foreign.barcode not in body
    client.force_login(outsider)
    assert client.get(url("specimen_export", lab)).status_code == 404
