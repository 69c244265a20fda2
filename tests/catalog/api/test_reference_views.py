"""Public facts (k-anonymous rows, obfuscated unless staff) and the vocabularies with the ICD-10 search."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog.models import CollectionFact, PublicationState
from catalog.vocabulary_loader import load_vocabularies
from tests.accounts.factories import UserFactory
from tests.catalog.factories import make_described_catalogue

pytestmark = pytest.mark.django_db
FACTS = "/api/v1/catalog/facts/"


@pytest.fixture
def cat_a(biobank_a):
    made = make_described_catalogue(biobank_a)
    fact = CollectionFact.objects.get(collection=made["main"], sex="MALE", age_range="*")
    fact.number_of_samples, fact.number_of_donors = 54, 14  # shown as 50 and 10 to the public
    fact.save()
    return made


def _rows(response) -> dict[tuple[str, str, str, str], tuple[int, int]]:
    return {
        (r["sex"]["code"], r["age_range"]["code"], r["material_type"]["code"], (r["disease"] or {}).get("code", "")): (
            r["number_of_samples"], r["number_of_donors"])
        for r in response.json()["results"]
    }  # fmt: skip


def test_the_public_and_researchers_see_k_anonymous_rows_with_obfuscated_counts(cat_a, login):
    for client in (APIClient(), login(UserFactory())):
        response = client.get(FACTS, {"collection": cat_a["main"].pk})

        rows = _rows(response)
        assert response.status_code == 200
        assert ("FEMALE", "Adult", "DNA", "C18.0") not in rows  # 3 donors: never shown
        assert rows[("MALE", "*", "*", "*")] == (50, 10)
        assert rows[("*", "*", "*", "*")] == (120, 40)
        assert all(not r["exact"] for r in response.json()["results"])


def test_staff_of_the_biobank_see_exact_counts(cat_a, login, technician_a, outsider):
    exact = _rows(login(technician_a).get(FACTS, {"collection": cat_a["main"].bbmri_id}))
    foreign = _rows(login(outsider).get(FACTS, {"collection": cat_a["main"].pk}))

    assert exact[("MALE", "*", "*", "*")] == (54, 14)
    assert ("FEMALE", "Adult", "DNA", "C18.0") not in exact
    assert foreign[("MALE", "*", "*", "*")] == (50, 10)


def test_facts_filter_by_dimension_and_need_a_published_collection(cat_a):
    client = APIClient()

    by_sex = _rows(client.get(FACTS, {"collection": cat_a["main"].pk, "sex": "FEMALE"}))
    no_diagnosis = _rows(client.get(FACTS, {"collection": cat_a["main"].pk, "disease": "none"}))
    missing = client.get(FACTS)
    cat_a["main"].state = PublicationState.DRAFT
    cat_a["main"].save()
    draft = client.get(FACTS, {"collection": cat_a["main"].pk})

    assert set(by_sex) == {("FEMALE", "*", "*", "*")}
    assert set(no_diagnosis) == {("*", "*", "*", "")}
    assert missing.status_code == 400 and missing.json()["errors"][0]["pointer"] == "/collection"
    assert draft.status_code == 404


def test_vocabularies_and_the_icd10_search(db):
    load_vocabularies(force=True)
    client = APIClient()

    names = {v["name"]: v["terms"] for v in client.get("/api/v1/catalog/vocabularies/").json()}
    colon = client.get("/api/v1/catalog/vocabularies/ICD-10/", {"q": "colon"}).json()["results"]
    by_code = client.get("/api/v1/catalog/vocabularies/ICD-10/", {"q": "c18."}).json()["results"]
    first_page = client.get("/api/v1/catalog/vocabularies/ICD-10/").json()
    unknown = client.get("/api/v1/catalog/vocabularies/Nope/")

    assert names["ICD-10"] > 12000 and "Directory.MaterialTypes" in names
    assert "C18" in {t["code"] for t in colon}
    assert by_code and all(t["code"].startswith("C18.") for t in by_code)
    assert len(first_page["results"]) == 50 and first_page["next"]
    assert unknown.status_code == 404 and "Directory.SexTypes" in unknown.json()["detail"]


def test_fact_and_term_queries_are_pinned(cat_a):
    load_vocabularies(force=True)
    client = APIClient()
    for url in (f"{FACTS}?collection={cat_a['main'].pk}", "/api/v1/catalog/vocabularies/ICD-10/?q=neoplasm"):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert len(queries) <= 4, (url, [q["sql"] for q in queries])
