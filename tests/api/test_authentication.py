"""Who may call the API: bearer tokens for partner systems, sessions (with CSRF) for the browser, nobody else."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from biobank.accounts import services as account_services
from biobank.accounts.models import ApiToken, Biobank
from biobank.api import urls as api_urls
from catalog.models import Collection
from tests.accounts.factories import bearer, make_token

pytestmark = pytest.mark.django_db

# /api/v1/ endpoints meant to be answered without credentials: the SPREC utilities for partner systems (issue 11)
# and the reads of the public catalogue (issue 12: "GET <path>", whose writes still need credentials);
# everything else must say 401.
PUBLIC_ENDPOINTS: set[str] = {
    "/api/v1/sprec/derive/",
    "/api/v1/sprec/biobank-a/",
    "/api/v1/duo/match",  # DUO matching for partner systems (issue 14)
    "/api/v1/duo/match/",  # the same, with the slash partners add
    "GET /api/v1/catalog/biobanks/",
    "GET /api/v1/catalog/biobanks/biobank-a/",
    "GET /api/v1/catalog/collections/biobank-a/",
    "GET /api/v1/catalog/networks/",
    "GET /api/v1/catalog/networks/biobank-a/",
    "GET /api/v1/catalog/facts/",
    "GET /api/v1/catalog/vocabularies/",
    "GET /api/v1/catalog/vocabularies/biobank-a/",
    "/api/v1/catalog/collections/",  # the public catalogue search (issue 12)
}


def _api_routes(patterns, prefix="/api/v1/"):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _every_endpoint_and_method():
    for route, callback in _api_routes(api_urls.urlpatterns):
        view = getattr(callback, "cls", None)
        methods = [m for m in ("get", "post", "put", "patch", "delete") if view and hasattr(view, m)]
        path = re.sub(r"<int:\w+>", "1", re.sub(r"<(?:str|slug):\w+>", "biobank-a", route))
        for method in methods:
            if path not in PUBLIC_ENDPOINTS and f"{method.upper()} {path}" not in PUBLIC_ENDPOINTS:
                yield pytest.param(method, path, id=f"{method.upper()} {route}")


def test_the_public_catalogue_reads_answer_without_credentials(biobank_a):
    """Anonymous reads get an answer, never 401 (404 for a record that is not there or not published)."""
    for entry in sorted(e for e in PUBLIC_ENDPOINTS if e.startswith("GET /api/v1/catalog/")):
        response = APIClient().get(entry.split(" ", 1)[1])
        assert response.status_code in (200, 400, 404), (entry, response.status_code)


def test_the_route_list_is_not_empty():
    assert len(list(_every_endpoint_and_method())) >= 10


@pytest.mark.parametrize(("method", "path"), list(_every_endpoint_and_method()))
def test_every_api_endpoint_answers_401_problem_without_credentials(method, path, biobank_a):
    response = getattr(APIClient(), method)(path, {} if method in ("post", "put", "patch") else None)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["type"] == "/api/problems/not-authenticated"


def test_a_valid_token_works_and_records_its_last_use(biobank_a):
    secret = make_token(biobank_a, "view_biobank")

    response = bearer(secret).get("/api/v1/me/", REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    assert response.json()["biobank"] == "biobank-a"
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(seconds=10)
    assert token.last_used_ip == "10.1.2.3"


def _revoked(biobank):
    secret = make_token(biobank)
    account_services.api_token_revoke(actor=None, token=ApiToken.objects.get())
    return f"Bearer {secret}"


def _expired(biobank):
    secret = make_token(biobank)
    past = timezone.now() - timedelta(days=1)
    ApiToken.objects.update(created_at=past - timedelta(days=30), expires_at=past)
    return f"Bearer {secret}"


def _of_inactive_biobank(biobank):
    secret = make_token(biobank)
    Biobank.objects.filter(pk=biobank.pk).update(is_active=False)
    return f"Bearer {secret}"


BAD_TOKENS = {
    "unknown": (lambda b: "Bearer bbp_this-token-does-not-exist", "Unknown API token"),
    "without a secret": (lambda b: "Bearer", "Malformed Authorization header"),
    "with spaces": (lambda b: "Bearer two words", "Malformed Authorization header"),
    "revoked": (_revoked, "revoked"),
    "expired": (_expired, "expired"),
    "of an inactive biobank": (_of_inactive_biobank, "inactive"),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_a_bad_token_is_refused_with_a_401_saying_why(case, biobank_a, collection_a):
    build, message = BAD_TOKENS[case]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=build(biobank_a))

    response = client.get("/api/v1/collections/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["type"] == "/api/problems/authentication-failed"
    assert message in body["detail"]


def test_a_bad_token_is_refused_even_on_writes_and_changes_nothing(biobank_a):
    response = bearer(_revoked(biobank_a).split()[1]).post(
        "/api/v1/collections/", {"biobank": "biobank-a", "code": "x-1", "name": "X"}
    )

    assert response.status_code == 401
    assert not Collection.objects.exists()


@pytest.mark.parametrize(
    ("method", "path_of"),
    [
        ("get", lambda c: "/api/v1/biobanks/biobank-b/"),
        ("get", lambda c: "/api/v1/biobanks/biobank-b/members/"),
        ("get", lambda c: f"/api/v1/collections/{c.pk}/"),
        ("patch", lambda c: f"/api/v1/collections/{c.pk}/"),
    ],
)
def test_a_token_of_biobank_a_gets_404_on_biobank_b(method, path_of, token_client, biobank_a, collection_b):
    client = token_client(biobank_a, "view_biobank", "view_catalog", "manage_catalog")

    response = getattr(client, method)(path_of(collection_b), {"name": "Hijacked"} if method == "patch" else None)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    collection_b.refresh_from_db()
    assert collection_b.name == "Lung 2024"


def test_a_token_of_biobank_a_does_not_list_biobank_b_collections(token_client, biobank_a, collection_a, collection_b):
    response = token_client(biobank_a, "view_catalog").get("/api/v1/collections/")

    assert [row["code"] for row in response.json()["results"]] == ["crc-2024"]


def test_a_token_without_view_catalog_gets_an_empty_collection_list(token_client, biobank_a, collection_a):
    response = token_client(biobank_a, "view_biobank").get("/api/v1/collections/")

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_token_without_manage_catalog_may_not_change_a_collection_it_sees(token_client, biobank_a, collection_a):
    response = token_client(biobank_a, "view_catalog").patch(f"/api/v1/collections/{collection_a.pk}/", {"name": "N"})

    assert response.status_code == 403
    collection_a.refresh_from_db()
    assert collection_a.name == "Colorectal 2024"


def test_a_token_never_manages_members_of_its_own_biobank(token_client, biobank_a):
    response = token_client(biobank_a, "view_biobank").post(
        "/api/v1/biobanks/biobank-a/members/", {"email": "new@example.org", "role": "technician"}
    )

    assert response.status_code == 403


def test_another_authorization_scheme_is_not_a_credential(biobank_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic YWRtaW46c2VjcmV0")

    assert client.get("/api/v1/me/").status_code == 401


def _csrf_client(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_session_write_without_a_csrf_token_is_refused(admin_a):
    response = _csrf_client(admin_a).post("/api/v1/collections/", {"biobank": "biobank-a", "code": "c-1", "name": "C"})

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "CSRF" in response.json()["detail"]
    assert not Collection.objects.exists()


def test_a_session_write_with_the_csrf_token_succeeds(admin_a):
    client = _csrf_client(admin_a)
    secret = get_random_string(32, CSRF_ALLOWED_CHARS)
    client.cookies["csrftoken"] = secret

    response = client.post(
        "/api/v1/collections/", {"biobank": "biobank-a", "code": "c-1", "name": "C"}, HTTP_X_CSRFTOKEN=secret
    )

    assert response.status_code == 201


def test_a_session_read_needs_no_csrf_token(admin_a):
    assert _csrf_client(admin_a).get("/api/v1/me/").status_code == 200


def test_a_bearer_token_needs_no_csrf_token(biobank_a):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(biobank_a, 'view_biobank', 'manage_catalog')}")

    response = client.post("/api/v1/collections/", {"biobank": "biobank-a", "code": "c-1", "name": "C"})

    assert response.status_code == 201


def test_a_deactivated_person_is_no_longer_authenticated(admin_a, login):
    client = login(admin_a)
    admin_a.is_active = False
    admin_a.save()

    assert client.get("/api/v1/me/").status_code == 401


def test_the_public_sprec_utilities_answer_without_credentials():
    client = APIClient()
    assert client.get("/api/v1/sprec/SER-SST-A-B-N-A-E/").status_code == 200
    assert client.post("/api/v1/sprec/derive/", {"kind": "fluid"}, format="json").status_code == 200
    assert client.get("/api/v1/sprec/biobank-a/").status_code == 400  # an invalid code: a problem, not a 401


def test_the_public_catalogue_search_answers_without_credentials():
    client = APIClient()
    assert client.get("/api/v1/catalog/collections/").status_code == 200
    assert client.get("/api/v1/catalog/collections/?material=nope").status_code == 400  # a problem, not a 401
