"""The Directory exchange pages: download and upload for data managers, refused to everyone else.

The pages are included under /catalogue/manage/directory/ by the project's URLs; this module mounts them the same way
(``urlpatterns`` below) so they can be tested before that include lands.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import include, path

from biobank.accounts.choices import Role
from biobank.audit.models import AuditEvent, AuditOutbox
from catalog.directory import export
from catalog.models import Collection
from tests.accounts.factories import make_member
from tests.catalog.factories import make_described_catalogue

urlpatterns = [
    path("", include("biobank.urls")),
    path("catalogue/manage/directory/", include("catalog.directory.urls")),
]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
EXPORT = "/catalogue/manage/directory/export/"
IMPORT = "/catalogue/manage/directory/import/"


@pytest.fixture
def catalogue(biobank_a, biobank_b):
    make_described_catalogue(biobank_b, node="AT")
    return make_described_catalogue(biobank_a)


def _audited(action: str) -> int:
    return AuditOutbox.objects.filter(action=action).count() + AuditEvent.objects.filter(action=action).count()


def test_a_data_manager_downloads_the_workbook_of_their_biobank_audited(client, data_manager_a, biobank_a, catalogue):
    client.force_login(data_manager_a)

    response = client.post(EXPORT, {"biobank": biobank_a.pk, "format": "zip"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="biobank-a-directory-csv.zip"'
    biobanks = zipfile.ZipFile(io.BytesIO(response.content)).read("biobanks.csv").decode()
    assert "bbmri-eric:ID:DE_biobank-a" in biobanks and "AT_biobank-b" not in biobanks
    assert _audited("directory.export") == 1


def test_another_biobanks_export_is_not_offered(client, data_manager_a, biobank_b, catalogue):
    client.force_login(data_manager_a)

    response = client.post(EXPORT, {"biobank": biobank_b.pk, "format": "xlsx"})

    assert response.status_code == 200 and "biobank" in response.context["form"].errors


@pytest.mark.parametrize("url", [EXPORT, IMPORT])
def test_people_without_manage_catalog_are_refused(client, biobank_a, url):
    client.force_login(make_member(biobank_a, Role.TECHNICIAN))

    assert client.get(url).status_code == 403


def test_an_upload_with_problems_lists_them_and_writes_nothing(client, data_manager_a, catalogue):
    data = export.export_bytes("xlsx")
    client.force_login(data_manager_a)
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    workbook["collections"]["A2"] = "not-an-id"
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "broken.xlsx"

    response = client.post(IMPORT, {"workbook": buffer, "dry_run": ""})

    assert response.status_code == 200
    assert b"import-problems" in response.content and b"not-an-id" in response.content
    assert not Collection.objects.filter(bbmri_id="not-an-id").exists()


def test_a_data_manager_imports_into_their_own_biobank_only(client, data_manager_a, catalogue):
    data = export.directory_rows()
    client.force_login(data_manager_a)
    upload = io.BytesIO(export.to_xlsx(data))
    upload.name = "all.xlsx"

    response = client.post(IMPORT, {"workbook": upload})

    problems = response.context["report"].problems
    assert [(p.sheet, p.value) for p in problems] == [("biobanks", "bbmri-eric:ID:AT_biobank-b")]


def test_a_dry_run_of_a_valid_workbook_says_so(client, data_manager_a, biobank_a, catalogue):
    upload = io.BytesIO(export.export_bytes("xlsx", biobank=biobank_a))
    upload.name = "mine.xlsx"
    client.force_login(data_manager_a)

    response = client.post(IMPORT, {"workbook": upload, "dry_run": "on"}, follow=True)

    assert response.context["report"].ok
    assert "nothing was written" in response.content.decode()
