"""The storage writes of the specimens app, exercised through their real URLs (pages and API) as a technician.

Kept beside ``write_path_exercises.py`` (same ``Fixtures``) so that the sections of issue 11 do not all edit one
file; ``test_write_paths_audited`` names each with the audit action it must leave.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework.test import APIClient

from biobank.accounts.choices import Role
from specimens.models import StorageUnit
from specimens.services import specimen_place
from tests.accounts.factories import make_member
from tests.audit.write_path_exercises import Fixtures, _ok
from tests.specimens.factories import make_storage_box, stock_specimen


def _technician(f: Fixtures) -> Any:
    return make_member(f.biobank_a, Role.TECHNICIAN, email="tech-writes@example.org")


def _api(f: Fixtures) -> APIClient:
    client = APIClient()
    client.force_authenticate(_technician(f))  # no sign-in: that would be a write of its own
    return client


def _web(f: Fixtures) -> Any:
    f.client.force_login(_technician(f))
    return f.client


def _box(f: Fixtures) -> StorageUnit:
    return make_storage_box(f.biobank_a, rows=9, columns=9, code="BOX-W")


def web_storage_unit_create(f: Fixtures) -> None:
    url = reverse("specimens:storage_unit_create", args=["biobank-a"])
    _ok(_web(f).post(url, {"kind": "site", "name": "Campus", "code": "SITE-W"}), 302)


def web_storage_unit_edit(f: Fixtures) -> None:
    box = _box(f)
    url = reverse("specimens:storage_unit_edit", args=["biobank-a", box.pk])
    _ok(_web(f).post(url, {"name": "Renamed", "code": box.code, "rows": 10, "columns": 10}), 302)


def web_box_cell_place(f: Fixtures) -> None:
    box, specimen = _box(f), stock_specimen(f.biobank_a)
    url = reverse("specimens:box_cell", args=["biobank-a", box.pk, "A1"])
    _ok(_web(f).post(url, {"barcode": specimen.barcode}), 302)


def web_box_bulk(f: Fixtures) -> None:
    box, specimens = _box(f), [stock_specimen(f.biobank_a) for _ in range(2)]
    url = reverse("specimens:box_bulk", args=["biobank-a", box.pk])
    _ok(_web(f).post(url, {"lines": "\n".join(s.barcode for s in specimens)}), 302)


def api_storage_unit_create(f: Fixtures) -> None:
    body = {"biobank": "biobank-a", "kind": "site", "name": "Campus", "code": "SITE-W"}
    _ok(_api(f).post("/api/v1/storage-units/", body, format="json"), 201)


def api_storage_unit_update(f: Fixtures) -> None:
    _ok(_api(f).patch(f"/api/v1/storage-units/{_box(f).pk}/", {"temperature_c": -150}, format="json"), 200)


def api_bulk_place(f: Fixtures) -> None:
    box, specimen = _box(f), stock_specimen(f.biobank_a)
    body = {"placements": [{"barcode": specimen.barcode}]}
    _ok(_api(f).post(f"/api/v1/storage-units/{box.pk}/placements/", body, format="json"), 201)


def api_place(f: Fixtures) -> None:
    box, specimen = _box(f), stock_specimen(f.biobank_a)
    body = {"barcode": specimen.barcode, "box": box.pk, "position": "A1"}
    _ok(_api(f).post("/api/v1/placements/", body, format="json"), 201)


def _placed(f: Fixtures) -> tuple[StorageUnit, Any]:
    box, specimen = _box(f), stock_specimen(f.biobank_a)
    specimen_place(actor=None, specimen=specimen, box=box, row=1, column=1)
    return box, specimen


def api_move(f: Fixtures) -> None:
    box, specimen = _placed(f)
    body = {"barcode": specimen.barcode, "box": box.pk, "position": "B1"}
    _ok(_api(f).post("/api/v1/placements/move/", body, format="json"), 200)


def api_unplace(f: Fixtures) -> None:
    specimen = _placed(f)[1]
    _ok(_api(f).post("/api/v1/placements/unplace/", {"barcode": specimen.barcode}, format="json"), 200)
