"""Import files for the tests: CSV text from row dicts, with the full header or a chosen one."""

from __future__ import annotations

import csv
import io
from typing import Any

from biobank.accounts.models import Biobank
from consent.models import Donor
from specimens.imports.columns import HEADER
from specimens.models import ImportJob
from specimens.services.imports import import_commit_request, import_upload

SERUM = {
    "sample_type": "SER",
    "quantity": "0.5",
    "unit": "mL",
    "collection_time": "2024-05-06T08:30:00+02:00",
    "reception_time": "2024-05-06T09:10:00+02:00",
    "primary_container": "SST",
    "pre_centrifugation_delay_min": "60",
    "pre_centrifugation_temperature_c": "21",
    "centrifugation": "done",
    "centrifugation_temperature_c": "20",
    "centrifugation_duration_min": "10",
    "centrifugation_g_force": "2000",
    "centrifugation_braking": "yes",
    "second_centrifugation": "none",
    "storage_container": "cryotube-1-2ml",
    "storage_method": "programmable-freezing",
    "storage_temperature_c": "-150",
}


def csv_bytes(rows: list[dict[str, Any]], header: tuple[str, ...] | list[str] = HEADER, bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode()


def serum_row(donor: Donor, collection_code: str, **values: Any) -> dict[str, Any]:
    return {**SERUM, "donor_pid": donor.pid_display, "collection": collection_code, **values}


def upload(actor: Any, biobank: Biobank, data: bytes, name: str = "specimens.csv") -> ImportJob:
    """Upload (the dry run runs at once: Celery is eager in the tests) and read the job back."""
    job = import_upload(actor=actor, biobank=biobank, data=data, file_name=name)
    job.refresh_from_db()
    return job


def commit(actor: Any, job: ImportJob) -> ImportJob:
    import_commit_request(actor=actor, job=job)
    job.refresh_from_db()
    return job
