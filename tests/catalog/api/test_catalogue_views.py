"""The public catalogue API: published records for everyone, drafts for staff, writes for data managers only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from biobank.accounts.choices import Role
from catalog.models import Collection, PublicationState
from tests.accounts.factories import make_biobank, make_member
from tests.catalog.factories import make_described_catalogue

pytestmark = pytest.mark.django_db
BIOBANKS = "/api/v1/catalog/biobanks/"
COLLECTIONS = "/api/v1/catalog/collections/"


@pytest.fixture
def cat_a(biobank_a):
    return make_described_catalogue(biobank_a)


@pytest.fixture
def cat_b(biobank_b):
    return make_described_catalogue(biobank_b, node="AT")


@pytest.fixture
def researcher(db):
    from tests.accounts.factories import UserFactory

    return UserFactory()


def test_anyone_reads_published_biobanks_and_collections_with_codes_and_labels(cat_a):
    client = APIClient()

    listing = client.get(BIOBANKS)
    detail = client.get(f"{BIOBANKS}bbmri-eric:ID:DE_biobank-a/")
    by_code = client.get(f"{BIOBANKS}biobank-a/")
    collection = client.get(f"{COLLECTIONS}{cat_a['main'].pk}/")
    by_id = client.get(f"{COLLECTIONS}{cat_a['main'].bbmri_id}/")

    assert listing.status_code == 200 and [b["id"] for b in listing.json()["results"]] == ["bbmri-eric:ID:DE_biobank-a"]
    assert detail.json() == by_code.json() and detail["ETag"]
    assert [c["name"] for c in detail.json()["collections"]] == ["Colorectal cancer", "Rectum"]
    body = collection.json()
    assert body == by_id.json()
    assert {"code": "DNA", "label": "DNA"} in body["materials"]
    assert body["diseases"][0] == {"code": "C18", "label": "C18 Malignant neoplasm of colon"}
    assert body["data_use"][0]["code"] == "DUO:0000042" and body["data_use"][0]["label"]
    assert body["sub_collections"] == [{"id": cat_a["sub"].pk, "bbmri_id": cat_a["sub"].bbmri_id, "name": "Rectum"}]
    assert body["contact"]["id"] == "bbmri-eric:contactID:DE_biobank-a"


def test_drafts_are_hidden_from_the_public_and_researchers_but_shown_to_staff(cat_a, researcher, login, admin_a):
    Collection.objects.filter(pk=cat_a["sub"].pk).update(state=PublicationState.DRAFT)
    url = f"{COLLECTIONS}{cat_a['sub'].pk}/"

    assert APIClient().get(url).status_code == 404
    assert login(researcher).get(url).status_code == 404
    assert login(admin_a).get(url).status_code == 200
    assert APIClient().get(f"{COLLECTIONS}{cat_a['main'].pk}/").json()["sub_collections"] == []


def test_a_data_manager_describes_a_collection_all_errors_at_once_with_pointers(cat_a, data_manager_a, login):
    client = login(data_manager_a)
    url = f"{COLLECTIONS}{cat_a['main'].pk}/"

    bad = client.patch(url, {"materials": ["DNA", "GOO"], "sex": ["X"], "age_low": 90, "age_high": 10}, format="json")

    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    pointers = {e["pointer"] for e in bad.json()["errors"]}
    assert {"/materials", "/sex", "/age_low"} <= pointers
    assert "PLASMA" in next(e["message"] for e in bad.json()["errors"] if e["pointer"] == "/materials")
    assert Collection.objects.get(pk=cat_a["main"].pk).materials == ["TISSUE_FROZEN", "DNA"]

    etag = client.get(url)["ETag"]
    ok = client.patch(url, {"materials": ["PLASMA"]}, format="json", HTTP_IF_MATCH=etag)
    stale = client.patch(url, {"materials": ["DNA"]}, format="json", HTTP_IF_MATCH=etag)

    assert ok.status_code == 200 and ok.json()["materials"] == [{"code": "PLASMA", "label": "Plasma"}]
    assert stale.status_code == 412


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 401), ("researcher", 404), ("technician", 403), ("outsider", 404)]
)
def test_writes_are_for_data_managers_of_that_biobank(cat_a, biobank_a, biobank_b, researcher, login, who, status):
    if who == "anonymous":
        client = APIClient()
    elif who == "researcher":
        client = login(researcher)
    elif who == "technician":
        client = login(make_member(biobank_a, Role.TECHNICIAN))
    else:
        client = login(make_member(biobank_b, Role.DATA_MANAGER))

    patch = client.patch(f"{COLLECTIONS}{cat_a['main'].pk}/", {"name": "X"}, format="json")
    state = client.post(f"{COLLECTIONS}{cat_a['main'].pk}/state/", {"state": "draft"}, format="json")
    profile = client.patch(f"{BIOBANKS}biobank-a/", {"acronym": "X"}, format="json")

    technician_sees = who == "technician" and status == 403
    assert (patch.status_code, state.status_code) == (status, status)
    assert profile.status_code == (403 if technician_sees else status)


def test_publish_and_unpublish_through_the_state_action(cat_a, data_manager_a, login):
    client = login(data_manager_a)
    url = f"{COLLECTIONS}{cat_a['sub'].pk}/state/"

    assert client.post(url, {"state": "draft"}, format="json").json()["state"] == "draft"
    assert APIClient().get(f"{COLLECTIONS}{cat_a['sub'].pk}/").status_code == 404
    Collection.objects.filter(pk=cat_a["sub"].pk).update(contact=None)
    refused = client.post(url, {"state": "published"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["pointer"] == "/contact"


def test_a_data_manager_changes_the_biobank_profile_with_quality_standards(cat_a, data_manager_a, login):
    client = login(data_manager_a)

    response = client.patch(
        f"{BIOBANKS}biobank-a/",
        {"quality_standards": [{"standard": "ISO-20387-2018", "assessment_level": "accredited"}], "acronym": "BA"},
        format="json",
    )
    bad = client.patch(f"{BIOBANKS}biobank-a/", {"infrastructural_capabilities": ["Teleportation"]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["quality_standards"][0]["standard"]["code"] == "ISO-20387-2018"
    assert response.json()["acronym"] == "BA"
    assert bad.status_code == 400 and bad.json()["errors"][0]["pointer"] == "/infrastructural_capabilities"


def test_networks_are_public_with_their_published_members(cat_a):
    listing = APIClient().get("/api/v1/catalog/networks/")
    detail = APIClient().get("/api/v1/catalog/networks/bbmri-eric:networkID:EU_biobank-a/")

    assert listing.status_code == 200 and detail.status_code == 200
    assert detail.json()["members"] == ["bbmri-eric:ID:DE_biobank-a"]
    assert detail.json()["collections"] == [cat_a["main"].bbmri_id]
    assert detail.json()["common_network_elements"][0]["code"] == "sops"


def _queries(url: str) -> int:
    client = APIClient()
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [BIOBANKS, "/api/v1/catalog/networks/"])
def test_list_queries_do_not_grow_with_the_rows(cat_a, url):
    few = _queries(url)
    for n in range(3):
        make_described_catalogue(make_biobank(f"more-{n}"), node="NL")

    assert _queries(url) == few
