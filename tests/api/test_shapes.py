"""One shape per concept (issue 10, item 6): the biobank field, the ETag mixin and the keyset cursor, each written once.

- ``BiobankCodeField`` (``biobank/api/fields.py``): every create endpoint that names a biobank in its body;
- ``ETagMixin`` (``biobank/api/etags.py``): every API view that accepts ``PUT``/``PATCH``, found by walking the URLs;
- ``biobank.keyset``: the cursors of the API lists and the positions of the web pages.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from biobank import keyset
from biobank.accounts import services as account_services
from biobank.accounts.choices import Role
from biobank.api.etags import ETagMixin, etag_of
from biobank.api.fields import BiobankCodeField
from catalog import services as catalog_services
from catalog.api.serializers import CollectionCreateInputSerializer
from catalog.models import Collection
from consent.api.donor_serializers import DonorRegisterInputSerializer
from consent.models import Donor
from specimens.api.import_serializers import ImportUploadSerializer
from specimens.api.storage_serializers import StorageUnitCreateInputSerializer
from specimens.models import ImportJob, StorageUnit
from tests.accounts.factories import make_member
from tests.specimens.factories import make_storage_box

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


# --- the biobank named in a request body -------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateEndpoint:
    url: str
    perm: str
    holder: str  # a role holding ``perm``
    seer: str  # a role that sees the biobank without ``perm``
    body: dict[str, Any]
    model: type


CREATE_ENDPOINTS = {
    "collections": CreateEndpoint(
        "/api/v1/collections/",
        "manage_catalog",
        Role.DATA_MANAGER,
        Role.TECHNICIAN,
        {"code": "x-1", "name": "X"},
        Collection,
    ),
    "donors": CreateEndpoint(
        "/api/v1/donors/",
        "manage_consent",
        Role.CONSENT_OFFICER,
        Role.TECHNICIAN,
        {"given_names": "Paul", "family_name": "Weber", "date_of_birth": "1981-11-02"},
        Donor,
    ),
    "specimen-imports": CreateEndpoint(
        "/api/v1/specimen-imports/",
        "change_specimens",
        Role.TECHNICIAN,
        Role.DATA_MANAGER,
        {"file_name": "s.csv", "content": "donor_pid,collection,sample_type,quantity,unit\n"},
        ImportJob,
    ),
    "storage-units": CreateEndpoint(
        "/api/v1/storage-units/",
        "change_specimens",
        Role.TECHNICIAN,
        Role.DATA_MANAGER,
        {"kind": "site", "code": "S-1", "name": "Campus"},
        StorageUnit,
    ),
}


@pytest.fixture(params=sorted(CREATE_ENDPOINTS))
def create_endpoint(request) -> CreateEndpoint:
    return CREATE_ENDPOINTS[request.param]


def test_both_apis_read_the_biobank_of_a_new_record_with_the_shared_field():
    for serializer, perm in (
        (CollectionCreateInputSerializer, "manage_catalog"),
        (DonorRegisterInputSerializer, "manage_consent"),
        (ImportUploadSerializer, "change_specimens"),
        (StorageUnitCreateInputSerializer, "change_specimens"),
    ):
        field = serializer().fields["biobank"]
        assert isinstance(field, BiobankCodeField) and field.perm == perm


def test_the_field_resolves_a_code_to_the_biobank_where_the_caller_holds_the_permission(biobank_a, biobank_b):
    user = make_member(biobank_a, Role.DATA_MANAGER, email="dm@example.org")
    context = {"request": SimpleNamespace(user=user)}
    serializer = CollectionCreateInputSerializer(
        data={"biobank": "biobank-a", "code": "x", "name": "X"}, context=context
    )

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["biobank"] == biobank_a


def test_a_foreign_code_and_an_unknown_code_are_the_same_400_naming_the_field(
    create_endpoint, biobank_a, biobank_b, login
):
    client = login(make_member(biobank_b, create_endpoint.holder, email="holder-b@example.org"))

    foreign = client.post(create_endpoint.url, {**create_endpoint.body, "biobank": "biobank-a"}, format="json")
    unknown = client.post(create_endpoint.url, {**create_endpoint.body, "biobank": "no-such-bank"}, format="json")

    assert foreign.status_code == unknown.status_code == 400
    assert foreign["Content-Type"] == PROBLEM
    assert foreign.json()["errors"] == unknown.json()["errors"]
    error = foreign.json()["errors"][0]
    assert error["pointer"] == "/biobank" and error["message"].startswith("No biobank with this code where you may")
    assert "biobank-a" not in foreign.content.decode()
    assert not create_endpoint.model.objects.exists()


def test_a_biobank_one_sees_without_the_permission_is_a_403_naming_it_and_the_permission(
    create_endpoint, biobank_a, biobank_b, login
):
    user = make_member(biobank_b, create_endpoint.holder, email="holder-b@example.org")
    account_services.membership_grant(actor=None, biobank=biobank_a, user=user, role=create_endpoint.seer)

    response = login(user).post(create_endpoint.url, {**create_endpoint.body, "biobank": "biobank-a"}, format="json")

    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    assert "biobank-a" in response.json()["detail"] and create_endpoint.perm in response.json()["detail"]
    assert not create_endpoint.model.objects.exists()


def test_a_caller_holding_the_permission_nowhere_is_a_403_whatever_the_body(create_endpoint, biobank_a, login):
    client = login(make_member(biobank_a, create_endpoint.seer, email="seer-a@example.org"))

    response = client.post(create_endpoint.url, {"biobank": "biobank-a"}, format="json")

    assert response.status_code == 403
    assert f"you hold {create_endpoint.perm} in no biobank" in response.json()["detail"]


@pytest.mark.parametrize("value", [{"code": "biobank-a"}, ["biobank-a"], "", "x" * 41])
def test_a_code_that_is_not_a_short_string_is_a_400_naming_the_field(create_endpoint, biobank_a, login, value):
    client = login(make_member(biobank_a, create_endpoint.holder, email="holder-a@example.org"))

    response = client.post(create_endpoint.url, {**create_endpoint.body, "biobank": value}, format="json")

    assert response.status_code == 400
    assert any(error["pointer"] == "/biobank" for error in response.json()["errors"])


# --- ETag and If-Match on every update endpoint ------------------------------------------------------------------


def _api_views() -> Iterator[tuple[str, Any]]:
    """(route name, view class) of every route under /api/v1/."""

    def walk(patterns: list, prefix: str) -> Iterator[tuple[str, str, Any]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
                if view is not None:
                    yield prefix + str(pattern.pattern), pattern.name, view

    for route, name, view in walk(get_resolver().url_patterns, ""):
        if route.startswith("api/v1/"):
            yield name, view


def _update_views() -> dict[str, Any]:
    return {
        name: view
        for name, view in _api_views()
        if any(hasattr(view, method) for method in ("put", "patch", "partial_update", "update"))
    }


def _collection(biobank_a) -> tuple[str, dict, Callable[[], str]]:
    collection = catalog_services.collection_create(actor=None, biobank=biobank_a, code="crc", name="Colorectal")

    def name() -> str:
        collection.refresh_from_db()
        return collection.name

    return reverse("api-collection-detail", kwargs={"pk": collection.pk}), {"name": "Renamed"}, name


def _storage_unit(biobank_a) -> tuple[str, dict, Callable[[], str], Any]:
    box = make_storage_box(biobank_a, rows=9, columns=9)
    technician = make_member(biobank_a, Role.TECHNICIAN, email="etag-storage@example.org")  # change_specimens

    def name() -> str:
        box.refresh_from_db()
        return box.name

    return reverse("api-storage-unit-detail", kwargs={"pk": box.pk}), {"name": "Renamed"}, name, technician


def _specimen(biobank_a) -> tuple[str, dict, Callable[[], str], Any]:
    from specimens.models import Specimen
    from tests.specimens.factories import make_specimen

    specimen = make_specimen(biobank_a)
    technician = make_member(biobank_a, Role.TECHNICIAN, email="etag-technician@example.org")

    def notes() -> str:
        return Specimen.objects.get(pk=specimen.pk).notes

    return reverse("api-specimen-detail", kwargs={"barcode": specimen.barcode}), {"notes": "Renamed"}, notes, technician


def _catalogue_collection(biobank_a) -> tuple[str, dict, Callable[[], str], Any]:
    from catalog.models import Collection
    from tests.catalog.factories import make_described_catalogue

    main = make_described_catalogue(biobank_a)["main"]
    manager = make_member(biobank_a, Role.DATA_MANAGER, email="etag-catalogue@example.org")

    def acronym() -> str:
        return Collection.objects.get(pk=main.pk).acronym

    url = reverse("api-catalog-collection-detail", kwargs={"id": main.pk})
    return url, {"acronym": "CRC"}, acronym, manager


def _catalogue_biobank(biobank_a) -> tuple[str, dict, Callable[[], str], Any]:
    from catalog.models import BiobankProfile
    from tests.catalog.factories import make_described_catalogue

    make_described_catalogue(biobank_a)
    manager = make_member(biobank_a, Role.DATA_MANAGER, email="etag-profile@example.org")

    def acronym() -> str:
        return BiobankProfile.objects.get(biobank=biobank_a).acronym

    url = reverse("api-catalog-biobank-detail", kwargs={"code": biobank_a.code})
    return url, {"acronym": "BBA"}, acronym, manager


def _donor_preferences(biobank_a) -> tuple[str, dict, Callable[[], bool], Any]:
    """The donor's own preferences (consent/api/portal.py): the donor changes them, nobody else sees them."""
    from consent.models import DonorAccount
    from tests.accounts.factories import UserFactory
    from tests.consent.factories import make_donor

    user = UserFactory(email="etag-donor@example.org", is_donor=True)
    account = DonorAccount.objects.create(user=user, donor=make_donor(biobank_a), biobank=biobank_a)

    def notify_news() -> bool:
        return DonorAccount.objects.get(pk=account.pk).notify_news

    return reverse("api-me-preferences"), {"notify_news": True}, notify_news, user


def _access_request(biobank_a) -> tuple[str, dict, Callable[[], str], Any]:
    """A researcher's draft (access_requests/api/requests.py): the researcher edits it."""
    from access_requests.models import AccessRequest
    from tests.access_requests.factories import make_request, make_researcher

    researcher = make_researcher(email="etag-researcher@example.org")
    request = make_request(researcher, [biobank_a])

    def abstract() -> str:
        return AccessRequest.objects.get(pk=request.pk).abstract

    return (
        reverse("api-access-request-detail", kwargs={"pk": request.pk}),
        {"abstract": "Renamed"},
        abstract,
        researcher,
    )


# route name -> (an object of biobank A: its URL, a valid change of one field, a reader of that field[, who may
# change it: the biobank admin unless given])
UPDATE_EXERCISERS: dict[str, Callable[[Any], tuple]] = {
    "api-access-request-detail": _access_request,
    "api-catalog-biobank-detail": _catalogue_biobank,
    "api-catalog-collection-detail": _catalogue_collection,
    "api-collection-detail": _collection,
    "api-me-preferences": _donor_preferences,
    "api-specimen-detail": _specimen,
    "api-storage-unit-detail": _storage_unit,
}


def test_every_update_endpoint_uses_the_etag_mixin_and_has_an_exerciser_here():
    updates = _update_views()

    assert updates, "no API route accepts PUT/PATCH: the walk is broken"
    assert not [name for name, view in updates.items() if not issubclass(view, ETagMixin)]
    assert sorted(updates) == sorted(UPDATE_EXERCISERS), "give each update endpoint an entry in UPDATE_EXERCISERS"


def test_the_schema_documents_if_match_412_and_the_etag_of_every_update_endpoint():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    updates = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("put", "patch")
    ]

    assert updates
    for path, method, operation in updates:
        assert "If-Match" in [parameter["name"] for parameter in operation.get("parameters", [])], (path, method)
        assert PROBLEM in operation["responses"]["412"]["content"], (path, method)
        assert "ETag" in operation["responses"]["200"].get("headers", {}), (path, method)
        assert "ETag" in schema["paths"][path]["get"]["responses"]["200"].get("headers", {}), path


@pytest.fixture(params=sorted(UPDATE_EXERCISERS))
def update_target(request, biobank_a, admin_a, login):
    url, change, read, *who = UPDATE_EXERCISERS[request.param](biobank_a)
    return url, change, read, login(who[0] if who else admin_a)


@pytest.fixture
def admin_client(admin_a, login):
    return login(admin_a)


def test_get_answers_a_strong_etag_and_a_stale_if_match_is_a_412_problem_that_changes_nothing(
    update_target,
):
    url, change, read, admin_client = update_target
    before = read()
    etag = admin_client.get(url)["ETag"]

    stale = admin_client.patch(url, change, format="json", HTTP_IF_MATCH='"not-the-current-version"')

    assert etag.startswith('"') and not etag.startswith("W/")
    assert stale.status_code == 412 and stale["Content-Type"] == PROBLEM
    assert stale.json()["type"].endswith("/precondition-failed")
    assert read() == before
    assert admin_client.get(url)["ETag"] == etag


def test_the_current_etag_lets_the_update_through_and_the_answer_carries_the_new_one(update_target):
    url, change, read, admin_client = update_target
    etag = admin_client.get(url)["ETag"]

    response = admin_client.patch(url, change, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200 and read() == next(iter(change.values()))
    assert response["ETag"] != etag and response["ETag"] == admin_client.get(url)["ETag"]
    assert admin_client.patch(url, change, format="json", HTTP_IF_MATCH=etag).status_code == 412


def test_the_etag_follows_a_version_counter_where_the_model_keeps_one():
    one = SimpleNamespace(pk=1, version=1, updated_at=None)
    same = SimpleNamespace(pk=1, version=1, updated_at="ignored")
    newer = SimpleNamespace(pk=1, version=2, updated_at=None)
    other = SimpleNamespace(pk=2, version=1, updated_at=None)

    assert etag_of(one) == etag_of(same)
    assert len({etag_of(one), etag_of(newer), etag_of(other)}) == 3


# --- keyset cursors -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cursor",
    [
        keyset.Cursor(),
        keyset.Cursor(position="123"),
        keyset.Cursor(position="123", reverse=True),
        keyset.Cursor(position="biobank-a", offset=3),
        keyset.Cursor(position="a b&p=1=2%", reverse=True, offset=1000),
        keyset.Cursor(position="Zürich"),
    ],
)
def test_a_cursor_survives_its_round_trip(cursor):
    token = keyset.encode_cursor(cursor)

    assert keyset.decode_cursor(token) == cursor
    assert token.isascii()


@pytest.mark.parametrize(
    ("token", "integer_position"),
    [
        ("garbage", False),
        ("cD1ub3QtYS1udW1iZXI=", True),  # p=not-a-number for a row-id ordering
        (base64.b64encode("p=²".encode()).decode(), False),  # not ASCII
        (base64.b64encode(b"p=%C2%B2").decode(), True),  # a Unicode digit
        (base64.b64encode(b"p=\x00").decode(), False),
        (base64.b64encode(b"p=%00").decode(), False),
        (base64.b64encode(b"r=2&p=1").decode(), False),
        (base64.b64encode(b"o=-1&p=1").decode(), False),
        (base64.b64encode(b"o=1001&p=1").decode(), False),
        (base64.b64encode(b"p=1&p=2").decode(), False),
        (base64.b64encode(b"x=1").decode(), False),
        (base64.b64encode(b"p=" + b"1" * 19).decode(), True),
        (keyset.encode_cursor(keyset.Cursor(position="x" * 201)), False),
        ("cD0x" * 300, False),
    ],
)
def test_a_malformed_cursor_is_refused_naming_the_parameter(token, integer_position):
    with pytest.raises(keyset.InvalidCursor) as refused:
        keyset.decode_cursor(token, name="cursor", integer_position=integer_position)

    assert refused.value.name == "cursor" and "next" in refused.value.message


@pytest.mark.parametrize(("raw", "position"), [("0", 0), ("42", 42), ("9" * 18, int("9" * 18))])
def test_a_web_position_is_read_as_a_row_id(raw, position):
    assert keyset.read_position(raw, name="before") == position


@pytest.mark.parametrize("raw", ["²", "-1", "1.0", " 1", "1" * 19, "0x1", "\x00"])
def test_a_web_position_that_is_not_ascii_digits_is_refused_saying_what_is_allowed(raw):
    with pytest.raises(keyset.InvalidCursor) as refused:
        keyset.read_position(raw, name="before")

    assert "before" in refused.value.message and "0-9" in refused.value.message


def test_the_api_next_link_is_the_shared_encoding_of_the_last_rows_position(admin_client, biobank_a):
    created = [
        catalog_services.collection_create(actor=None, biobank=biobank_a, code=f"c-{n}", name=f"C{n}") for n in range(3)
    ]

    page = admin_client.get("/api/v1/collections/?page_size=2").json()
    token = parse_qs(urlsplit(page["next"]).query)["cursor"][0]

    assert keyset.decode_cursor(token, integer_position=True) == keyset.Cursor(position=str(created[1].pk))


@pytest.mark.parametrize(
    "url",
    ["/api/v1/collections/", "/api/v1/donors/", "/api/v1/biobanks/", "/api/v1/consents/", "/api/v1/audit-events/"],
)
@pytest.mark.parametrize("token", ["garbage", base64.b64encode(b"p=1&r=7").decode()])
def test_a_malformed_cursor_is_a_400_problem_naming_the_cursor_on_every_list(biobank_a, login, url, token):
    client = login(make_member(biobank_a, Role.BIOBANK_ADMIN, Role.AUDITOR, email="both@example.org"))

    response = client.get(url, {"cursor": token})

    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["errors"][0]["pointer"] == "/cursor"


@pytest.mark.parametrize("url", ["/audit/", "/consent/biobank-a/donors/"])
def test_a_web_page_position_that_is_not_ascii_digits_is_a_400_page(biobank_a, client, url):
    client.force_login(make_member(biobank_a, Role.BIOBANK_ADMIN, Role.AUDITOR, email="both@example.org"))

    assert client.get(url, {"before": "1²"}).status_code == 400
    assert client.get(url, {"before": "12"}).status_code == 200
