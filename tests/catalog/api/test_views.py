"""The collections endpoints: create, read, filter, page through, and update with optimistic concurrency."""

from __future__ import annotations

import pytest

from biobank.accounts import services as account_services
from biobank.accounts.choices import Role
from catalog import services as catalog_services
from catalog.models import Collection
from tests.accounts.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_a, login):
    return login(admin_a)


def test_an_admin_creates_a_collection_and_gets_its_location_and_etag(admin_client, admin_a):
    response = admin_client.post(
        "/api/v1/collections/",
        {"biobank": "biobank-a", "code": "crc-2025", "name": "Colorectal 2025", "description": "FFPE"},
    )

    assert response.status_code == 201
    collection = Collection.objects.get(code="crc-2025")
    assert collection.biobank.code == "biobank-a"
    assert response.json()["id"] == collection.pk
    assert response["Location"].endswith(f"/api/v1/collections/{collection.pk}/")
    assert response["ETag"] == admin_client.get(response["Location"])["ETag"]


def test_creating_in_a_biobank_one_cannot_see_reads_like_a_code_that_does_not_exist(outsider, login, biobank_a):
    client = login(outsider)

    foreign = client.post("/api/v1/collections/", {"biobank": "biobank-a", "code": "x-1", "name": "X"})
    missing = client.post("/api/v1/collections/", {"biobank": "no-such-bank", "code": "x-1", "name": "X"})

    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["errors"] == missing.json()["errors"]
    assert foreign.json()["errors"][0]["pointer"] == "/biobank"
    assert not Collection.objects.exists()


def test_a_member_who_sees_the_biobank_but_may_not_manage_its_catalogue_gets_403(biobank_a, biobank_b, login):
    user = make_member(biobank_b, Role.DATA_MANAGER, email="dm@example.org")
    account_services.membership_grant(actor=None, biobank=biobank_a, user=user, role=Role.TECHNICIAN)

    response = login(user).post("/api/v1/collections/", {"biobank": "biobank-a", "code": "x-1", "name": "X"})

    assert response.status_code == 403
    assert "biobank-a" in response.json()["detail"]


def test_get_returns_a_strong_etag_that_changes_with_each_update(admin_client, collection_a):
    url = f"/api/v1/collections/{collection_a.pk}/"
    first = admin_client.get(url)["ETag"]

    updated = admin_client.patch(url, {"description": "Fresh frozen"}, HTTP_IF_MATCH=first)

    assert first.startswith('"') and not first.startswith("W/")
    assert updated.status_code == 200
    assert updated["ETag"] != first
    assert updated["ETag"] == admin_client.get(url)["ETag"]
    assert updated.json()["description"] == "Fresh frozen"


def test_a_second_writer_with_the_old_etag_is_refused_and_the_first_change_stays(admin_client, collection_a):
    url = f"/api/v1/collections/{collection_a.pk}/"
    etag = admin_client.get(url)["ETag"]
    assert admin_client.patch(url, {"name": "First writer"}, HTTP_IF_MATCH=etag).status_code == 200

    response = admin_client.patch(url, {"name": "Second writer"}, HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    collection_a.refresh_from_db()
    assert collection_a.name == "First writer"


@pytest.mark.parametrize("if_match", ["*", '"other", {current}', None])
def test_if_match_accepts_a_wildcard_a_list_or_nothing(admin_client, collection_a, if_match):
    url = f"/api/v1/collections/{collection_a.pk}/"
    headers = {}
    if if_match is not None:
        headers["HTTP_IF_MATCH"] = if_match.format(current=admin_client.get(url)["ETag"])

    response = admin_client.patch(url, {"name": "Renamed"}, **headers)

    assert response.status_code == 200
    assert response.json()["name"] == "Renamed"


def test_a_client_with_a_current_copy_gets_304_without_a_body(admin_client, collection_a):
    url = f"/api/v1/collections/{collection_a.pk}/"
    etag = admin_client.get(url)["ETag"]

    current = admin_client.get(url, HTTP_IF_NONE_MATCH=etag)
    admin_client.patch(url, {"name": "Changed"})
    stale = admin_client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert (current.status_code, current.content, current["ETag"]) == (304, b"", etag)
    assert stale.status_code == 200
    assert stale.json()["name"] == "Changed"


def test_a_weak_etag_never_matches(admin_client, collection_a):
    url = f"/api/v1/collections/{collection_a.pk}/"
    etag = admin_client.get(url)["ETag"]

    assert admin_client.patch(url, {"name": "Renamed"}, HTTP_IF_MATCH=f"W/{etag}").status_code == 412


def test_the_list_filters_by_biobank_code_and_name(admin_a, biobank_a, biobank_b, login):
    account_services.membership_grant(actor=None, biobank=biobank_b, user=admin_a, role=Role.DATA_MANAGER)
    for biobank, code, name in [
        (biobank_a, "crc", "Colorectal cancer"),
        (biobank_a, "lung", "Lung cancer"),
        (biobank_b, "crc", "Colorectal screening"),
    ]:
        catalog_services.collection_create(actor=None, biobank=biobank, code=code, name=name)
    client = login(admin_a)

    def names(query: str) -> list[str]:
        return sorted(row["name"] for row in client.get(f"/api/v1/collections/?{query}").json()["results"])

    assert names("biobank=biobank-a") == ["Colorectal cancer", "Lung cancer"]
    assert names("q=colorectal") == ["Colorectal cancer", "Colorectal screening"]
    assert names("biobank=biobank-b&q=COLO") == ["Colorectal screening"]
    assert names("biobank=no-such-bank") == []


def test_the_list_pages_with_a_cursor_newest_first(admin_client, biobank_a):
    for number in range(5):
        catalog_services.collection_create(actor=None, biobank=biobank_a, code=f"c-{number}", name=f"C{number}")

    first = admin_client.get("/api/v1/collections/?page_size=2").json()
    second = admin_client.get(first["next"]).json()
    third = admin_client.get(second["next"]).json()

    pages = [[row["code"] for row in page["results"]] for page in (first, second, third)]
    assert pages == [["c-4", "c-3"], ["c-2", "c-1"], ["c-0"]]
    assert third["next"] is None
    assert "count" not in first  # cursor pagination never counts the whole table


@pytest.mark.parametrize("cursor", ["garbage", "cD1ub3QtYS1udW1iZXI="])  # the second decodes to p=not-a-number
def test_a_tampered_cursor_is_a_400_naming_the_cursor(admin_client, collection_a, cursor):
    response = admin_client.get(f"/api/v1/collections/?cursor={cursor}")

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/cursor"
