"""``/api/v1/audit-events/``: auditors read their own biobanks' events; everyone else reads nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from biobank.audit.models import AuditEvent
from biobank.audit.services import audit_drain
from catalog import services as catalog_services
from tests.accounts.factories import make_token

URL = "/api/v1/audit-events/"


@pytest.fixture(autouse=True)
def _fresh_throttle_buckets():
    cache.clear()


@pytest.fixture
def trail(biobank_a, biobank_b, admin_a):
    """A change in each biobank, chained."""
    collection = catalog_services.collection_create(actor=admin_a, biobank=biobank_a, code="crc", name="CRC")
    catalog_services.collection_update(actor=admin_a, collection=collection, name="Colorectal")
    catalog_services.collection_create(actor=None, biobank=biobank_b, code="lung", name="Lung")
    audit_drain()
    return collection


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def seqs(response) -> set[int]:
    return {event["seq"] for event in response.json()["results"]}


def test_an_auditor_sees_the_events_of_their_own_biobank_only(trail, auditor_a, biobank_a):
    response = as_user(auditor_a).get(URL)
    assert response.status_code == 200
    assert seqs(response) == set(AuditEvent.objects.filter(biobank=biobank_a).values_list("seq", flat=True))
    assert {event["biobank"] for event in response.json()["results"]} == {"biobank-a"}
    update = next(e for e in response.json()["results"] if e["action"] == "collection.update")
    assert update["changes"] == {"name": ["CRC", "Colorectal"]}
    assert update["actor_label"] == "admin-a@example.org"
    assert len(update["hash"]) == 64


def test_an_event_of_another_biobank_is_not_found(trail, auditor_a, biobank_b):
    foreign = AuditEvent.objects.filter(biobank=biobank_b).first()
    assert as_user(auditor_a).get(f"{URL}{foreign.seq}/").status_code == 404
    own = AuditEvent.objects.filter(biobank__code="biobank-a").first()
    assert as_user(auditor_a).get(f"{URL}{own.seq}/").json()["seq"] == own.seq


def test_a_technician_sees_nothing(trail, technician_a):
    client = as_user(technician_a)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{AuditEvent.objects.first().seq}/").status_code == 404


def test_a_token_without_view_audit_sees_nothing(trail, biobank_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(biobank_a, 'view_biobank', 'view_catalog')}")
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_an_anonymous_caller_gets_401_as_problem_json(trail):
    response = APIClient().get(URL)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")


def test_a_superuser_sees_every_biobank_and_events_of_none(trail, client):
    from tests.accounts.factories import UserFactory

    root = UserFactory(is_superuser=True, is_staff=True)
    assert seqs(as_user(root).get(URL)) == set(AuditEvent.objects.values_list("seq", flat=True))


@pytest.mark.parametrize(
    ("query", "expected_actions"),
    [
        ("action=collection.update", {"collection.update"}),
        ("object_type=catalog.collection", {"collection.create", "collection.update"}),
        ("actor=admin-a@example.org&object_type=catalog.collection", {"collection.create", "collection.update"}),
        ("actor=ADMIN-A@example.org&action=collection.update", {"collection.update"}),
        ("biobank=biobank-a&action=collection.create", {"collection.create"}),
    ],
)
def test_the_filters_narrow_the_list(trail, auditor_a, query, expected_actions):
    response = as_user(auditor_a).get(f"{URL}?{query}")
    assert response.status_code == 200
    assert {event["action"] for event in response.json()["results"]} == expected_actions


def test_filtering_by_object_id_gives_an_objects_history(trail, auditor_a):
    response = as_user(auditor_a).get(f"{URL}?object_type=catalog.collection&object_id={trail.pk}")
    assert [e["action"] for e in response.json()["results"]] == ["collection.update", "collection.create"]


def test_the_time_range_is_from_inclusive_to_exclusive(trail, auditor_a):
    client = as_user(auditor_a)
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    assert client.get(URL, {"from": future}).json()["results"] == []
    assert client.get(URL, {"from": past, "to": future}).json()["results"]
    assert client.get(URL, {"to": past}).json()["results"] == []


def test_a_foreign_biobank_code_in_the_filter_is_refused_like_an_unknown_one(trail, auditor_a):
    foreign = as_user(auditor_a).get(URL, {"biobank": "biobank-b"})
    unknown = as_user(auditor_a).get(URL, {"biobank": "no-such-bank"})
    assert foreign.status_code == unknown.status_code == 400
    assert foreign["Content-Type"].startswith("application/problem+json")
    assert foreign.json()["errors"][0]["pointer"] == "/biobank"


def test_a_malformed_time_is_a_clear_400(trail, auditor_a):
    response = as_user(auditor_a).get(URL, {"from": "yesterday"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/from"


def test_the_list_is_cursor_paginated_newest_first(biobank_a, auditor_a):
    from tests.audit.factories import chain_of

    chain_of(7, biobank=biobank_a)
    client = as_user(auditor_a)
    first = client.get(URL, {"page_size": 3}).json()
    second = client.get(first["next"]).json()
    got = [e["seq"] for e in first["results"] + second["results"]]
    assert got == sorted(got, reverse=True) and len(got) == 6
    assert "cursor=" in first["next"]


def test_the_list_costs_the_same_queries_for_any_page_size(biobank_a, auditor_a, django_assert_max_num_queries):
    from tests.audit.factories import chain_of

    chain_of(60, biobank=biobank_a)
    client = as_user(auditor_a)
    with django_assert_max_num_queries(3):
        client.get(URL, {"page_size": 5})
    with django_assert_max_num_queries(3):
        client.get(URL, {"page_size": 50})


def test_the_schema_documents_the_endpoint_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    assert "/api/v1/audit-events/" in schema
    for parameter in ("object_type", "object_id", "actor", "action", "biobank", "from", "to", "cursor"):
        assert f"name: {parameter}\n" in schema
