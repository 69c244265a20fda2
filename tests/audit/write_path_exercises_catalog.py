"""Exercises of the public catalogue's writes and the Directory exchange (tests/audit/test_write_paths_audited.py)."""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command
from django.urls import reverse

from tests.audit.write_path_exercises import Fixtures, _api, _ok
from tests.catalog.factories import make_described_catalogue


def _catalogue(f: Fixtures) -> dict[str, Any]:
    return make_described_catalogue(f.biobank_a)


def api_catalog_biobank_update(f: Fixtures) -> None:
    _catalogue(f)
    _ok(_api(f.data_manager_a).patch("/api/v1/catalog/biobanks/biobank-a/", {"acronym": "BA"}, format="json"), 200)


def api_catalog_collection_describe(f: Fixtures) -> None:
    main = _catalogue(f)["main"]
    body = {"materials": ["PLASMA"]}
    _ok(_api(f.data_manager_a).patch(f"/api/v1/catalog/collections/{main.pk}/", body, format="json"), 200)


def api_catalog_collection_state(f: Fixtures) -> None:
    main = _catalogue(f)["main"]
    body = {"state": "draft"}
    _ok(_api(f.data_manager_a).post(f"/api/v1/catalog/collections/{main.pk}/state/", body, format="json"), 200)


def command_export_directory(f: Fixtures) -> None:
    _catalogue(f)
    call_command("export_directory", output=str(f.tmp_path / "directory.xlsx"))


def command_import_directory(f: Fixtures) -> None:
    from catalog.directory.export import export_bytes

    _catalogue(f)
    path = f.tmp_path / "directory.zip"
    path.write_bytes(export_bytes("zip"))
    call_command("import_directory", str(path))


# The staff pages (catalog/directory/urls.py, included under /catalogue/manage/directory/ by the project's URLs)


def web_directory_export(f: Fixtures) -> None:
    _catalogue(f)
    f.client.force_login(f.data_manager_a)
    _ok(f.client.post(reverse("catalog_directory:export"), {"biobank": f.biobank_a.pk, "format": "xlsx"}), 200)


def web_directory_import(f: Fixtures) -> None:
    from catalog.directory.export import export_bytes

    _catalogue(f)
    upload = io.BytesIO(export_bytes("xlsx"))
    upload.name = "directory.xlsx"
    f.client.force_login(f.data_manager_a)
    _ok(f.client.post(reverse("catalog_directory:import"), {"workbook": upload}), 200)
