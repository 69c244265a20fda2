"""Every list as CSV and XLSX (biobank/web/export.py): the export has every row the page's filters give (not just
the first page), only what the person may see, opens in a spreadsheet, is guarded against formulas, and runs the
same number of queries however many rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from biobank.audit.models import AuditOutbox
from biobank.web.export import Column, cell, csv_lines, export_links
from consent.models import Donor
from tests.consent.factories import make_donor
from tests.permission_world import World, world_of_two_biobanks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_activity_stamp(monkeypatch):
    """The session's last-activity stamp is rewritten once a minute (three queries): not inside a counted request."""
    monkeypatch.setattr("biobank.accounts.middleware.ACTIVITY_RESOLUTION", 10**9)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    yield from world_of_two_biobanks(django_db_blocker, tmp_path_factory)


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")  # the BOM: spreadsheet programs read UTF-8
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def xlsx_rows(response: Any) -> list[list[Any]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    return [
        ["" if v is None else v for v in row]
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]


# --- the cells ---


def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe():
    for text in ('=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert cell(text) == "'" + text
    assert cell("Serum") == "Serum" and cell(-2) == -2 and cell(None) == ""


def test_times_are_utc_iso_8601_and_dates_iso():
    assert cell(datetime(2026, 12, 7, 10, 30, tzinfo=UTC)) == "2026-12-07T10:30:00Z"
    assert cell(date(2026, 1, 2)) == "2026-01-02"
    assert cell(["a", "b"]) == "a, b"


def test_csv_starts_with_a_bom_and_quotes_what_needs_it():
    lines = "".join(csv_lines(["Name"], [["a, b"], ["x"]]))
    assert lines == '\ufeffName\r\n"a, b"\r\nx\r\n'


def test_a_column_reads_attribute_paths_and_functions():
    row = type("Row", (), {"biobank": type("B", (), {"name": "Münster"})(), "label": lambda self: "L"})()
    assert Column("B", "biobank.name").read(row) == "Münster"
    assert Column("L", "label").read(row) == "L"
    assert Column("F", lambda r: 1).read(row) == 1


def test_export_links_carry_the_filters_but_not_the_position(rf):
    links = export_links(rf.get("/consent/x/donors/", {"pid": "AB", "before": "9", "format": "csv"}))
    assert links == {"csv": "/consent/x/donors/?pid=AB&format=csv", "xlsx": "/consent/x/donors/?pid=AB&format=xlsx"}


# --- the donor list ---


def donors_url(world: World, **query: str) -> str:
    url = reverse("consent:donor_list", args=[world.a.biobank.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_donor_export_has_every_row_of_every_page(world, monkeypatch):
    monkeypatch.setattr("consent.views.donors.PAGE_SIZE", 1)  # the page shows one donor
    client = world.client("consent_officer")
    page = client.get(donors_url(world)).content.decode()
    assert "Older donors" in page and "format=csv" in page and "format=xlsx" in page
    rows = csv_rows(client.get(donors_url(world, format="csv")))
    expected = sorted(d.pid_display for d in Donor.objects.filter(biobank=world.a.biobank))
    assert rows[0] == ["PID", "Sex", "Born (year/month)", "Status", "Registered"]
    assert sorted(row[0] for row in rows[1:]) == expected and len(expected) >= 2
    assert not {d.pid_display for d in Donor.objects.filter(biobank=world.b.biobank)} & {r[0] for r in rows}


def test_the_donor_export_keeps_the_pages_filter_and_is_audited(world):
    client = world.client("consent_officer")
    pid = world.a.donor.pid_display
    rows = xlsx_rows(client.get(donors_url(world, pid=pid, format="xlsx")))
    assert [row[0] for row in rows] == ["PID", pid]
    event = AuditOutbox.objects.filter(action="donor.export").latest("pk")
    assert event.biobank_id == world.a.biobank.pk and event.details == {"filters": {"pid": pid}, "format": "xlsx"}


def test_the_donor_export_shows_no_identity(world):
    text = body(world.client("identity_steward").get(donors_url(world, format="csv"))).decode()
    assert "Schmidt" not in text and "MRN-0012345" not in text and "1970-03-07" not in text


@pytest.mark.parametrize("persona, status", [("technician", 403), ("researcher", 404), ("anonymous", 302)])
def test_who_may_not_see_the_donor_list_gets_no_export(world, persona, status):
    assert world.client(persona).get(donors_url(world, format="csv")).status_code == status


def test_another_biobanks_donor_list_is_404_for_its_export_too(world):
    url = reverse("consent:donor_list", args=[world.b.biobank.code]) + "?format=csv"
    assert world.client("consent_officer").get(url).status_code == 404


def _export_queries(client: Any, url: str) -> int:
    body(client.get(url))  # warm
    with CaptureQueriesContext(connection) as queries:
        body(client.get(url))  # the streamed rows are read inside the capture
    return len(queries)


def test_the_export_runs_the_same_queries_however_many_rows(world):
    client = world.client("consent_officer")
    url = donors_url(world, format="csv")
    before = _export_queries(client, url)
    for _ in range(5):
        make_donor(world.a.biobank)
    assert _export_queries(client, url) == before
    assert len(csv_rows(client.get(url))) == Donor.objects.filter(biobank=world.a.biobank).count() + 1


# --- the other lists: the export's rows are the page's rows, in the page's scope ---


def test_the_member_export_lists_the_biobanks_members_and_their_roles(world):
    client = world.client("technician")
    url = reverse("web:members", args=[world.a.biobank.code])
    assert f"{url}?format=xlsx" in client.get(url).content.decode()
    rows = xlsx_rows(client.get(url, {"format": "xlsx"}))
    assert rows[0] == ["Person", "E-mail", "Roles"]
    emails = {row[1] for row in rows[1:]}
    assert world.users["technician"].email in emails and world.b.admin.email not in emails
    assert (
        world.client("technician")
        .get(reverse("web:members", args=[world.b.biobank.code]), {"format": "csv"})
        .status_code
        == 404
    )


def test_the_member_export_runs_the_same_queries_however_many_members(world):
    from biobank.accounts.choices import Role
    from tests.accounts.factories import make_member

    client = world.client("biobank_admin")
    url = reverse("web:members", args=[world.a.biobank.code]) + "?format=csv"
    before = _export_queries(client, url)
    for n in range(3):
        make_member(world.a.biobank, Role.TECHNICIAN, email=f"export-extra-{n}@example.org")
    assert _export_queries(client, url) == before


def test_the_token_export_never_holds_a_secret_and_needs_the_token_permission(world):
    url = reverse("web:tokens", args=[world.a.biobank.code])
    text = body(world.client("biobank_admin").get(url, {"format": "csv"})).decode()
    assert "LIS a" in text and world.secrets["token"] not in text and "LIS b" not in text
    assert world.client("technician").get(url, {"format": "csv"}).status_code == 403


def test_the_collection_export_lists_what_the_person_may_see(world):
    url = reverse("catalog:collection_list")
    rows = csv_rows(world.client("technician").get(url, {"format": "csv"}))
    assert rows[0] == ["Name", "Description", "Code", "Biobank", "Last changed"]
    assert [row[2] for row in rows[1:]] == [world.a.collection.code]
    assert csv_rows(world.client("researcher").get(url, {"format": "csv"}))[1:] == []


def test_the_researchers_requests_and_the_committee_queue_export(world):
    from biobank.accounts.models import User
    from tests.access_requests.factories import make_request

    researcher = User.objects.get(email="matrix-researcher@example.org")
    mine = make_request(researcher, [world.a.biobank], status="active")
    make_request(researcher, [world.b.biobank], status="active")
    rows = csv_rows(world.client("researcher").get(reverse("access_requests:my_requests"), {"format": "csv"}))
    assert rows[0] == ["Number", "Title", "Status", "What it waits for"] and len(rows) == 3
    queue = xlsx_rows(world.client("dac_member").get(reverse("access_requests:review_queue"), {"format": "xlsx"}))
    assert [row[0] for row in queue[1:]] == [mine.number]  # only the committee's biobank (A)
    assert (
        csv_rows(world.client("technician").get(reverse("access_requests:review_queue"), {"format": "csv"}))[1:] == []
    )


def test_the_campaign_export_needs_view_donors(world):
    url = reverse("consent:campaign_list", args=[world.a.biobank.code])
    assert csv_rows(world.client("auditor").get(url, {"format": "csv"}))[0][0] == "Campaign"
    assert world.client("technician").get(url, {"format": "csv"}).status_code == 403


def test_an_unknown_format_is_the_page(world):
    response = world.client("consent_officer").get(donors_url(world, format="pdf"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


# --- the audit trail: the same mechanism (its CSV keeps its address, XLSX is new) ---


def test_the_audit_export_speaks_both_formats_and_records_which(world):
    client = world.client("auditor")
    rows = xlsx_rows(client.get(reverse("audit:events"), {"action": "donor.register", "format": "xlsx"}))
    assert rows[0][:2] == ["seq", "occurred_at"] and len(rows) > 1
    assert {row[6] for row in rows[1:]} == {"donor.register"} and all(row[1].endswith("Z") for row in rows[1:])
    event = AuditOutbox.objects.filter(action="audit.export").latest("pk")
    assert event.details == {"filters": {"action": "donor.register"}, "format": "xlsx"}
    assert csv_rows(client.get(reverse("audit:export")))[0][0] == "seq"
    assert world.client("technician").get(reverse("audit:events"), {"format": "csv"}).status_code == 403


def test_the_specimen_list_exports_from_its_own_url_too(world):
    url = reverse("specimens:specimen_list", args=[world.a.biobank.code])
    rows = xlsx_rows(world.client("technician").get(url, {"format": "xlsx", "status": "available"}))
    barcodes = {row[0] for row in rows[1:]}
    assert world.a.specimen.barcode in barcodes and world.a.shipped.barcode not in barcodes
    assert world.b.specimen.barcode not in barcodes


# --- every biobank list: each exported row is on the page; another biobank's list is 404, a missing right 403 ---

BIOBANK_LISTS = [
    # (URL name, who reads it, who is refused)
    ("consent:donor_list", "auditor", "technician"),
    ("consent:template_list", "consent_officer", "technician"),
    ("consent:policy_list", "consent_officer", "auditor"),
    ("consent:module_list", "consent_officer", "auditor"),
    ("consent:qc_queue", "consent_officer", "technician"),
    ("consent:campaign_list", "consent_officer", "technician"),
    ("specimens:import_list", "technician", "auditor"),
    ("specimens:specimen_list", "technician", "identity_steward"),
    ("web:members", "auditor", None),
    ("web:tokens", "biobank_admin", "technician"),
    ("consent:duplicate_list", "identity_steward", "auditor"),
    ("consent:message_list", "consent_officer", "technician"),
    ("specimens:storage", "technician", "identity_steward"),
    ("specimens:shipment_decisions", "auditor", "identity_steward"),
    ("access_requests:webhooks", "biobank_admin", "technician"),
    ("access_requests:agreement_list", "technician", None),
    ("catalog_manage:biobank", "data_manager", "consent_officer"),
    # The committee's members (its page lists them only once the committee exists), the catalogue-management index
    # and the donor's own messages (no biobank in their URLs): tests/web/test_export_lists.py.
]


@pytest.mark.parametrize("name, reader, refused", BIOBANK_LISTS)
def test_each_list_exports_what_its_page_shows(world, name, reader, refused):
    import html

    url = reverse(name, args=[world.a.biobank.code])
    client = world.client(reader)
    page = html.unescape(client.get(url).content.decode())
    assert "format=csv" in page and "format=xlsx" in page  # the page's export links
    rows = csv_rows(client.get(url, {"format": "csv"}))
    for row in rows[1:]:
        first = row[0].removeprefix("'")
        assert first.split(" v")[0] in page, (name, first)
    xlsx = xlsx_rows(client.get(url, {"format": "xlsx"}))
    assert len(xlsx) == len(rows)
    foreign = reverse(name, args=[world.b.biobank.code])
    assert client.get(foreign, {"format": "csv"}).status_code == 404
    if refused is not None:
        assert world.client(refused).get(url, {"format": "csv"}).status_code == 403


def test_notifications_export_only_the_persons_own(world):
    from access_requests.models import Notification
    from tests.access_requests.factories import make_request

    researcher, other = world.users["researcher"], world.users["dac_member"]
    request = make_request(researcher, [world.a.biobank], status="active")
    Notification.objects.filter(user__in=[researcher, other]).delete()
    event = request.events.first()
    Notification.objects.create(user=researcher, request=request, event=event, text="=mine", url="/requests/")
    Notification.objects.create(user=other, request=request, event=event, text="theirs", url="/requests/")
    rows = csv_rows(world.client("researcher").get(reverse("access_requests:notifications"), {"format": "csv"}))
    assert [row[1] for row in rows[1:]] == ["'=mine"] and rows[1][3] == request.number


def test_a_worklist_exports_all_its_specimens_audited_like_the_specimen_list(world):
    url = reverse("specimens:worklist", args=[world.a.biobank.code, "to_process"])
    client = world.client("technician")
    assert "format=xlsx" in client.get(url).content.decode()
    rows = csv_rows(client.get(url, {"format": "csv"}))
    assert rows[0][0] == "barcode" and world.b.specimen.barcode not in {row[0] for row in rows}
    event = AuditOutbox.objects.filter(action="specimen.export").latest("pk")
    assert event.details == {"filters": {"worklist": "to_process"}, "format": "csv"}
    foreign = reverse("specimens:worklist", args=[world.b.biobank.code, "to_process"])
    assert client.get(foreign, {"format": "csv"}).status_code == 404


def test_the_duplicates_export_names_no_candidate_and_is_audited(world):
    url = reverse("consent:duplicate_list", args=[world.a.biobank.code])
    text = body(world.client("identity_steward").get(url, {"format": "csv"})).decode()
    assert f"#{world.a.review.pk}" in text and f"#{world.b.review.pk}" not in text
    assert "Schmidt" not in text and "MRN" not in text
    event = AuditOutbox.objects.filter(action="donor.export").latest("pk")
    assert event.details == {"filters": {"list": "duplicates"}, "format": "csv"}
