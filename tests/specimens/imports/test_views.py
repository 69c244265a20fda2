"""The imports API and pages: permissions (foreign biobank 404, no change_specimens 403), the report, the commit."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from specimens.models import Specimen
from tests.accounts.factories import make_biobank, make_member
from tests.consent.factories import make_donor
from tests.specimens.factories import make_collection
from tests.specimens.imports.helpers import csv_bytes, serum_row

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def bank():
    biobank = make_biobank(code="bank-a")
    make_collection(biobank, code="serum-2024")
    return biobank, make_member(biobank, "technician"), make_donor(biobank)


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_an_upload_by_api_is_checked_and_its_commit_imports_every_row(bank):
    _biobank, technician, donor = bank
    content = csv_bytes([serum_row(donor, "serum-2024"), serum_row(donor, "serum-2024", unit="gallon")]).decode()
    client = api(technician)

    response = client.post("/api/v1/specimen-imports/", {"biobank": "bank-a", "content": content}, format="json")

    assert response.status_code == 202, response.content
    job = client.get(response["Location"]).json()
    assert (job["status"], job["error_count"], job["progress"]) == ("invalid", 1, 100)
    errors = client.get(f"/api/v1/specimen-imports/{job['id']}/errors/").json()["results"]
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [(3, "unit", "gallon")]
    refused = client.post(f"/api/v1/specimen-imports/{job['id']}/commit/")
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"


def test_a_multipart_upload_then_commit_imports(bank):
    biobank, technician, donor = bank
    client = api(technician)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("s.csv", csv_bytes([serum_row(donor, "serum-2024")]))
    job = client.post("/api/v1/specimen-imports/", {"biobank": "bank-a", "file": upload}, format="multipart").json()
    assert job["status"] == "valid"
    done = client.post(f"/api/v1/specimen-imports/{job['id']}/commit/").json()
    assert (done["status"], done["imported_count"]) == ("imported", 1)
    assert Specimen.objects.filter(biobank=biobank).count() == 1


def test_a_job_of_a_foreign_biobank_is_404_and_a_member_without_change_specimens_gets_403(bank):
    biobank, technician, donor = bank
    job = (
        api(technician)
        .post(
            "/api/v1/specimen-imports/",
            {"biobank": "bank-a", "content": csv_bytes([serum_row(donor, "serum-2024")]).decode()},
            format="json",
        )
        .json()
    )
    other = make_biobank(code="bank-b")
    foreigner = make_member(other, "technician")
    viewer = make_member(biobank, "data_manager")  # sees the biobank, may not change specimens

    assert api(foreigner).get(f"/api/v1/specimen-imports/{job['id']}/").status_code == 404
    assert api(foreigner).post(f"/api/v1/specimen-imports/{job['id']}/commit/").status_code == 404
    assert api(viewer).get(f"/api/v1/specimen-imports/{job['id']}/").status_code == 404
    body = {"biobank": "bank-a", "content": "x"}
    assert api(viewer).post("/api/v1/specimen-imports/", body, format="json").status_code == 403
    assert api(foreigner).post("/api/v1/specimen-imports/", body, format="json").status_code == 400
    assert Specimen.objects.count() == 0


def test_the_pages_show_the_report_poll_while_running_and_offer_import_now_when_clean(bank, client):
    _biobank, technician, donor = bank
    client.force_login(technician)
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.get("/specimens/bank-a/imports/")
    assert page.status_code == 200 and b"README" in page.content
    bad = SimpleUploadedFile("bad.csv", csv_bytes([serum_row(donor, "serum-2024", quantity="lots")]))
    response = client.post("/specimens/bank-a/imports/", {"file": bad}, follow=True)
    assert b"quantity must be a number" in response.content and b"Import now" not in response.content
    good = SimpleUploadedFile("good.csv", csv_bytes([serum_row(donor, "serum-2024")]))
    response = client.post("/specimens/bank-a/imports/", {"file": good}, follow=True)
    assert b"Import now" in response.content
    job_url = response.redirect_chain[-1][0]
    response = client.post(f"{job_url}commit/", follow=True)
    assert b"1 specimens were imported" in response.content
    status = client.get(f"{job_url}status/?was=running")
    assert status.status_code == 200 and status["HX-Refresh"] == "true"
    xlsx = client.get("/specimens/bank-a/imports/template/?kind=xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_a_member_without_change_specimens_is_refused_the_pages(bank, client):
    biobank, _technician, _donor = bank
    client.force_login(make_member(biobank, "data_manager"))
    assert client.get("/specimens/bank-a/imports/").status_code == 403
    client.force_login(make_member(make_biobank(code="bank-c"), "technician"))
    assert client.get("/specimens/bank-a/imports/").status_code == 404


def test_every_error_of_an_import_exports_as_csv_and_xlsx_not_only_the_page(bank, client):
    import csv
    import io

    from openpyxl import load_workbook

    _biobank, technician, donor = bank
    rows = [serum_row(donor, "serum-2024", quantity=f"lots-{n}") for n in range(3)]
    job = api(technician).post(
        "/api/v1/specimen-imports/", {"biobank": "bank-a", "content": csv_bytes(rows).decode()}, format="json"
    ).json()  # fmt: skip
    page_url = f"/specimens/bank-a/imports/{job['id']}/"
    client.force_login(technician)

    assert f"{page_url}?format=csv" in client.get(page_url).content.decode().replace("&amp;", "&")
    exported = b"".join(client.get(page_url, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    found = list(csv.reader(io.StringIO(exported)))
    assert found[0] == ["Row", "Column", "Value", "Message"]
    assert [(row[0], row[1], row[2]) for row in found[1:]] == [("2", "quantity", "lots-0"), ("3", "quantity", "lots-1"),
                                                                ("4", "quantity", "lots-2")]  # fmt: skip
    response = client.get(page_url, {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert len(list(workbook.worksheets[0].iter_rows(values_only=True))) == 4
    client.force_login(make_member(make_biobank(code="bank-b"), "technician"))
    assert client.get(page_url, {"format": "csv"}).status_code == 404
