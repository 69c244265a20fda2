"""The auditor's pages: the filtered trail with the last verification, the CSV export, and an object's history."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from biobank.audit.models import AuditEvent, AuditOutbox, AuditVerification
from biobank.audit.services import audit_drain, audit_verification_run
from catalog import services as catalog_services
from tests.audit.factories import chain_of


@pytest.fixture
def collection(biobank_a, admin_a):
    collection = catalog_services.collection_create(actor=admin_a, biobank=biobank_a, code="crc", name="CRC")
    catalog_services.collection_update(actor=admin_a, collection=collection, name="Colorectal")
    audit_drain()
    return collection


def test_the_auditor_sees_their_biobanks_events_with_changes(client, auditor_a, collection, biobank_b):
    catalog_services.collection_create(actor=None, biobank=biobank_b, code="lung", name="Secret lung")
    audit_drain()
    client.force_login(auditor_a)
    page = client.get("/audit/").content.decode()
    assert "collection.update" in page
    assert "Colorectal" in page
    assert "Secret lung" not in page


def test_the_filters_apply_to_the_page(client, auditor_a, collection):
    client.force_login(auditor_a)
    page = client.get("/audit/", {"action": "collection.update"}).content.decode()
    assert "collection.update" in page
    assert "<code>collection.create</code>" not in page


def test_a_bad_time_range_is_explained_on_the_page(client, auditor_a, collection):
    client.force_login(auditor_a)
    page = client.get("/audit/", {"from": "2025-02-01T00:00", "to": "2025-01-01T00:00"}).content.decode()
    assert "must be earlier" in page


def test_every_filter_has_a_label(client, auditor_a):
    client.force_login(auditor_a)
    page = client.get("/audit/").content.decode()
    for name in ("object_type", "object_id", "actor", "action", "biobank", "from", "to"):
        assert f'<label for="id_{name}">' in page


def test_the_page_shows_the_last_verification(client, auditor_a, collection):
    client.force_login(auditor_a)
    assert "has not been verified yet" in client.get("/audit/").content.decode()
    audit_verification_run(actor="system:test")
    page = client.get("/audit/").content.decode()
    assert "Intact" in page
    assert f"{AuditVerification.objects.get().count} entries verified" in page


def test_the_list_page_query_count_does_not_grow_with_the_events(client, auditor_a, biobank_a):
    client.force_login(auditor_a)
    chain_of(3, biobank=biobank_a)
    client.get("/audit/")  # warms the content-type cache
    with CaptureQueriesContext(connection) as few:
        assert client.get("/audit/").status_code == 200
    chain_of(45, biobank=biobank_a)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/audit/").status_code == 200
    assert len(few) == len(many)
    # session, user, auditor check, events (biobank joined), their count and the page's place among them (one
    # aggregate), last verification, the layout's navigation, the biobank choices of the filter
    assert len(many) == 8


def test_older_events_are_one_link_away(client, auditor_a, biobank_a):
    chain_of(55, biobank=biobank_a)
    client.force_login(auditor_a)
    page = client.get("/audit/").content.decode()
    assert 'rel="next"' in page
    newest = AuditEvent.objects.filter(biobank=biobank_a).order_by("-seq")[50].seq
    older = client.get("/audit/", {"before": newest + 1}).content.decode()
    assert f'<th scope="row">{newest}</th>' in older


def test_the_pages_say_where_they_are_and_lead_both_ways(client, auditor_a, biobank_a):
    chain_of(120, biobank=biobank_a, action="paging.test")
    client.force_login(auditor_a)
    seqs = list(AuditEvent.objects.filter(action="paging.test").order_by("-seq").values_list("seq", flat=True))

    def page(**position) -> str:
        return client.get("/audit/", {"action": "paging.test", **position}).content.decode()

    first = page()
    assert "Events 1\u201350 of 120" in first
    assert f'href="?action=paging.test&amp;before={seqs[49]}" rel="next"' in first
    assert 'rel="prev"' not in first

    second = page(before=seqs[49])
    assert "Events 51\u2013100 of 120" in second
    assert f'<th scope="row">{seqs[50]}</th>' in second and f'<th scope="row">{seqs[49]}</th>' not in second
    assert f'href="?action=paging.test&amp;after={seqs[50]}" rel="prev"' in second
    assert f'href="?action=paging.test&amp;before={seqs[99]}" rel="next"' in second

    last = page(before=seqs[99])
    assert "Events 101\u2013120 of 120" in last
    assert 'rel="next"' not in last
    assert "Events 51\u2013100 of 120" in page(after=seqs[100])
    assert "Events 1\u201350 of 120" in page(after=seqs[30])  # fewer than a page is newer: the first page, full


def test_the_pages_keep_the_filters(client, auditor_a, biobank_a):
    chain_of(60, biobank=biobank_a, action="collection.update")
    chain_of(5, biobank=biobank_a, action="collection.create")
    client.force_login(auditor_a)
    page = client.get("/audit/", {"action": "collection.update"}).content.decode()
    assert "Events 1\u201350 of 60" in page
    assert 'href="?action=collection.update&amp;before=' in page


def test_before_and_after_together_are_a_clear_400(client, auditor_a, biobank_a):
    chain_of(3, biobank=biobank_a)
    client.force_login(auditor_a)
    client.raise_request_exception = False
    response = client.get("/audit/", {"before": "3", "after": "1"})
    assert response.status_code == 400
    assert "not both" in response.content.decode()


def test_every_event_opens_its_changes_in_its_own_row(client, auditor_a, collection):
    client.force_login(auditor_a)
    page = client.get("/audit/", {"object_type": "catalog.collection"}).content.decode()
    assert page.count('<details class="audit-details">') == 2
    assert "1 change<span" in page  # the update names how many fields it changed
    assert "<strong>name</strong>: CRC → Colorectal" in page


def test_the_csv_export_streams_the_filtered_view_and_is_itself_audited(client, auditor_a, collection, biobank_a):
    client.force_login(auditor_a)
    response = client.get("/audit/export.csv", {"object_type": "catalog.collection"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["action"] for row in rows] == ["collection.update", "collection.create"]
    assert rows[0]["changes"] == '{"name":["CRC","Colorectal"]}'
    assert rows[0]["occurred_at"].endswith("Z")
    export = AuditOutbox.objects.get(action="audit.export")
    assert export.actor_label == auditor_a.email
    assert export.biobank_id == biobank_a.pk
    assert export.details == {"filters": {"object_type": "catalog.collection"}, "format": "csv"}


def test_the_csv_export_defuses_spreadsheet_formulas(client, auditor_a, biobank_a):
    from django.db import transaction

    from biobank.audit.services import audit_record

    with transaction.atomic():
        audit_record(actor="system:test", action="thing.touch", biobank=biobank_a, reason='=HYPERLINK("x")')
    audit_drain()
    client.force_login(auditor_a)
    body = b"".join(client.get("/audit/export.csv").streaming_content).decode()
    assert "'=HYPERLINK" in body


def test_a_technician_cannot_open_the_trail(client, technician_a):
    client.force_login(technician_a)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
    assert not AuditOutbox.objects.filter(action="audit.export").exists()


def test_an_objects_history_shows_its_timeline_with_diffs(client, auditor_a, collection):
    client.force_login(auditor_a)
    page = client.get(f"/audit/history/catalog.collection/{collection.pk}/").content.decode()
    assert "<del>CRC</del>" in page and "<ins>Colorectal</ins>" in page
    assert "<html" in page


def test_the_history_partial_is_served_to_htmx(client, auditor_a, collection):
    client.force_login(auditor_a)
    partial = client.get(f"/audit/history/catalog.collection/{collection.pk}/", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert "<ins>Colorectal</ins>" in partial.content.decode()


def test_the_history_of_another_biobanks_object_is_empty(client, auditor_b, collection):
    client.force_login(auditor_b)
    page = client.get(f"/audit/history/catalog.collection/{collection.pk}/").content.decode()
    assert "Colorectal" not in page
    assert "No recorded events" in page
