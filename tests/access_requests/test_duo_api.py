"""POST /api/v1/duo/match: no login, no CSRF token, a decision with its rationale, 400 problem+json naming the
value that was not understood."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/duo/match"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _fresh_throttle_buckets():
    cache.clear()
    yield
    cache.clear()


def body(terms=("DS",), diseases=("ICD10:E11",), purpose_diseases=None, **purpose):
    terms = terms if isinstance(terms, str) else list(terms)
    if purpose_diseases is not None:
        purpose["diseases"] = purpose_diseases
    return {"dataset": {"terms": terms, "diseases": list(diseases)}, "purpose": purpose}


def post(payload):
    return APIClient().post(URL, payload, format="json")


def test_it_answers_an_anonymous_caller_with_the_decision_and_every_check():
    response = post(body(diseases=["ICD10:E11"], purpose_diseases=["E11.9"], commercial=False))

    assert response.status_code == 200
    assert response.json()["decision"] == "APPROVE"
    assert {c["check"] for c in response.json()["rationale"]} >= {"disease", "hmb_gru", "non_profit", "modifiers"}


def test_modifiers_come_back_as_proposed_conditions():
    response = post(body(terms=["GRU", "DUO:0000021", "GS"], diseases=[], general_research=True))

    assert response.json()["decision"] == "ABSTAIN"
    assert [(c["code"], c["duo_id"]) for c in response.json()["conditions"]] == [
        ("GS", "DUO:0000022"),
        ("IRB", "DUO:0000021"),
    ]


def test_a_caller_passes_ancestors_for_other_ontologies():
    payload = body(diseases=["DOID:162"], purpose_diseases=["http://purl.obolibrary.org/obo/DOID_10155"]) | {
        "ancestors": {"DOID:10155": ["DOID:3119"], "DOID:3119": ["DOID:162"]},
    }

    assert post(payload).json()["decision"] == "APPROVE"


def test_ancestors_given_for_an_icd10_code_are_ignored_and_the_rationale_says_so():
    payload = body(diseases=["ICD10:C18"], purpose_diseases=["ICD10:E11"]) | {
        "ancestors": {"urn:miriam:icd:E11": ["C18"]}
    }

    response = post(payload).json()

    assert response["decision"] == "DENY"
    disease = next(c for c in response["rationale"] if c["check"] == "disease")
    assert "ICD10:E11" in disease["reason"] and "ignored" in disease["reason"]


def test_a_dataset_with_modifiers_only_is_matched_as_duos_does():
    response = post(body(terms=["NPU"], diseases=[], commercial=True))

    assert response.status_code == 200
    assert response.json()["decision"] == "DENY"


def test_a_browser_with_a_session_posts_without_a_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())

    response = client.post(URL, body(hmb=True), content_type="application/json")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("payload", "pointer"),
    [
        (body(terms=["DS", "XYZ"]), "/dataset/terms/1"),
        (body(diseases=["diabetes"]), "/dataset/diseases/0"),
        (body(purpose_diseases=["ICD10:E1"]), "/purpose/diseases/0"),
        (body(hmb="yes"), "/purpose/hmb"),
        (body(hmb=1), "/purpose/hmb"),
        (body(commercial="false"), "/purpose/commercial"),
        (body(terms="DS"), "/dataset/terms"),
        (body(pediatrics=True), "/purpose/pediatrics"),  # a misspelt flag is not silently dropped
        (body() | {"dataset": {"terms": ["GRU"], "disease": ["E11"]}}, "/dataset/disease"),
        (body(terms=["DS"], diseases=[]), "/dataset/diseases"),
        (body(terms=["HMB"], diseases=["ICD10:E11"]), "/dataset/terms"),
        (body(other=5), "/purpose/other"),
        (body() | {"dataset": {"terms": ["GRU"], "other": 5}}, "/dataset/other"),
        (body() | {"dataset": {"terms": ["GRU"], "secondary_other": 1.5}}, "/dataset/secondary_other"),
        ({"purpose": {}}, "/dataset"),
        (body() | {"ancestors": ["DOID:1"]}, "/ancestors"),
        (body() | {"ancestors": {"DOID:1": "DOID:2"}}, "/ancestors/DOID:1"),
        (body() | {"ancestors": {"DOID:1": ["nonsense here"]}}, "/ancestors/DOID:1/0"),
        (body() | {"ancestors": {"not a curie": []}}, "/ancestors/not a curie"),
    ],
)
def test_input_it_does_not_understand_is_a_400_naming_the_value(payload, pointer):
    response = post(payload)

    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    errors = response.json()["errors"]
    assert pointer in [e["pointer"] for e in errors]
    assert all(e["message"] for e in errors)


def test_an_unknown_duo_term_is_refused_listing_the_known_ones():
    message = post(body(terms=["DS", "XYZ"])).json()["errors"][0]["message"]

    assert "'XYZ'" in message and "DUO:0000042 (GRU)" in message


def test_a_body_that_is_no_object_is_a_400():
    response = APIClient().post(URL, ["DS"], format="json")

    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)


def test_only_post_is_offered():
    assert APIClient().get(URL).status_code == 405


def test_the_address_with_a_trailing_slash_answers_the_same(client):
    body = {"dataset": {"terms": ["DUO:0000007"], "diseases": ["E11"]}, "purpose": {"diseases": ["E11.9"]}}
    plain = client.post(URL, body, content_type="application/json")
    slashed = client.post(URL + "/", body, content_type="application/json")
    assert plain.status_code == slashed.status_code == 200
    assert plain.json() == slashed.json()
