"""Exercisers of the import's writing routes for tests/audit/test_write_paths_audited.py (browser and API).

The tests there run inside one transaction, so the Celery task queued after commit never starts: the exercisers run
the check and the import themselves, as the worker would."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from specimens.services.imports import import_check, import_commit, import_upload
from tests.consent.factories import make_donor


def _csv(f: Any) -> bytes:
    donor = make_donor(f.biobank_a)
    return (
        f"donor_pid,collection,sample_type,quantity,unit\n{donor.pid_display},{f.collection_a.code},SER,1,mL\n".encode()
    )


def _checked_job(f: Any) -> Any:
    job = import_upload(actor=f.technician_a, biobank=f.biobank_a, data=_csv(f), file_name="audit.csv")
    return import_check(job_id=job.pk)


def web_import_upload(f: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    f.client.force_login(f.technician_a)
    response = f.client.post("/specimens/biobank-a/imports/", {"file": SimpleUploadedFile("a.csv", _csv(f))})
    assert response.status_code == 302, response.content[:300]


def web_import_commit(f: Any) -> None:
    job = _checked_job(f)
    f.client.force_login(f.technician_a)
    response = f.client.post(f"/specimens/biobank-a/imports/{job.pk}/commit/")
    assert response.status_code == 302
    assert import_commit(job_id=job.pk).status == "imported"


def _api(f: Any) -> APIClient:
    client = APIClient()
    client.force_login(f.technician_a)
    return client


def api_import_upload(f: Any) -> None:
    body = {"biobank": "biobank-a", "file_name": "a.csv", "content": _csv(f).decode()}
    response = _api(f).post("/api/v1/specimen-imports/", body, format="json")
    assert response.status_code == 202, response.content[:300]


def api_import_commit(f: Any) -> None:
    job = _checked_job(f)
    response = _api(f).post(f"/api/v1/specimen-imports/{job.pk}/commit/")
    assert response.status_code == 202, response.content[:300]
    assert import_commit(job_id=job.pk).status == "imported"
