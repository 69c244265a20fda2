"""The global search (``/search/?q=``, biobank/web/views/search.py): per persona and per kind of object, A's object
opens its page for those who may see it; B's object (foreign) gets exactly the answer of a nonexistent one — same
status, same body apart from the echoed text, same number of queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from biobank.audit.models import AuditEvent, AuditOutbox
from biobank.pseudonyms.checkchar import check_char, display
from biobank.web.search import MAX_QUERY_LENGTH, SearchHit, search_all
from tests.permission_world import BROWSER_PERSONAS, Side, World, perms_on_own, world_of_two_biobanks

pytestmark = pytest.mark.django_db

SEARCH = "/search/"
SIGNED_IN = [p for p in BROWSER_PERSONAS if p != "anonymous"]
REQUEST_READERS = {"researcher", "dac_member", "dac_chair"}  # the matrix researcher's request, its reviewers
NOBODY_HAS = display("ZZZZZZZZZZ" + check_char("ZZZZZZZZZZ"))  # a well-formed PID that names no donor


@pytest.fixture(autouse=True)
def _no_activity_stamp(monkeypatch):
    """The session's last-activity stamp is rewritten once a minute (three queries): not inside a counted request."""
    monkeypatch.setattr("biobank.accounts.middleware.ACTIVITY_RESOLUTION", 10**9)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    for world in world_of_two_biobanks(django_db_blocker, tmp_path_factory):
        with django_db_blocker.unblock():
            from biobank.accounts.models import User
            from tests.access_requests.factories import make_request
            from tests.accounts.factories import UserFactory

            mine = User.objects.get(email="matrix-researcher@example.org")
            other = UserFactory(email="search-other-researcher@example.org", is_researcher=True)
            # A's request is the matrix researcher's; B's another researcher's (foreign to everyone of the world)
            for side, researcher in ((world.a, mine), (world.b, other)):
                side.request = make_request(researcher, [side.biobank], status="active")  # type: ignore[attr-defined]
        yield world


def texts_of(side: Side) -> dict[str, str]:
    """What a person types to find each of ``side``'s objects."""
    return {
        "barcode": side.specimen.barcode,
        "pid": side.donor.pid_display,
        "request": side.request.number,  # type: ignore[attr-defined]
        "collection": side.collection.code,
    }


NONEXISTENT = {"barcode": "NO-SUCH-TUBE-1", "pid": NOBODY_HAS, "request": "AR-1999-99999", "collection": "no-such"}


def page_of(side: Side, kind: str, persona: str) -> str | None:
    """Where ``persona`` lands with A's object of ``kind``; ``None``: "nothing found"."""
    perms = perms_on_own(persona)
    if kind == "barcode":
        if "view_specimens" in perms:
            return reverse("specimens:specimen_detail", args=[side.biobank.code, side.specimen.barcode])
    elif kind == "pid":
        if "view_donors" in perms:
            return reverse("consent:donor_detail", args=[side.biobank.code, side.donor.pid_display])
        if "view_specimens" in perms:  # the donor's specimens, for those who may not open the donor
            return reverse("specimens:specimen_list", args=[side.biobank.code]) + "?pid="
    elif kind == "request":
        if persona in REQUEST_READERS:
            return reverse("access_requests:detail", args=[side.request.pk])  # type: ignore[attr-defined]
    elif kind == "collection" and "view_catalog" in perms:
        return reverse("catalog:collection_list") + f"#collection-{side.collection.pk}"
    return None


def _normalised(body: bytes, text: str) -> str:
    """The page without the echoed text and the per-response CSRF token."""
    page = body.decode().replace(text, "<asked>")
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1<token>", page)


def _get(world: World, persona: str, text: str) -> tuple[Any, int]:
    client = world.client(persona)
    client.get(SEARCH, {"q": text})  # warm: per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(SEARCH, {"q": text})
    return response, len(queries)


@pytest.mark.parametrize("kind", ["barcode", "pid", "request", "collection"])
@pytest.mark.parametrize("persona", SIGNED_IN)
def test_own_object_opens_foreign_is_nothing_found_like_a_nonexistent_one(world, persona, kind):
    own, own_queries = _get(world, persona, texts_of(world.a)[kind])
    expected = page_of(world.a, kind, persona)
    if expected is None:
        assert own.status_code == 200 and b"Nothing found" in own.content
    else:
        assert own.status_code == 302, own.status_code
        assert own["Location"].startswith(expected)

    foreign_text, missing_text = texts_of(world.b)[kind], NONEXISTENT[kind]
    foreign, foreign_queries = _get(world, persona, foreign_text)
    missing, missing_queries = _get(world, persona, missing_text)
    assert foreign.status_code == missing.status_code == 200
    assert b"Nothing found" in foreign.content
    assert _normalised(foreign.content, foreign_text) == _normalised(missing.content, missing_text)
    assert foreign_queries == missing_queries  # no extra query path for what exists elsewhere
    if expected is not None:
        assert own_queries <= missing_queries + 2  # a redirect reads nothing more than a miss


def test_anonymous_people_are_sent_to_sign_in(world):
    response = world.client("anonymous").get(SEARCH, {"q": texts_of(world.a)["barcode"]})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_header_offers_the_search_to_everyone_signed_in(world):
    for persona in ("researcher", "technician", "dac_member"):
        page = world.client(persona).get(reverse("web:dashboard")).content.decode()
        assert 'action="/search/"' in page and 'role="search"' in page and 'for="header-search"' in page


def test_an_empty_or_overlong_text_asks_again_without_a_query_of_the_providers(world):
    client = world.client("biobank_admin")
    empty = client.get(SEARCH)
    assert empty.status_code == 200 and b"Type or scan" in empty.content
    assert search_all(user=world.users["biobank_admin"], text="") == []
    overlong = client.get(SEARCH, {"q": "A" * (MAX_QUERY_LENGTH + 1)})
    assert overlong.status_code == 200 and b"Nothing found" in overlong.content


def test_several_matches_are_listed_by_kind(world, monkeypatch):
    from biobank.web import search as registry

    def twice(user: Any, text: str) -> list[SearchHit]:
        return [SearchHit(kind="Things", label=f"{text}-{n}", url=f"/thing/{n}/") for n in (1, 2)]

    monkeypatch.setattr(registry, "SEARCH_PROVIDERS", [*registry.SEARCH_PROVIDERS, ("things", twice)])
    page = world.client("technician").get(SEARCH, {"q": "x1"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Several matches" in body and "<h2" in body and "Things" in body and 'href="/thing/2/"' in body


def test_a_collection_name_typed_in_full_wins_over_partial_matches(world):
    hits = search_all(user=world.users["biobank_admin"], text=world.a.collection.name.upper())
    assert [hit.url for hit in hits] == [reverse("catalog:collection_list") + f"#collection-{world.a.collection.pk}"]


def test_a_request_is_found_by_its_id_as_shown_on_drafts(world):
    request = world.a.request
    response = world.client("researcher").get(SEARCH, {"q": f"#{request.pk}"})
    assert response.status_code == 302 and response["Location"] == reverse("access_requests:detail", args=[request.pk])


def _searches(pid: str) -> list[dict[str, Any]]:
    rows = [*AuditOutbox.objects.filter(action="donor.search"), *AuditEvent.objects.filter(action="donor.search")]
    return [row.details for row in rows if row.details["pid"] == pid]


def test_a_pid_search_is_recorded_found_foreign_or_nonexistent(world):
    client = world.client("consent_officer")
    for pid, found in (
        (world.a.donor.pid_display, [world.a.donor.pid_display]),
        (world.b.donor.pid_display, []),
        (NOBODY_HAS, []),
    ):
        client.get(SEARCH, {"q": pid.lower()})
        assert _searches(pid) == [{"pid": pid, "found": found}]


def test_a_barcode_search_is_no_donor_look_up(world):
    world.client("consent_officer").get(SEARCH, {"q": world.a.specimen.barcode})
    assert not AuditOutbox.objects.filter(action="donor.search").exists()
