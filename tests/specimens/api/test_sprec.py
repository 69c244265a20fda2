"""The public SPREC endpoints: no login, 200 shapes, 400 problem+json naming each position or fact, never a 500."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from tests.accounts.factories import make_token

pytestmark = pytest.mark.django_db
DERIVE = "/api/v1/sprec/derive/"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _fresh_throttle_buckets():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client() -> APIClient:
    return APIClient()


def test_anyone_decodes_a_code_without_a_login(client):
    response = client.get("/api/v1/sprec/SER-SST-A-B-N-A-E/")

    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["kind"], body["version"]) == ("SER-SST-A-B-N-A-E", "fluid", "3.0")
    assert len(body["elements"]) == 7
    assert body["elements"][0] == {
        "position": 1,
        "element": "Type of sample",
        "letter": "SER",
        "meaning": "Serum",
        "status": None,
    }


def test_an_unverified_code_is_shown_with_its_status(client):
    body = client.get("/api/v1/sprec/CTC-PED-A-B-N-A-E/").json()

    assert body["elements"][0]["status"] == "unverified"


def test_an_invalid_code_is_a_400_problem_with_one_entry_per_position(client):
    response = client.get("/api/v1/sprec/SER-SSQ-Q-B-N-A-9/")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "/api/problems/validation-error"
    assert body["instance"] == "/api/v1/sprec/SER-SSQ-Q-B-N-A-9/"
    assert [(e["pointer"], e["position"], e["value"], e["code"]) for e in body["errors"]] == [
        ("/code/2", 2, "SSQ", "invalid_choice"),
        ("/code/3", 3, "Q", "invalid_choice"),
        ("/code/7", 7, "9", "invalid_choice"),
    ]
    assert "allowed:" in body["errors"][0]["message"]


def test_kind_in_the_query_decodes_as_that_kind(client):
    fluid = client.get("/api/v1/sprec/SER-SST-A-B-N-A-E/?kind=fluid")
    solid = client.get("/api/v1/sprec/CEN-A06-B-B-HST-C-D/?kind=solid")

    assert (fluid.status_code, fluid.json()["kind"]) == (200, "fluid")
    assert (solid.status_code, solid.json()["kind"]) == (200, "solid")


@pytest.mark.parametrize(
    ("path", "asked", "actual"),
    [("SER-SST-A-B-N-A-E", "solid", "fluid"), ("CEN-A06-B-B-HST-C-D", "fluid", "solid")],
)
def test_a_code_of_the_other_kind_is_a_400_naming_the_kinds(client, path, asked, actual):
    response = client.get(f"/api/v1/sprec/{path}/?kind={asked}")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    error, *positions = response.json()["errors"]
    assert (error["pointer"], error["value"], error["code"]) == ("/kind", asked, "kind_mismatch")
    assert positions and all(e["pointer"].startswith("/code/") for e in positions)
    assert f"is a {actual} SPREC code, not a {asked} one" in error["message"]
    assert "allowed kinds: fluid, solid" in error["message"]


def test_an_invalid_code_asked_for_as_a_kind_still_names_its_positions(client):
    response = client.get("/api/v1/sprec/SER-SSQ-A-B-N-A-E/?kind=fluid")

    assert response.status_code == 400
    assert [e["pointer"] for e in response.json()["errors"]] == ["/code/2"]


@pytest.mark.parametrize("query", ["kind=plasma", "kind=", "kind=fluid&kind=solid", "kind=FLUIDS"])
def test_an_unknown_kind_is_a_400_naming_the_allowed_kinds(client, query):
    response = client.get(f"/api/v1/sprec/SER-SST-A-B-N-A-E/?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    [error] = response.json()["errors"]
    assert error["pointer"] == "/kind"
    assert "allowed: fluid, solid" in error["message"]


@pytest.mark.parametrize(
    "path",
    ["SER-SST", "x" * 3000, "%F0%9F%A7%AA-SST-A-B-N-A-E", "%00", "SER-SST-A-B-N-A-E-", "ß-ß-ß-ß-ß-ß-ß", "derive2"],
)
def test_garbage_codes_are_400_problems(client, path):
    response = client.get(f"/api/v1/sprec/{path}/")

    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == PROBLEM


def test_anyone_derives_a_code_from_facts(client):
    body = {
        "kind": "fluid",
        "sample_type": "SER",
        "primary_container": "SST",
        "collection_time": "2025-03-01T08:00:00+01:00",
        "centrifugation_start": "2025-03-01T09:30:00+01:00",
        "pre_centrifugation_temperature_c": 21,
        "centrifugation": {"temperature_c": 20, "duration_min": 10, "g_force": 2000, "braking": True},
        "second_centrifugation": "none",
        "post_centrifugation_delay_min": 20,
        "post_centrifugation_temperature_c": 4,
        "storage_container": "cryotube-1-2ml",
        "storage_method": "programmable-freezing",
        "storage_temperature_c": -150,
    }

    response = client.post(DERIVE, body, format="json")

    assert response.status_code == 200
    answer = response.json()
    assert answer["code"] == "SER-SST-A-B-N-A-E"
    assert answer["positions"][3] == {
        "position": 4,
        "letter": "B",
        "meaning": "RT, 10-15 min, <3000 g, with braking",
        "status": None,
    }


def test_missing_facts_derive_x(client):
    response = client.post(DERIVE, {"kind": "solid", "sample_type": "TIS"}, format="json")

    assert response.json()["code"] == "TIS-XXX-X-X-XXX-X-X"


def test_facts_out_of_range_are_a_400_naming_each_fact(client):
    body = {
        "kind": "fluid",
        "pre_centrifugation_temperature_c": 14,
        "centrifugation": {"temperature_c": 20, "duration_min": 20, "g_force": 2000, "braking": True},
        "storage_container": "fridge",
        "nonsense": 1,
    }

    response = client.post(DERIVE, body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    errors = {e["pointer"]: e for e in response.json()["errors"]}
    assert set(errors) == {
        "/pre_centrifugation_temperature_c",
        "/centrifugation/duration_min",
        "/storage_container",
        "/nonsense",
    }
    assert errors["/centrifugation/duration_min"]["fact"] == "centrifugation/duration_min"
    assert errors["/pre_centrifugation_temperature_c"]["value"] == "14"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"kind": "plasma"},
        {"kind": ["fluid"]},
        {"kind": "fluid", "centrifugation": {"g_force": "1e400"}},
        {"kind": "fluid", "pre_centrifugation_delay_min": 1e308 * 10},
        {"kind": "fluid", "collection_time": "2025-13-45", "centrifugation_start": 5},
        {"kind": "fluid", "sample_type": "🧪" * 5000},
        {"kind": "fluid", "storage_temperature_c": 10**400},
        {"kind": "fluid", "centrifugation": {str(n): n for n in range(200)}},
    ],
)
def test_bad_facts_are_400_problems_never_500(client, body):
    response = client.post(DERIVE, json.dumps(body, allow_nan=True), content_type="application/json")

    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize("raw", ["[1, 2]", '"fluid"', "null", "{", "NaN", '{"kind": "fluid", "centrifugation": ' * 40])
def test_a_body_that_is_not_an_object_is_a_400_problem(client, raw):
    response = client.post(DERIVE, raw, content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


def test_a_huge_integer_temperature_is_a_400_not_a_500(client):
    response = client.post(DERIVE, '{"kind": "fluid", "storage_container": "bag", "storage_temperature_c": '
                           + "9" * 4000 + "}", content_type="application/json")  # fmt: skip

    assert response.status_code == 400


def test_a_partner_token_may_call_it_too(biobank_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(biobank_a, 'view_biobank')}")

    assert client.get("/api/v1/sprec/SER-SST-A-B-N-A-E/").status_code == 200


def test_anonymous_callers_are_throttled_per_address(client):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "principal": "2/minute"}
    with override_settings(REST_FRAMEWORK={**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates}):
        assert client.get("/api/v1/sprec/SER-SST-A-B-N-A-E/").status_code == 200
        assert client.post(DERIVE, {"kind": "fluid"}, format="json").status_code == 200
        response = client.get("/api/v1/sprec/SER-SST-A-B-N-A-E/")

    assert response.status_code == 429
    assert response["Content-Type"] == PROBLEM


def test_get_on_derive_is_405(client):
    assert client.get(DERIVE).status_code == 405
