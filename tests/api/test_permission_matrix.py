"""Every persona against every endpoint and method, with the status derived from ROLE_PERMISSIONS.

Personas: each Role as a member of biobank A, anonymous, a researcher (no membership), an outsider (admin of biobank
B), a token of A with every grantable permission, a read-only token of A, and a token of B. Expectations are computed
from what the persona holds on A, so the matrix stays true when roles change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from biobank.accounts.choices import Role
from biobank.accounts.models import Membership
from catalog.models import Collection
from specimens.models import Specimen, SpecimenEvent
from tests.accounts.factories import UserFactory, make_member
from tests.specimens.factories import make_specimen

pytestmark = pytest.mark.django_db


@dataclass
class World:
    biobank_a: Any
    collection_a: Collection
    victim: Membership
    newcomer_email: str
    specimen: Specimen
    request: Any = None  # a researcher's access request for biobank A, still a draft (no reviewer sees it)


@pytest.fixture
def world(biobank_a, collection_a) -> World:
    victim_user = make_member(biobank_a, Role.TECHNICIAN, email="victim@example.org")
    UserFactory(email="newcomer@example.org")
    specimen = make_specimen(collection=collection_a)
    from tests.access_requests.factories import make_request, make_researcher

    request = make_request(make_researcher(), [biobank_a])
    return World(
        biobank_a, collection_a, Membership.objects.get(user=victim_user), "newcomer@example.org", specimen, request
    )


def _needs(persona, *, see: str, act: str | set[str], ok: int) -> int:
    """404 unless the persona may ``see`` on A; then ``ok`` if they hold (one of) ``act``, else 403."""
    acts = {act} if isinstance(act, str) else act
    if not persona.authenticated:
        return 401
    if acts & persona.perms_on_a:
        return ok
    if see not in persona.perms_on_a:
        return 404
    return 403


def _member_list_status(persona) -> int:
    """Members see their biobank's team; tokens never see people (403 where they see the biobank, else 404)."""
    if persona.name.endswith("token") or persona.name.startswith("token"):
        return 401 if not persona.authenticated else (403 if "view_biobank" in persona.perms_on_a else 404)
    return _needs(persona, see="view_biobank", act="view_biobank", ok=200)


def _create_collection_status(persona) -> int:
    if not persona.authenticated:
        return 401
    if "manage_catalog" in persona.perms_on_a:
        return 201
    if "manage_catalog" not in persona.perms_elsewhere or "view_biobank" in persona.perms_on_a:
        return 403  # manages no catalogue at all, or sees A without managing it
    return 400  # A is invisible to them: reported like a code that does not exist


def _patch_collection_status(persona) -> int:
    if not persona.authenticated:
        return 401
    if "manage_catalog" in persona.perms_on_a:
        return 200
    return 403 if "view_catalog" in persona.perms_on_a else 404


def _committee_status(persona, *, reviewer: int) -> int:
    """Access requests (committee verbs): tokens read no requests (404); members holding review_requests on A read
    A's request (``reviewer``: 200 for its messages, 403 for a vote without a committee seat); the rest 404."""
    if not persona.authenticated:
        return 401
    if persona.name.endswith("token") or persona.name.startswith("token"):
        return 404
    return reviewer if "review_requests" in persona.perms_on_a else 404


def _request_under_review(world: World) -> Any:
    from access_requests.choices import RequestStatus, ResourceStatus
    from tests.access_requests.factories import make_request, make_researcher

    return make_request(
        make_researcher(),
        [world.biobank_a],
        status=RequestStatus.UNDER_REVIEW,
        resource_status=ResourceStatus.AVAILABLE,
    )


def _fulfilment_status(persona, *, act: str | set[str], ok: int) -> int:
    """A request's fulfilment: tokens run none (404); people as ``_needs``, seeing through a review seat."""
    if persona.authenticated and "token" in persona.name:
        return 404
    return _needs(persona, see="review_requests", act=act, ok=ok)


ENDPOINTS = {
    "GET me": lambda p: 401 if not p.authenticated else 200,
    "GET biobanks": lambda p: 401 if not p.authenticated else 200,
    "GET biobank": lambda p: _needs(p, see="view_biobank", act="view_biobank", ok=200),
    "GET members": lambda p: _member_list_status(p),
    "POST members": lambda p: _needs(p, see="view_biobank", act="manage_members", ok=201),
    "DELETE member": lambda p: _needs(p, see="view_biobank", act="manage_members", ok=204),
    "GET collections": lambda p: 401 if not p.authenticated else 200,
    "POST collections": _create_collection_status,
    "GET collection": lambda p: _needs(p, see="view_catalog", act="view_catalog", ok=200),
    "PATCH collection": _patch_collection_status,
    "GET specimens": lambda p: 401 if not p.authenticated else 200,
    "GET specimen": lambda p: _needs(p, see="view_specimens", act="view_specimens", ok=200),
    "PATCH specimen": lambda p: _needs(p, see="view_specimens", act="change_specimens", ok=200),
    "POST specimen event": lambda p: _needs(p, see="view_specimens", act="change_specimens", ok=201),
    # the donor's own API: none of these personas has a donor account, so it does not exist for them
    "GET my overview": lambda p: 401 if not p.authenticated else 404,
    "POST my withdrawal": lambda p: 401 if not p.authenticated else 404,
    # another researcher's access request (entitle verbs): it does not exist for any of these personas
    "GET request reports": lambda p: 401 if not p.authenticated else 404,
    "POST request grant": lambda p: 401 if not p.authenticated else 404,
    # access requests (wizard): everyone lists what they may read; only researchers write requests
    "GET access requests": lambda p: 401 if not p.authenticated else 200,
    "POST access request": lambda p: 401 if not p.authenticated else (201 if p.name == "researcher" else 403),
    # the committee's verbs on an access request of A (access_requests/api/review.py)
    "GET request messages": lambda p: _committee_status(p, reviewer=200),
    "POST request vote": lambda p: _committee_status(p, reviewer=403),
    # fulfilment (access_requests/api/fulfilment.py), on a granted request of A by a researcher who is no persona
    "GET request releases": lambda p: _fulfilment_status(p, act={"review_requests", "change_specimens"}, ok=200),
    "GET request shipments": lambda p: _fulfilment_status(p, act={"review_requests", "change_specimens"}, ok=200),
    "POST shipment cancel": lambda p: _fulfilment_status(p, act="change_specimens", ok=200),
}


def _granted_request(world: World) -> tuple[int, int]:
    """``(request id, prepared shipment id)`` of a granted request of A (made on first use).

    Looked up by what it is (a prepared shipment of a granted resource of A), not as "A's first resource": the world
    also holds A's draft (``world.request``) and, once asked for, a request under review."""
    from access_requests.choices import ResourceStatus
    from access_requests.models import Shipment
    from tests.access_requests.factories import make_request, make_researcher

    shipment = Shipment.objects.filter(
        resource__biobank=world.biobank_a, resource__status=ResourceStatus.ACCESS_GRANTED
    ).first()
    if shipment is None:
        researcher = make_researcher()
        request = make_request(researcher, [world.biobank_a], status="active", resource_status="access_granted")
        shipment = Shipment.objects.create(resource=request.resources.get(), address="Lab", created_by=researcher)
    return shipment.resource.request_id, shipment.pk


def _call(endpoint: str, client, world: World):
    collection = f"/api/v1/collections/{world.collection_a.pk}/"
    members = "/api/v1/biobanks/biobank-a/members/"
    specimen = f"/api/v1/specimens/{world.specimen.barcode}/"
    requests = {
        "GET me": lambda: client.get("/api/v1/me/"),
        "GET biobanks": lambda: client.get("/api/v1/biobanks/"),
        "GET biobank": lambda: client.get("/api/v1/biobanks/biobank-a/"),
        "GET members": lambda: client.get(members),
        "POST members": lambda: client.post(members, {"email": world.newcomer_email, "role": "technician"}),
        "DELETE member": lambda: client.delete(f"{members}{world.victim.pk}/"),
        "GET collections": lambda: client.get("/api/v1/collections/"),
        "POST collections": lambda: client.post(
            "/api/v1/collections/", {"biobank": "biobank-a", "code": "new-one", "name": "New one"}
        ),
        "GET collection": lambda: client.get(collection),
        "PATCH collection": lambda: client.patch(collection, {"name": "Renamed"}),
        "GET specimens": lambda: client.get("/api/v1/specimens/"),
        "GET specimen": lambda: client.get(specimen),
        "PATCH specimen": lambda: client.patch(specimen, {"notes": "Changed"}),
        "POST specimen event": lambda: client.post(f"{specimen}events/", {"type": "processed"}),
        "GET my overview": lambda: client.get("/api/v1/me/overview/"),
        "POST my withdrawal": lambda: client.post("/api/v1/me/withdrawals/", {"level": "no_further_use"}),
        "GET request reports": lambda: client.get(f"/api/v1/access-requests/{world.request.pk}/reports"),
        "POST request grant": lambda: client.post(
            f"/api/v1/access-requests/{world.request.pk}/grant", {"resource": world.request.resources.get().pk}
        ),
        "GET access requests": lambda: client.get("/api/v1/access-requests/"),
        "POST access request": lambda: client.post("/api/v1/access-requests/", {"title": "Permission matrix"}),
        "GET request messages": lambda: client.get(
            f"/api/v1/access-requests/{_request_under_review(world).pk}/messages"
        ),
        "POST request vote": lambda: (
            lambda r: client.post(
                f"/api/v1/access-requests/{r.pk}/vote",
                {"resource": r.resources.get().pk, "value": "approve", "rationale": "Sound"},
                format="json",
            )
        )(_request_under_review(world)),
        "GET request releases": lambda: client.get(f"/api/v1/access-requests/{_granted_request(world)[0]}/releases"),
        "GET request shipments": lambda: client.get(f"/api/v1/access-requests/{_granted_request(world)[0]}/shipments"),
        "POST shipment cancel": lambda: client.post(f"/api/v1/shipments/{_granted_request(world)[1]}/cancel"),
    }
    return requests[endpoint]()


def _notes(world: World) -> tuple[str, int]:
    return Specimen.objects.get(pk=world.specimen.pk).notes, SpecimenEvent.objects.count()


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_each_persona_gets_the_status_its_permissions_allow_and_a_refusal_changes_nothing(endpoint, persona, world):
    before = (Collection.objects.count(), Membership.objects.count(), Collection.objects.get().name, _notes(world))

    response = _call(endpoint, persona.client, world)

    expected = ENDPOINTS[endpoint](persona)
    assert response.status_code == expected, (persona.name, endpoint, response.content)
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == expected
        after = (Collection.objects.count(), Membership.objects.count(), Collection.objects.get().name, _notes(world))
        assert after == before


def test_lists_contain_biobank_a_exactly_for_those_who_may_see_it(persona, world):
    biobanks = persona.client.get("/api/v1/biobanks/")
    collections = persona.client.get("/api/v1/collections/")

    if not persona.authenticated:
        assert (biobanks.status_code, collections.status_code) == (401, 401)
        return
    assert ("biobank-a" in [row["code"] for row in biobanks.json()["results"]]) == (
        "view_biobank" in persona.perms_on_a
    )
    assert (world.collection_a.pk in [row["id"] for row in collections.json()["results"]]) == (
        "view_catalog" in persona.perms_on_a
    )
    specimens = persona.client.get("/api/v1/specimens/")
    assert (world.specimen.barcode in [row["barcode"] for row in specimens.json()["results"]]) == (
        "view_specimens" in persona.perms_on_a
    )
