"""Every API error is RFC 9457 application/problem+json, and a refused request writes nothing."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import override_settings
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from biobank.accounts.models import Membership
from biobank.urls import handler400
from catalog.models import Collection

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int, problem_type: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"] == f"/api/problems/{problem_type}"
    assert body["title"] and body["detail"]
    assert body["instance"] == response.wsgi_request.path
    assert body["request_id"] == response["X-Request-ID"]
    return body


def _snapshot():
    return (Collection.objects.count(), Membership.objects.count(), list(Collection.objects.values_list("name")))


@pytest.fixture
def admin_client(admin_a, login):
    return login(admin_a)


def test_missing_fields_are_a_400_with_one_pointer_per_field(admin_client, collection_a):
    before = _snapshot()

    body = assert_problem(admin_client.post("/api/v1/collections/", {}), 400, "validation-error")

    assert {e["pointer"] for e in body["errors"]} == {"/biobank", "/code", "/name"}
    assert all(e["code"] == "required" for e in body["errors"])
    assert "/name: This field is required." in body["detail"]
    assert _snapshot() == before


def test_an_unknown_field_is_named_with_what_is_allowed(admin_client, collection_a):
    before = _snapshot()

    body = assert_problem(
        admin_client.patch(f"/api/v1/collections/{collection_a.pk}/", {"code": "renamed", "nmae": "x"}),
        400,
        "validation-error",
    )

    errors = {e["pointer"]: e for e in body["errors"]}
    assert set(errors) == {"/code", "/nmae"}
    assert "allowed: name, description" in errors["/code"]["message"]
    assert errors["/code"]["code"] == "unknown_field"
    assert _snapshot() == before


def test_an_empty_update_says_what_may_be_sent(admin_client, collection_a):
    body = assert_problem(admin_client.patch(f"/api/v1/collections/{collection_a.pk}/", {}), 400, "validation-error")

    assert body["errors"][0]["pointer"] == "/"
    assert "name, description" in body["errors"][0]["message"]


def test_a_body_that_is_not_an_object_is_a_400(admin_client):
    body = assert_problem(admin_client.post("/api/v1/collections/", [1, 2], format="json"), 400, "validation-error")

    assert body["errors"][0]["pointer"] == "/"


def test_a_business_rule_broken_in_the_service_is_a_400_naming_the_field(admin_client):
    before = _snapshot()

    body = assert_problem(
        admin_client.post("/api/v1/collections/", {"biobank": "biobank-a", "code": "Not A Code!", "name": "X"}),
        400,
        "invalid-request",
    )

    assert body["errors"][0]["pointer"] == "/code"
    assert _snapshot() == before


def test_malformed_json_is_a_400_problem(admin_client):
    before = _snapshot()

    response = admin_client.generic("POST", "/api/v1/collections/", '{"biobank": "biobank-a",', "application/json")

    body = assert_problem(response, 400, "malformed-request")
    assert "JSON parse error" in body["detail"]
    assert _snapshot() == before


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_wrong_content_type_is_a_415_problem(admin_client, content_type):
    before = _snapshot()

    response = admin_client.generic(
        "POST", "/api/v1/collections/", "biobank=biobank-a&code=c-1&name=C", f"{content_type}; boundary=x"
    )

    body = assert_problem(response, 415, "unsupported-media-type")
    assert content_type in body["detail"]
    assert _snapshot() == before


def test_no_credentials_is_a_401_problem_with_a_bearer_challenge():
    response = APIClient().get("/api/v1/collections/")

    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_missing_permission_on_a_visible_object_is_a_403_problem(technician_a, login, collection_a):
    before = _snapshot()

    body = assert_problem(
        login(technician_a).patch(f"/api/v1/collections/{collection_a.pk}/", {"name": "N"}), 403, "permission-denied"
    )

    assert "manage_catalog" in body["detail"]
    assert _snapshot() == before


def test_a_foreign_object_is_a_404_problem_that_reads_like_a_missing_one(outsider, login, collection_a):
    client = login(outsider)

    foreign = assert_problem(client.get(f"/api/v1/collections/{collection_a.pk}/"), 404, "not-found")
    missing = assert_problem(client.get("/api/v1/collections/999999/"), 404, "not-found")

    assert foreign["detail"].replace(str(collection_a.pk), "N") == missing["detail"].replace("999999", "N")


def test_an_unknown_api_path_is_a_404_problem(admin_client):
    body = assert_problem(admin_client.get("/api/v1/no-such-thing/"), 404, "not-found")

    assert "/api/v1/no-such-thing/" in body["detail"]


def test_an_unknown_api_path_is_a_404_problem_even_without_credentials():
    assert_problem(APIClient().get("/api/v2/collections/"), 404, "not-found")


@pytest.mark.parametrize("method", ["put", "delete"])
def test_an_unsupported_method_is_a_405_problem(admin_client, collection_a, method):
    before = _snapshot()

    response = getattr(admin_client, method)(f"/api/v1/collections/{collection_a.pk}/", {"name": "N"})

    assert_problem(response, 405, "method-not-allowed")
    assert "GET" in response["Allow"] and "PATCH" in response["Allow"]
    assert _snapshot() == before


def test_a_duplicate_code_is_a_409_problem(admin_client, collection_a):
    before = _snapshot()

    body = assert_problem(
        admin_client.post("/api/v1/collections/", {"biobank": "biobank-a", "code": "crc-2024", "name": "Again"}),
        409,
        "conflict",
    )

    assert body["errors"][0]["pointer"] == "/code"
    assert "crc-2024" in body["detail"]
    assert _snapshot() == before


def test_a_stale_if_match_is_a_412_problem(admin_client, collection_a):
    before = _snapshot()

    response = admin_client.patch(
        f"/api/v1/collections/{collection_a.pk}/", {"name": "Mine"}, HTTP_IF_MATCH='"an-old-version"'
    )

    assert_problem(response, 412, "precondition-failed")
    assert _snapshot() == before


def test_too_many_requests_is_a_429_problem_with_retry_after(token_client, biobank_a):
    client = token_client(biobank_a, "view_biobank")
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "principal": "2/minute"}
    with override_settings(REST_FRAMEWORK={**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates}):
        assert client.get("/api/v1/me/").status_code == 200
        assert client.get("/api/v1/me/").status_code == 200
        response = client.get("/api/v1/me/")

    body = assert_problem(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert body["retry_after"] == int(response["Retry-After"])


def test_throttling_counts_each_token_separately(token_client, biobank_a):
    first, second = token_client(biobank_a, "view_biobank"), token_client(biobank_a, "view_biobank")
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "principal": "1/minute"}
    with override_settings(REST_FRAMEWORK={**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates}):
        assert first.get("/api/v1/me/").status_code == 200
        assert first.get("/api/v1/me/").status_code == 429
        assert second.get("/api/v1/me/").status_code == 200


def test_an_unexpected_error_is_a_500_problem_without_internals(admin_a, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("catalog.selectors.collections_visible_to", broken)
    client = APIClient(raise_request_exception=False)
    client.force_login(admin_a)

    response = client.get("/api/v1/collections/")

    body = assert_problem(response, 500, "server-error")
    assert response["X-Request-ID"] in body["detail"]
    assert "secret internals" not in response.content.decode()


def test_a_host_header_outside_allowed_hosts_is_a_400_invalid_host_problem():
    response = APIClient().get("/api/v1/sprec/SER-SST-A-B-N-A-E/", HTTP_HOST="evil.example")

    body = assert_problem(response, 400, "invalid-host")
    assert body["title"] == "Invalid host header"
    assert "Host header" in body["detail"]
    assert body["errors"] == [{"pointer": "/", "message": body["detail"], "code": "invalid_host"}]


def test_a_nul_byte_in_the_query_is_a_malformed_request_not_a_malformed_body():
    response = APIClient().get("/api/v1/sprec/SER-SST-A-B-N-A-E/?kind=%00")

    body = assert_problem(response, 400, "malformed-request")
    assert body["title"] == "Malformed request"
    assert body["errors"][0]["pointer"] == "/kind"


def test_another_suspicious_request_under_the_api_is_a_400_bad_request_problem(rf):
    response = handler400(rf.get("/api/v1/me/"), SuspiciousOperation("internal text, not for clients"))

    assert (response.status_code, response["Content-Type"]) == (400, "application/problem+json")
    body = json.loads(response.content)
    assert (body["type"], body["title"]) == ("/api/problems/bad-request", "Bad request")
    assert "internal text" not in body["detail"]
