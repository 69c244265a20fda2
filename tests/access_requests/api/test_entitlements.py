"""The API verbs on conditions, entitlements and reports: who may call them, idempotency, the state answered."""

from __future__ import annotations

import pytest

from access_requests.choices import RequestStatus, ResourceStatus
from access_requests.models import Entitlement, Report
from tests.access_requests.entitle_factories import accept_both, make_conditions_indicated, make_granted
from tests.access_requests.factories import make_committee, make_researcher

pytestmark = pytest.mark.django_db


def _url(g, verb: str) -> str:
    return f"/api/v1/access-requests/{g.request.pk}/{verb}"


def test_the_researcher_accepts_conditions_through_the_api(biobank_a, login):
    g = make_conditions_indicated(biobank_a)
    response = login(g.researcher).post(
        _url(g, "accept-conditions"),
        {
            "resource": g.resource.pk,
            "role": "researcher",
            "name": "Rita Searcher",
            "confirm": True,
            "version": g.agreement.version,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["version"] == g.agreement.version
    assert response.json()["resource_status"] == ResourceStatus.CONDITIONS_INDICATED


def test_a_foreign_researcher_gets_404(biobank_a, login):
    g = make_conditions_indicated(biobank_a)
    client = login(make_researcher())
    body = {"resource": g.resource.pk, "role": "researcher", "name": "Eve", "confirm": True}
    assert client.post(_url(g, "accept-conditions"), body, format="json").status_code == 404
    assert client.get(_url(g, "reports")).status_code == 404
    assert client.post(_url(g, "close"), {}, format="json").status_code == 404


def test_grant_is_idempotent_and_answers_the_state(biobank_a, login):
    g = make_conditions_indicated(biobank_a)
    accept_both(g)
    client = login(g.chair)
    first = client.post(_url(g, "grant"), {"resource": g.resource.pk}, format="json")
    again = client.post(_url(g, "grant"), {"resource": g.resource.pk}, format="json")
    assert first.status_code == again.status_code == 200, first.content
    assert first.json()["status"] == RequestStatus.ACTIVE
    assert first.json()["resources"][0]["status"] == ResourceStatus.ACCESS_GRANTED
    assert Entitlement.objects.count() == 1
    replay = client.post(_url(g, "grant"), {"resource": g.resource.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    replayed = client.post(_url(g, "grant"), {"resource": g.resource.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert replayed["Idempotent-Replayed"] == "true" and replayed.content == replay.content


def test_a_chair_of_biobank_b_cannot_grant_a_resource_of_a(biobank_a, biobank_b, login):
    g = make_conditions_indicated(biobank_a)
    accept_both(g)
    _committee, chair_b, _ = make_committee(biobank_b)
    response = login(chair_b).post(_url(g, "grant"), {"resource": g.resource.pk}, format="json")
    assert response.status_code == 404
    assert not Entitlement.objects.exists()


def test_a_member_may_read_but_not_grant(biobank_a, login):
    g = make_conditions_indicated(biobank_a)
    accept_both(g)
    response = login(g.members[0]).post(_url(g, "grant"), {"resource": g.resource.pk}, format="json")
    assert response.status_code == 403


def test_revoke_needs_a_reason_and_removes_access(biobank_a, login):
    g = make_granted(biobank_a)
    client = login(g.chair)
    assert client.post(_url(g, "revoke"), {"resource": g.resource.pk}, format="json").status_code == 400
    response = client.post(_url(g, "revoke"), {"resource": g.resource.pk, "reason": "Misuse."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == RequestStatus.REVOKED
    assert response.json()["entitlements"][0]["running"] is False


def test_renew_without_a_report_is_409(biobank_a, login):
    g = make_granted(biobank_a)
    response = login(g.chair).post(_url(g, "renew"), {"until": "2099-01-01"}, format="json")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/problem+json")


def test_reports_normalise_the_doi_and_close_needs_destruction(biobank_a, login):
    g = make_granted(biobank_a, data_categories=["phenotype"])
    client = login(g.researcher)
    bad = client.post(_url(g, "reports"), {"kind": "publication", "title": "P", "doi": "doi 10/x"}, format="json")
    assert bad.status_code == 400
    made = client.post(
        _url(g, "reports"),
        {"kind": "publication", "title": "Plasma markers", "doi": "https://doi.org/10.1089/bio.2017.0109"},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["doi"] == "10.1089/bio.2017.0109"
    assert client.post(_url(g, "close"), {}, format="json").status_code == 409
    client.post(_url(g, "reports"), {"kind": "destruction", "title": "Deleted", "text": "All gone."}, format="json")
    closed = client.post(_url(g, "close"), {}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == RequestStatus.CLOSED
    assert client.post(_url(g, "close"), {}, format="json").status_code == 200  # again: the state
    listed = login(g.chair).get(_url(g, "reports"))
    assert [r["kind"] for r in listed.json()["results"]] == ["publication", "destruction"]
    assert Report.objects.count() == 2
