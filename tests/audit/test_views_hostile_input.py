"""The auditor's pages answer hostile input with a clear 400, and no recorded event can break them (issue 9, 16)."""

from __future__ import annotations

import pytest
from django.test import Client

from biobank.audit.models import AuditEvent
from biobank.audit.services import audit_drain
from tests.accounts.factories import bearer, make_token
from tests.audit.factories import chain_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(auditor_a) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(auditor_a)
    return client


def test_a_nul_byte_in_the_history_address_is_a_400_that_says_so(auditor_client):
    response = auditor_client.get("/audit/history/consent.donor/12%00/")

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_byte_in_a_filter_of_the_trail_is_a_400(auditor_client):
    response = auditor_client.get("/audit/", {"object_id": "12\x00"})

    assert response.status_code == 400
    assert "object_id" in response.content.decode()


def test_a_non_ascii_digit_as_the_page_position_of_the_trail_is_a_400_that_says_what_is_allowed(
    auditor_client, biobank_a
):
    chain_of(3, biobank=biobank_a)
    response = auditor_client.get("/audit/", {"before": "²"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "before" in page and "0-9" in page
    assert auditor_client.get("/audit/", {"before": "3"}).status_code == 200
    newer = auditor_client.get("/audit/", {"after": "²"})
    assert newer.status_code == 400
    assert "after" in newer.content.decode()
    assert auditor_client.get("/audit/", {"after": "1"}).status_code == 200


def test_a_refused_request_at_a_path_with_slashes_shows_on_the_trail_as_text(auditor_client, biobank_a):
    """A partner token of biobank A without ``manage_consent`` tries to register a donor: the 403 is recorded with
    the path as object id, and the auditor's page, which links every object to its history, must still open."""
    token = bearer(make_token(biobank_a, "view_biobank"))
    assert token.post("/api/v1/donors/", {"biobank": "biobank-a"}, format="json").status_code == 403
    audit_drain()
    assert AuditEvent.objects.filter(action="access.denied", object_id="/api/v1/donors/").exists()

    response = auditor_client.get("/audit/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "http.path #/api/v1/donors/" in page
    assert 'href="/audit/history/http.path/' not in page


def test_a_visitor_who_is_not_signed_in_gets_the_same_clear_400(db):
    response = Client(raise_request_exception=False).get("/accounts/login/?next=/audit/%00")

    assert response.status_code == 400
    assert "The query parameter next contains a NUL byte" in response.content.decode()
