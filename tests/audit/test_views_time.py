"""One rule for time on the auditor's pages (issue 16, problem 5): the page shows local time with its zone, the CSV
and the API give UTC (ISO 8601), and the filter's From and To are read in the local time the page shows, also
around the changes of the clocks. The portal's zone in these tests is Europe/Berlin (CET in winter, CEST in summer)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.test import Client

from biobank.audit.models import AuditEvent
from tests.audit.conftest import as_superuser
from tests.audit.factories import chain_of

pytestmark = pytest.mark.django_db
ACTION = "clock.test"


@pytest.fixture(autouse=True)
def _berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def events_at(biobank, *moments: str) -> list[int]:
    """One event per moment (UTC, ISO 8601), oldest first: the database stamps its own time, so it is set after."""
    chain_of(len(moments), biobank=biobank, action=ACTION)
    seqs = sorted(AuditEvent.objects.filter(action=ACTION).values_list("seq", flat=True))
    for seq, moment in zip(seqs, moments, strict=True):
        as_superuser("UPDATE audit_auditevent SET occurred_at = %s WHERE seq = %s", [moment, seq])
    return seqs


def shown(client: Client, **filters: str) -> list[int]:
    response = client.get("/audit/", {"action": ACTION, **filters})
    assert response.status_code == 200
    return sorted(event.seq for event in response.context["events"])


@pytest.fixture
def auditor(client, auditor_a):
    client.force_login(auditor_a)
    return client


def test_a_utc_event_is_shown_in_local_time_with_its_zone(auditor, biobank_a):
    events_at(biobank_a, "2026-12-07T02:15:00Z", "2026-07-01T10:00:00Z")
    page = auditor.get("/audit/").content.decode()
    assert "07/12/2026 03:15 CET" in page
    assert "01/07/2026 12:00 CEST" in page
    assert "Time (UTC)" not in page
    assert "<code>2026-12-07T02:15:00.000000Z</code>" in page  # the exact moment, in UTC, in the expanded details
    assert "Times are shown in local time (Europe/Berlin) with their zone" in page


def test_the_page_shows_german_dates_to_a_german_reader(auditor, biobank_a):
    events_at(biobank_a, "2026-12-07T02:15:00Z")
    page = auditor.get("/audit/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "07.12.2026 03:15 CET" in page


def test_the_csv_gives_the_same_event_in_utc(auditor, biobank_a):
    events_at(biobank_a, "2026-12-07T02:15:00Z")
    body = b"".join(auditor.get("/audit/export.csv", {"action": ACTION}).streaming_content).decode()
    (row,) = csv.DictReader(io.StringIO(body))
    assert row["occurred_at"] == "2026-12-07T02:15:00.000000Z"


def test_the_api_gives_the_same_event_in_utc_and_reads_a_time_without_offset_as_utc(auditor, biobank_a):
    events_at(biobank_a, "2026-12-07T02:15:00Z")
    (event,) = auditor.get("/api/v1/audit-events/", {"action": ACTION}).json()["results"]
    assert event["occurred_at"] == "2026-12-07T02:15:00Z"
    assert auditor.get("/api/v1/audit-events/", {"action": ACTION, "from": "2026-12-07T02:15"}).json()["results"]
    assert not auditor.get("/api/v1/audit-events/", {"action": ACTION, "from": "2026-12-07T02:16"}).json()["results"]


def test_the_filter_reads_local_time(auditor, biobank_a):
    early, late = events_at(biobank_a, "2026-12-07T02:15:00Z", "2026-12-07T02:45:00Z")
    assert shown(auditor, **{"from": "2026-12-07T03:30"}) == [late]  # 03:30 CET is 02:30 UTC
    assert shown(auditor, to="2026-12-07T03:30") == [early]
    page = auditor.get("/audit/", {"from": "2026-12-07T03:30"}).content.decode()
    assert "From (Europe/Berlin time)" in page
    assert "from <time" in page and "07/12/2026 03:30 CET</time>" in page  # what the filter was read as


def test_the_filter_across_the_spring_change(auditor, biobank_a):
    """29 March 2026: at 02:00 CET the clocks go forward to 03:00 CEST (01:00 UTC)."""
    before, at, after = events_at(biobank_a, "2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z")
    page = auditor.get("/audit/").content.decode()
    assert "29/03/2026 01:30 CET" in page and "29/03/2026 03:00 CEST" in page
    assert shown(auditor, **{"from": "2026-03-29T03:00"}) == [at, after]
    assert shown(auditor, **{"from": "2026-03-29T01:30"}) == [before, at, after]
    assert shown(auditor, to="2026-03-29T03:30") == [before, at]


def test_a_time_the_clocks_skipped_is_refused_with_a_reason(auditor, biobank_a):
    events_at(biobank_a, "2026-03-29T00:30:00Z")
    response = auditor.get("/audit/", {"from": "2026-03-29T02:30"})
    assert response.status_code == 200
    assert list(response.context["events"]) == []
    assert "29/03/2026 02:30 did not happen in the time zone Europe/Berlin" in response.content.decode()


def test_the_filter_across_the_autumn_change(auditor, biobank_a):
    """25 October 2026: at 03:00 CEST the clocks go back to 02:00 CET; 02:30 happens twice (00:30 and 01:30 UTC)."""
    first, second, later = events_at(biobank_a, "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-25T02:30:00Z")
    page = auditor.get("/audit/").content.decode()
    assert "25/10/2026 02:30 CEST" in page and "25/10/2026 02:30 CET" in page
    # "From 02:30" starts at its first occurrence, "To 02:30" ends at its second: both events shown as 02:30 count
    assert shown(auditor, **{"from": "2026-10-25T02:30"}) == [first, second, later]
    assert shown(auditor, to="2026-10-25T02:30") == [first]
    assert shown(auditor, **{"from": "2026-10-25T03:00"}) == [later]
    assert shown(auditor, **{"from": "2026-10-25T02:00", "to": "2026-10-25T03:00"}) == [first, second]


def test_an_offset_given_with_the_time_is_honoured(auditor, biobank_a):
    _first, second = events_at(biobank_a, "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z")
    assert shown(auditor, **{"from": "2026-10-25T02:30+01:00"}) == [second]


def test_the_export_file_is_named_in_utc(auditor, biobank_a, time_machine):
    time_machine.move_to(datetime(2026, 12, 7, 2, 15, tzinfo=UTC), tick=False)
    response = auditor.get("/audit/export.csv")
    assert response["Content-Disposition"] == 'attachment; filename="audit-trail-20261207T021500Z.csv"'
