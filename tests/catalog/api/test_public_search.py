"""GET /api/v1/catalog/collections/ (catalog/api/public_search.py): the public search with facet counts."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from biobank.accounts.choices import Role
from tests.accounts.factories import bearer, make_member, make_token
from tests.catalog.factories import make_fact, make_published_collection

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalog/collections/"


def test_anyone_searches_without_login_and_gets_results_and_facet_counts(catalogue):
    response = APIClient().get(URL, {"material": ["PLASMA", "SERUM"], "country": "DE", "sort": "size"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(r["name"], r["size"], r["size_exact"]) for r in body["results"]] == [
        ("Colorectal tumours", 140, False),
        ("Paediatric IBD serum", None, False),
    ]
    assert body["facets"]["material"] == {"PLASMA": 2, "TISSUE_FROZEN": 2, "SERUM": 1}
    assert body["facets"]["country"] == {"DE": 2, "AT": 1}
    assert body["description"] == "Collections with material type Plasma or Serum; country Germany"


def test_match_all_and_sub_collections_nested_in_their_parent(catalogue):
    all_of = APIClient().get(URL + "?material=PLASMA&material=SERUM&material_match=all").json()
    frozen = APIClient().get(URL + "?material=TISSUE_FROZEN").json()

    assert [r["name"] for r in all_of["results"]] == ["Paediatric IBD serum"]
    assert [(r["name"], [c["name"] for c in r["children"]]) for r in frozen["results"]] == [
        ("Colorectal tumours", ["Rectal tumours"])
    ]


def test_staff_of_the_biobank_get_exact_sizes_with_a_session_or_a_token(catalogue, login):
    staff = make_member(catalogue.de, Role.DATA_MANAGER)
    token = make_token(catalogue.de, "view_catalog")

    for client in (login(staff), bearer(token)):
        found = client.get(URL, {"q": "colorectal"}).json()["results"]
        assert [(r["size"], r["size_exact"]) for r in found] == [(137, True)]


def test_bad_parameters_get_a_400_problem_naming_each_parameter_and_the_allowed_values(catalogue):
    response = APIClient().get(URL + "?material=PLASM&sort=big&page_size=1000&material_match=most&colour=red")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    errors = {e["pointer"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"/material", "/sort", "/page_size", "/material_match", "/colour"}
    assert "PLASMA" in errors["/material"] and "name, size" in errors["/sort"]


def test_the_api_takes_a_fixed_number_of_queries(catalogue, django_assert_max_num_queries):
    client = APIClient()
    url = URL + "?material=PLASMA&material=TISSUE_FROZEN&sort=size&q=tumour"
    client.get(url)
    with django_assert_max_num_queries(10) as before:
        client.get(url)
    for number in range(25):
        more = make_published_collection(catalogue.at, f"more-{number}", f"More tumours {number}", materials=["PLASMA"])
        make_fact(more, 50, 12)

    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(url).json()["count"] == 27


def test_the_operation_is_documented_as_public_with_its_parameters():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/catalog/collections/"]["get"]

    assert operation.get("security", []) in ([], [{}])  # no credential needed
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "material", "material_match", "diagnosis", "age_min", "age_max", "sort", "quality"} <= names
