"""The permission matrix generated from the OpenAPI schema (issue 9, CI gate).

Every operation of the schema times every persona (each role of docs/security.md "Who is who", a researcher, a donor,
anonymous, a full and a read-only partner token of biobank A, the admin who asked for A's pending role, and a donor
with a donor-portal account, whose own API under /api/v1/me/ exists for nobody else).
``RULES`` holds one rule per operation; ``EXPECTED`` is the table it spells out, ``{(method, path): {persona:
status}}``. The gate fails

* when the schema has an operation without a rule, or a rule names an operation the schema no longer has;
* when a persona gets another status than the table's on an object of its OWN biobank (an allowed call is 2xx, a
  refusal is 403 where the caller sees the object but may not act, 404 where it may not even see it);
* when an object of the FOREIGN biobank B answers anything but 404, on every verb the path offers, both under B's
  code and smuggled under A's code (there a caller refused on A is refused first, with the same 403 for any id);
  verbs a path does not offer answer 405 for own and foreign objects alike.

Run: ``pytest tests/api/test_openapi_matrix.py -q`` (the figures are printed with ``-s``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from biobank.accounts.choices import Role
from tests.permission_world import ASKING_ADMIN, Side, World, perms_on_own, world_of_two_biobanks
from tests.permission_world import PERSONAS as PEOPLE_AND_TOKENS

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
TOKENS = ("token", "read_only_token")
# The matrix world's "donor" has no donor-portal account (as in the URL matrix); this one has, for biobank A's donor.
PORTAL_DONOR = "portal_donor"
PERSONAS = (*PEOPLE_AND_TOKENS, ASKING_ADMIN, PORTAL_DONOR)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    for built in world_of_two_biobanks(django_db_blocker, tmp_path_factory):
        with django_db_blocker.unblock():
            for side in (built.a, built.b):
                describe_for_the_catalogue(side)
            give_the_donor_a_portal_account(built)
        yield built


def give_the_donor_a_portal_account(world: World) -> None:
    """A donor-portal account for each side's donor (a message each, the receipt of A's consent); A's signs in."""
    from biobank.accounts.mfa import MFA_SESSION_KEY, VERIFIED
    from consent.models import DonorAccount, DonorMessage
    from consent.services import consent_receipt_generate
    from tests.accounts.factories import UserFactory

    for side in (world.a, world.b):
        user = UserFactory(email=f"matrix-portal-donor-{side.biobank.code}@example.org", is_donor=True)
        account = DonorAccount.objects.create(user=user, donor=side.donor, biobank=side.biobank)
        DonorMessage.objects.create(account=account, kind="donor_invitation", subject="Welcome", body="Welcome.")
    consent_receipt_generate(consent_id=world.a.consent.pk)
    client = APIClient()
    client.force_login(world.a.donor.account.user)
    session = client.session
    session[MFA_SESSION_KEY] = VERIFIED
    session.save()
    world.sessions[PORTAL_DONOR] = client.cookies


def describe_for_the_catalogue(side: Side) -> None:
    """A published MIABIS description of the side's biobank and collection, and a network (the public catalogue)."""
    from catalog import services as catalog_services

    code, country = side.biobank.code, side.biobank.country
    contact = catalog_services.person_save(
        actor=None, bbmri_id=f"bbmri-eric:contactID:{country}_{code}", email=f"{code}@example.org", country=country
    )
    profile = catalog_services.profile_save(
        actor=None, biobank=side.biobank, bbmri_id=f"bbmri-eric:ID:{country}_{code}", description="Matrix",
        juristic_person="Matrix", contact=contact, state="published",
    )  # fmt: skip
    catalog_services.collection_describe(
        actor=None, collection=side.collection, bbmri_id=f"{profile.bbmri_id}:collection:{side.collection.code}",
        description="Matrix", contact=contact, sex=["FEMALE"], dataset_types=["Clinical dataset"], materials=["DNA"],
    )  # fmt: skip
    catalog_services.collection_set_state(actor=None, collection=side.collection, state="published")
    catalog_services.network_save(
        actor=None, bbmri_id=network_id(side), name="Matrix", description="Matrix", contact=contact,
        member_biobanks=[side.biobank],
    )  # fmt: skip


def network_id(side: Side) -> str:
    return f"bbmri-eric:networkID:EU_{side.biobank.code}"


PEOPLE_WITHOUT_BIOBANK = ("researcher", "donor", PORTAL_DONOR)


@dataclass(frozen=True)
class Rule:
    """Who may call one operation on biobank A's object.

    ``act``: the permissions (any of) that allow it, answered ``ok``. Without them: ``403`` if the caller holds
    ``see`` on A (it sees the object but may not act), else ``404``. ``open``: every signed-in caller gets ``ok``
    (lists filtered by the selectors). ``global_act``: the refusal is a 403 whatever the object, because the caller
    holds ``act`` in no biobank at all (checked before any object is looked up). ``tokens``: a fixed answer for
    partner tokens, where tokens never get the action (people only). ``asker``: the answer to the admin who asked
    for the pending role (four eyes). ``public``: everyone gets ``ok``, anonymous included (the SPREC utilities of
    issue 11; they name no biobank's object, so they get no foreign-object probe).
    """

    ok: int = 200
    act: frozenset[str] = frozenset()
    see: str = ""
    open: bool = False
    global_act: bool = False
    tokens: int | None = None
    asker: int | None = None
    public: bool = False
    donor: bool = False
    researcher: bool = False  # researchers only (access requests): ``ok`` for them, 403 for everyone else


def _rule(ok: int = 200, act: str | set[str] = frozenset(), see: str = "", **kwargs: Any) -> Rule:
    acts = frozenset({act} if isinstance(act, str) else act)
    return Rule(ok=ok, act=acts, see=see, **kwargs)


# One rule per operation of the schema, keyed by (method, path template).
RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/me/"): _rule(open=True),
    ("GET", "/api/v1/biobanks/"): _rule(open=True),
    ("GET", "/api/v1/biobanks/{code}/"): _rule(act="view_biobank"),
    ("GET", "/api/v1/biobanks/{code}/members/"): _rule(act="view_biobank", tokens=403),
    ("POST", "/api/v1/biobanks/{code}/members/"): _rule(201, act="manage_members", see="view_biobank"),
    ("DELETE", "/api/v1/biobanks/{code}/members/{membership_id}/"): _rule(
        204, act="manage_members", see="view_biobank"
    ),
    ("GET", "/api/v1/biobanks/{code}/role-grants/"): _rule(act="manage_members", see="view_biobank"),
    ("POST", "/api/v1/biobanks/{code}/role-grants/{grant_id}/approve/"): _rule(
        201,
        act="manage_members",
        see="view_biobank",
        asker=400,  # four eyes: code four_eyes
    ),
    ("POST", "/api/v1/biobanks/{code}/role-grants/{grant_id}/reject/"): _rule(act="manage_members", see="view_biobank"),
    ("GET", "/api/v1/collections/"): _rule(open=True),
    ("POST", "/api/v1/collections/"): _rule(201, act="manage_catalog", global_act=True),
    ("GET", "/api/v1/collections/{id}/"): _rule(act="view_catalog"),
    ("PATCH", "/api/v1/collections/{id}/"): _rule(act="manage_catalog", see="view_catalog"),
    ("GET", "/api/v1/consent-templates/"): _rule(open=True),
    ("GET", "/api/v1/consent-templates/{id}/"): _rule(act={"view_donors", "manage_consent"}),
    ("GET", "/api/v1/consent/check"): _rule(act="view_donors", global_act=True),
    ("POST", "/api/v1/consent/check/bulk"): _rule(act="view_donors", global_act=True),
    ("GET", "/api/v1/consents/"): _rule(open=True),
    ("GET", "/api/v1/consents/{id}/"): _rule(act="view_donors"),
    ("GET", "/api/v1/donors/"): _rule(open=True),
    ("POST", "/api/v1/donors/"): _rule(201, act="manage_consent", global_act=True),
    ("GET", "/api/v1/donors/{pid}/"): _rule(act="view_donors"),
    ("GET", "/api/v1/donors/{pid}/consents/"): _rule(act="view_donors"),
    ("POST", "/api/v1/donors/{pid}/identity/"): _rule(act="view_identity", see="view_donors"),
    ("GET", "/api/v1/specimens/"): _rule(open=True),
    ("POST", "/api/v1/specimens/"): _rule(201, act="change_specimens", global_act=True),
    ("GET", "/api/v1/specimens/{barcode}/"): _rule(act="view_specimens"),
    ("PATCH", "/api/v1/specimens/{barcode}/"): _rule(act="change_specimens", see="view_specimens"),
    ("POST", "/api/v1/specimens/{barcode}/aliquots/"): _rule(201, act="change_specimens", see="view_specimens"),
    ("POST", "/api/v1/specimens/{barcode}/derivatives/"): _rule(201, act="change_specimens", see="view_specimens"),
    ("POST", "/api/v1/specimens/{barcode}/reserve/"): _rule(act="change_specimens", see="view_specimens"),
    ("POST", "/api/v1/specimens/{barcode}/release/"): _rule(act="change_specimens", see="view_specimens"),
    ("POST", "/api/v1/specimens/{barcode}/ship/"): _rule(act="change_specimens", see="view_specimens"),
    ("POST", "/api/v1/specimens/{barcode}/return/"): _rule(act="change_specimens", see="view_specimens"),
    ("POST", "/api/v1/specimens/{barcode}/consume/"): _rule(act="change_specimens", see="view_specimens"),
    ("POST", "/api/v1/specimens/{barcode}/dispose/"): _rule(act="change_specimens", see="view_specimens"),
    ("POST", "/api/v1/specimens/{barcode}/unblock/"): _rule(act="change_specimens", see="view_specimens"),
    ("GET", "/api/v1/specimens/{barcode}/events/"): _rule(act="view_specimens"),
    ("POST", "/api/v1/specimens/{barcode}/events/"): _rule(201, act="change_specimens", see="view_specimens"),
    ("POST", "/api/v1/specimen-pools/"): _rule(201, act="change_specimens", global_act=True),
    ("POST", "/api/v1/specimen-imports/"): _rule(202, act="change_specimens", global_act=True),
    ("GET", "/api/v1/specimen-imports/{id}/"): _rule(act="change_specimens"),
    ("GET", "/api/v1/specimen-imports/{id}/errors/"): _rule(act="change_specimens"),
    ("POST", "/api/v1/specimen-imports/{id}/commit/"): _rule(202, act="change_specimens"),
    # storage (specimens/api/storage_views.py): units, box maps, placements
    ("GET", "/api/v1/storage-units/"): _rule(open=True),
    ("POST", "/api/v1/storage-units/"): _rule(201, act="change_specimens", global_act=True),
    ("GET", "/api/v1/storage-units/{id}/"): _rule(act="view_specimens"),
    ("PATCH", "/api/v1/storage-units/{id}/"): _rule(act="change_specimens", see="view_specimens"),
    ("GET", "/api/v1/storage-units/{id}/map/"): _rule(act="view_specimens"),
    ("GET", "/api/v1/storage-units/{id}/free-positions/"): _rule(act="view_specimens"),
    ("POST", "/api/v1/storage-units/{id}/placements/"): _rule(201, act="change_specimens", see="view_specimens"),
    ("POST", "/api/v1/placements/"): _rule(201, act="change_specimens", global_act=True),
    ("POST", "/api/v1/placements/move/"): _rule(act="change_specimens", global_act=True),
    ("POST", "/api/v1/placements/unplace/"): _rule(act="change_specimens", global_act=True),
    ("GET", "/api/v1/audit-events/"): _rule(open=True),
    ("GET", "/api/v1/audit-events/{seq}/"): _rule(act="view_audit"),
    ("POST", "/api/v1/sprec/derive/"): _rule(public=True),
    ("GET", "/api/v1/sprec/{sprec}/"): _rule(public=True),
    ("POST", "/api/v1/duo/match"): _rule(public=True),  # DUO matching for partner systems (issue 14)
    # the public catalogue (issue 12): reads for everyone (published records); writes for its data managers, a
    # record of a biobank whose catalogue the caller cannot see as staff is a 404 (even when it is published)
    ("GET", "/api/v1/catalog/biobanks/"): _rule(public=True),
    ("GET", "/api/v1/catalog/biobanks/{code}/"): _rule(public=True),
    ("PATCH", "/api/v1/catalog/biobanks/{code}/"): _rule(act="manage_catalog", see="view_catalog"),
    ("GET", "/api/v1/catalog/collections/{id}/"): _rule(public=True),
    ("PATCH", "/api/v1/catalog/collections/{id}/"): _rule(act="manage_catalog", see="view_catalog"),
    ("POST", "/api/v1/catalog/collections/{id}/state/"): _rule(act="manage_catalog", see="view_catalog"),
    ("GET", "/api/v1/catalog/networks/"): _rule(public=True),
    ("GET", "/api/v1/catalog/networks/{id}/"): _rule(public=True),
    ("GET", "/api/v1/catalog/facts/"): _rule(public=True),
    ("GET", "/api/v1/catalog/vocabularies/"): _rule(public=True),
    ("GET", "/api/v1/catalog/vocabularies/{name}/"): _rule(public=True),
    ("GET", "/api/v1/catalog/collections/"): _rule(public=True),  # the public catalogue search (issue 12)
    # the donor's own API (consent/api/portal.py): a donor session only, 404 for everyone else
    ("GET", "/api/v1/me/overview/"): _rule(donor=True),
    ("GET", "/api/v1/me/consents/"): _rule(donor=True),
    ("GET", "/api/v1/me/consents/{id}/"): _rule(donor=True),
    ("GET", "/api/v1/me/consents/{id}/receipt"): _rule(donor=True),
    ("GET", "/api/v1/me/history/"): _rule(donor=True),
    ("GET", "/api/v1/me/projects/"): _rule(donor=True),
    ("GET", "/api/v1/me/messages/"): _rule(donor=True),
    ("GET", "/api/v1/me/messages/{id}/"): _rule(donor=True),
    ("POST", "/api/v1/me/choices/"): _rule(201, donor=True),
    ("POST", "/api/v1/me/withdrawals/"): _rule(201, donor=True),
    ("GET", "/api/v1/me/preferences/"): _rule(donor=True),
    ("PUT", "/api/v1/me/preferences/"): _rule(donor=True),
    ("PATCH", "/api/v1/me/preferences/"): _rule(donor=True),
    # access requests, entitle verbs (access_requests/api/entitlements.py): the matrix world has no access request
    # yet, so {id} names none and every caller signed in gets 404 (tokens read no requests); the verbs' own rules
    # (researcher, DAC chair of the resource's biobank) are tested in tests/access_requests/api/test_entitlements.py.
    ("POST", "/api/v1/access-requests/{id}/accept-conditions"): _rule(201),
    ("POST", "/api/v1/access-requests/{id}/grant"): _rule(),
    ("POST", "/api/v1/access-requests/{id}/revoke"): _rule(),
    ("POST", "/api/v1/access-requests/{id}/renew"): _rule(),
    ("POST", "/api/v1/access-requests/{id}/close"): _rule(),
    ("GET", "/api/v1/access-requests/{id}/reports"): _rule(),
    ("POST", "/api/v1/access-requests/{id}/reports"): _rule(201),
    # --- wizard (access_requests/api/requests.py, feasibility.py): a researcher creates drafts; the matrix world has
    # no request, so every request's operation is 404 for everyone (tests/access_requests/api cover real ones)
    ("GET", "/api/v1/access-requests/"): _rule(open=True),
    ("POST", "/api/v1/access-requests/"): _rule(201, researcher=True),
    ("GET", "/api/v1/access-requests/{id}/"): _rule(),
    ("PATCH", "/api/v1/access-requests/{id}/"): _rule(),
    ("GET", "/api/v1/access-requests/{id}/feasibility/"): _rule(),
    ("POST", "/api/v1/access-requests/{id}/submit/"): _rule(),
    ("POST", "/api/v1/access-requests/{id}/withdraw/"): _rule(),
    ("POST", "/api/v1/access-requests/{id}/resubmit/"): _rule(),
    # the committee's verbs on an access request (access_requests/api/review.py). The world's request of A is under
    # review with its resource available and A has no committee: holders of review_requests read it (messages 200/201)
    # but hold no seat (403), a review already started is a 409; everyone else, tokens included, does not see it
    ("POST", "/api/v1/access-requests/{id}/review-start"): _rule(409, act="review_requests", tokens=404),
    ("POST", "/api/v1/access-requests/{id}/changes-request"): _rule(403, act="review_requests", tokens=404),
    ("POST", "/api/v1/access-requests/{id}/conflict"): _rule(403, act="review_requests", tokens=404),
    ("POST", "/api/v1/access-requests/{id}/assign"): _rule(403, act="review_requests", tokens=404),
    ("POST", "/api/v1/access-requests/{id}/vote"): _rule(403, act="review_requests", tokens=404),
    ("POST", "/api/v1/access-requests/{id}/decide"): _rule(403, act="review_requests", tokens=404),
    ("GET", "/api/v1/access-requests/{id}/messages"): _rule(act="review_requests", tokens=404),
    ("POST", "/api/v1/access-requests/{id}/messages"): _rule(201, act="review_requests", tokens=404),
}

# --- access requests: fulfilment (access_requests/api/fulfilment.py): a granted request of A with a release and a
# prepared shipment; reviewers and specimen staff see them, the committee builds, specimen staff ship.
_FULFILMENT_SEE = {"review_requests", "change_specimens"}
RULES.update(
    {
        ("GET", "/api/v1/access-requests/{id}/releases"): _rule(act=_FULFILMENT_SEE, tokens=404),
        ("POST", "/api/v1/access-requests/{id}/releases"): _rule(
            201, act="decide_requests", see="review_requests", tokens=404
        ),
        ("GET", "/api/v1/access-requests/{id}/shipments"): _rule(act=_FULFILMENT_SEE, tokens=404),
        ("POST", "/api/v1/access-requests/{id}/shipments"): _rule(
            201, act="change_specimens", see="review_requests", tokens=404
        ),
        # only the request's own researcher (not a persona of the matrix) gets a link
        ("POST", "/api/v1/releases/{id}/download-link"): _rule(201, tokens=404),
        ("POST", "/api/v1/shipments/{id}/ship"): _rule(act="change_specimens", see="review_requests", tokens=404),
        ("POST", "/api/v1/shipments/{id}/cancel"): _rule(act="change_specimens", see="review_requests", tokens=404),
        # a prepared shipment cannot be received, returned or used up yet: the table refuses (409)
        ("POST", "/api/v1/shipments/{id}/receive"): _rule(
            409, act="change_specimens", see="review_requests", tokens=404
        ),
        ("POST", "/api/v1/shipments/{id}/return"): _rule(
            409, act="change_specimens", see="review_requests", tokens=404
        ),
        ("POST", "/api/v1/shipments/{id}/consume"): _rule(
            409, act="change_specimens", see="review_requests", tokens=404
        ),
    }
)


def expected_status(rule: Rule, persona: str) -> int:
    """The status the table holds for ``persona`` calling the operation on its own biobank's object."""
    if rule.public:
        return rule.ok
    if persona == "anonymous":
        return 401
    if rule.donor:
        return rule.ok if persona == PORTAL_DONOR else 404
    if rule.researcher:
        return rule.ok if persona == "researcher" else 403
    perms = perms_on_own(persona)
    if rule.asker is not None and persona == ASKING_ADMIN:
        return rule.asker
    if rule.tokens is not None and persona in TOKENS:
        return rule.tokens
    if rule.open or rule.act & perms:
        return rule.ok
    if rule.global_act:
        return 403  # holds the permission in no biobank: refused before any object is looked at
    return 403 if rule.see and rule.see in perms else 404


EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    operation: {persona: expected_status(rule, persona) for persona in PERSONAS} for operation, rule in RULES.items()
}


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item if method in METHODS}


SCHEMA_OPERATIONS = sorted(schema_operations())
PATH_PARAMETER = re.compile(r"{(\w+)}")
# paths whose every operation is public (a path with a public read and a staff write keeps its foreign-write probes)
PUBLIC_PATHS = {path for (_, path) in RULES} - {path for (_, path), rule in RULES.items() if not rule.public}
OBJECT_PATHS = sorted({path for _, path in SCHEMA_OPERATIONS if PATH_PARAMETER.search(path)} - PUBLIC_PATHS)


def _id_for(path: str, side: Side) -> int:
    if path.startswith("/api/v1/catalog/collections/"):
        return side.collection.pk
    if path.startswith("/api/v1/catalog/networks/"):
        from catalog.models import Network

        return Network.objects.get(bbmri_id=network_id(side)).pk
    if path.startswith("/api/v1/collections/"):
        return side.collection.pk
    if path.startswith("/api/v1/consent-templates/"):
        return side.template.pk
    if path.startswith("/api/v1/consents/") or path.startswith("/api/v1/me/consents/"):
        return side.consent.pk
    if path.startswith("/api/v1/me/messages/"):
        return side.donor.account.messages.get().pk
    if path.startswith("/api/v1/specimen-imports/"):
        return checked_import(side).pk  # a fresh job each time: a commit changes its state
    if path.startswith("/api/v1/storage-units/"):
        return side.box.pk
    if path.startswith("/api/v1/access-requests/"):
        return _access_request_id(path, side)
    if path.startswith("/api/v1/releases/"):
        return fulfilment_objects(side)["release"]
    if path.startswith("/api/v1/shipments/"):
        return fulfilment_objects(side)["shipment"]
    raise AssertionError(f"no object known for {{id}} in {path}")


# Which request of the world an access-request operation is called on (see the RULES comments of each block):
# the committee's verbs on A's request under review, the fulfilment lists and verbs on A's granted request.
COMMITTEE_VERBS = ("review-start", "changes-request", "conflict", "assign", "vote", "decide", "messages")
FULFILMENT_VERBS = ("releases", "shipments")
NO_REQUEST = 999_999  # entitle and wizard operations: an id that names no request (see RULES)


def _access_request_id(path: str, side: Side) -> int:
    verb = path.rstrip("/").rsplit("/", 1)[-1]
    if verb in COMMITTEE_VERBS:
        return access_request_of(side).pk
    if verb in FULFILMENT_VERBS:
        return fulfilment_objects(side)["request"]
    return NO_REQUEST


def fulfilment_objects(side: Side) -> dict[str, int]:
    """A granted request of ``side``'s biobank (by a researcher who is no persona), with a running entitlement, a
    READY release and a prepared shipment of ``side.reserved``: ids of request, resource, release, shipment."""
    from datetime import timedelta

    from django.utils import timezone

    from access_requests.choices import ResourceStatus
    from access_requests.models import Entitlement, Release, RequestResource, Shipment, ShipmentItem
    from tests.access_requests.factories import make_request, make_researcher

    # A's granted resource, not A's first one: the world also holds A's request under review (access_request_of)
    resource = RequestResource.objects.filter(biobank=side.biobank, status=ResourceStatus.ACCESS_GRANTED).first()
    if resource is None:
        researcher = make_researcher()
        request = make_request(researcher, [side.biobank], status="active", resource_status="access_granted")
        resource = request.resources.get()
        today = timezone.localdate()
        Entitlement.objects.create(
            resource=resource,
            user=researcher,
            starts_on=today,
            ends_on=today + timedelta(days=30),
            granted_by=researcher,
        )
    release = Release.objects.filter(resource=resource).first() or Release.objects.create(
        resource=resource, status="ready", requested_by=resource.request.researcher
    )
    shipment = Shipment.objects.filter(resource=resource).first()
    if shipment is None:
        shipment = Shipment.objects.create(resource=resource, address="Lab", created_by=side.admin)
        ShipmentItem.objects.create(shipment=shipment, specimen=side.reserved)
    return {"request": resource.request_id, "resource": resource.pk, "release": release.pk, "shipment": shipment.pk}


# The specimen an action starts from: reserved for a release, shipped for a return, consent-blocked for an unblock.
SPECIMEN_FOR_ACTION = {"release": "reserved", "return": "shipped", "unblock": "blocked"}


def _barcode_for(path: str, side: Side) -> str:
    action = path.rstrip("/").rsplit("/", 1)[-1]
    return getattr(side, SPECIMEN_FOR_ACTION.get(action, "specimen")).barcode


def import_csv(side: Side) -> str:
    return f"donor_pid,collection,sample_type,quantity,unit\n{side.donor.pid_display},{side.collection.code},SER,1,mL\n"


def checked_import(side: Side) -> Any:
    """An import job of ``side`` whose check found no error (ready to be imported)."""
    from specimens.services.imports import import_check, import_upload

    job = import_upload(actor=None, biobank=side.biobank, data=import_csv(side).encode(), file_name="matrix.csv")
    return import_check(job_id=job.pk)


def access_request_of(side: Side) -> Any:
    """A request to ``side``'s biobank under review, its resource available (no committee: nobody holds a seat)."""
    from access_requests.choices import RequestStatus, ResourceStatus
    from access_requests.models import AccessRequest
    from tests.access_requests.factories import make_request, make_researcher

    title = f"Matrix request {side.biobank.code}"
    found = AccessRequest.objects.filter(title=title).first()
    return found or make_request(
        make_researcher(email=f"matrix-researcher-{side.biobank.code}@example.org"),
        [side.biobank],
        status=RequestStatus.UNDER_REVIEW,
        resource_status=ResourceStatus.AVAILABLE,
        title=title,
    )


def fill(path: str, side: Side, *, code_of: Side | None = None) -> str:
    """``path`` with the parameters of ``side``'s objects (``code_of``: take the biobank code from another side)."""
    values = side.path_values() | {"sprec": "SER-SST-A-B-N-A-E", "name": "Directory.SexTypes"}
    if "{id}" in path:
        values["id"] = _id_for(path, side)
    if "{barcode}" in path:
        values["barcode"] = _barcode_for(path, side)
    if code_of is not None:
        values["code"] = code_of.biobank.code
    return PATH_PARAMETER.sub(lambda match: str(values[match.group(1)]), path)


def _body(method: str, path: str, world: World, side: Side) -> dict[str, Any] | None:
    """A valid request body (or query) for the operation, naming ``side``'s objects."""
    bodies: dict[tuple[str, str], Callable[[], dict[str, Any]]] = {
        ("POST", "/api/v1/biobanks/{code}/members/"): lambda: {"email": world.newcomer.email, "role": "technician"},
        ("POST", "/api/v1/collections/"): lambda: {"biobank": side.biobank.code, "code": "matrix-new", "name": "New"},
        ("PATCH", "/api/v1/collections/{id}/"): lambda: {"name": "Renamed"},
        ("PATCH", "/api/v1/catalog/biobanks/{code}/"): lambda: {"acronym": "MX"},
        ("POST", "/api/v1/access-requests/{id}/changes-request"): lambda: {"reason": "Attach the ethics approval."},
        ("POST", "/api/v1/access-requests/{id}/conflict"): lambda: {"has_conflict": False},
        ("POST", "/api/v1/access-requests/{id}/assign"): lambda: {
            "resource": access_request_of(side).resources.get().pk,
            "reviewer": side.member.pk,
        },
        ("POST", "/api/v1/access-requests/{id}/vote"): lambda: {
            "resource": access_request_of(side).resources.get().pk,
            "value": "approve",
            "rationale": "Sound.",
        },
        ("POST", "/api/v1/access-requests/{id}/decide"): lambda: {
            "resource": access_request_of(side).resources.get().pk,
            "outcome": "approved",
            "rationale": "Sound.",
        },
        ("POST", "/api/v1/access-requests/{id}/messages"): lambda: {"body": "When will you decide?"},
        ("PATCH", "/api/v1/catalog/collections/{id}/"): lambda: {"description": "Matrix, described again"},
        ("POST", "/api/v1/catalog/collections/{id}/state/"): lambda: {"state": "published"},
        ("GET", "/api/v1/catalog/facts/"): lambda: {"collection": side.collection.pk},
        ("GET", "/api/v1/consent/check"): lambda: {"donor": side.donor.pid_display, "purpose": "biomat-use"},
        ("POST", "/api/v1/consent/check/bulk"): lambda: {
            "donors": [side.donor.pid_display],
            "purpose": "DUO:0000006",
            "data_class": "material",
        },
        ("POST", "/api/v1/donors/"): lambda: {
            "biobank": side.biobank.code,
            "given_names": "Max",
            "family_name": "Matrix",
            "date_of_birth": "1980-01-02",
            "hospital_id": "MRN-MATRIX",
        },
        ("POST", "/api/v1/donors/{pid}/identity/"): lambda: {"reason": "Recontact for the matrix test."},
        ("POST", "/api/v1/storage-units/"): lambda: {
            "biobank": side.biobank.code,
            "kind": "site",
            "name": "Matrix site",
            "code": "MATRIX-SITE",
        },
        ("PATCH", "/api/v1/storage-units/{id}/"): lambda: {"name": "Renamed"},
        ("POST", "/api/v1/storage-units/{id}/placements/"): lambda: {
            "placements": [{"barcode": side.specimen.barcode}]
        },
        ("POST", "/api/v1/placements/"): lambda: {
            "barcode": side.specimen.barcode,
            "box": side.box.pk,
            "position": "A1",
        },
        ("POST", "/api/v1/placements/move/"): lambda: {
            "barcode": side.placed.barcode,
            "box": side.box.pk,
            "position": "A1",
        },
        ("POST", "/api/v1/placements/unplace/"): lambda: {"barcode": side.placed.barcode},
        ("POST", "/api/v1/sprec/derive/"): lambda: {"kind": "fluid", "sample_type": "SER", "centrifugation": "none"},
        ("POST", "/api/v1/duo/match"): lambda: {"dataset": {"terms": ["GRU"]}, "purpose": {"hmb": True}},
        ("POST", "/api/v1/specimens/"): lambda: {
            "biobank": side.biobank.code,
            "collection": side.collection.code,
            "donor": side.donor.pid_display,
            "sample_type": "SER",
            "quantity": "1",
            "unit": "mL",
        },
        ("PATCH", "/api/v1/specimens/{barcode}/"): lambda: {"notes": "Matrix"},
        ("POST", "/api/v1/specimens/{barcode}/aliquots/"): lambda: {"count": 1, "quantity": "0.1", "unit": "mL"},
        ("POST", "/api/v1/specimens/{barcode}/derivatives/"): lambda: {
            "sample_type": "SER",
            "used_quantity": "0.1",
            "used_unit": "mL",
            "quantity": "0.1",
            "unit": "mL",
        },
        ("POST", "/api/v1/specimens/{barcode}/reserve/"): lambda: {"purpose": "GRU", "reason": "Matrix"},
        ("POST", "/api/v1/specimens/{barcode}/release/"): lambda: {"reason": "Matrix"},
        ("POST", "/api/v1/specimens/{barcode}/ship/"): lambda: {"purpose": "GRU", "recipient": "Matrix"},
        ("POST", "/api/v1/specimens/{barcode}/consume/"): lambda: {"reason": "Matrix"},
        ("POST", "/api/v1/specimens/{barcode}/dispose/"): lambda: {"reason": "Matrix"},
        ("POST", "/api/v1/specimens/{barcode}/unblock/"): lambda: {"reason": "Matrix"},
        ("POST", "/api/v1/specimens/{barcode}/events/"): lambda: {"type": "processed"},
        ("POST", "/api/v1/specimen-pools/"): lambda: {
            "parts": [
                {"barcode": side.specimen.barcode, "quantity": "0.1", "unit": "mL"},
                {"barcode": side.reserved.barcode, "quantity": "0.1", "unit": "mL"},
            ]
        },
        ("POST", "/api/v1/me/choices/"): lambda: {
            "consent": side.consent.pk,
            "module": "recontact",
            "choice": "declined",
        },
        ("POST", "/api/v1/me/withdrawals/"): lambda: {"level": "no_further_contact"},
        ("PUT", "/api/v1/me/preferences/"): lambda: {
            "notify_news": True,
            "notify_results": False,
            "notify_recontact": True,
            "language": "de",
        },
        ("PATCH", "/api/v1/me/preferences/"): lambda: {"notify_news": True},
        ("POST", "/api/v1/access-requests/"): lambda: {"title": "Matrix request"},
        ("POST", "/api/v1/access-requests/{id}/releases"): lambda: {"resource": fulfilment_objects(side)["resource"]},
        ("POST", "/api/v1/access-requests/{id}/shipments"): lambda: {
            "resource": fulfilment_objects(side)["resource"],
            "specimen_ids": [side.specimen.pk],
            "address": "Matrix lab",
        },
        ("POST", "/api/v1/shipments/{id}/ship"): lambda: {"courier_reference": "MATRIX-1"},
        ("POST", "/api/v1/specimen-imports/"): lambda: {
            "biobank": side.biobank.code,
            "file_name": "matrix.csv",
            "content": import_csv(side),
        },
    }
    build = bodies.get((method, path))
    return build() if build else None


def call(client: Any, method: str, url: str, body: dict[str, Any] | None) -> Any:
    cache.clear()  # throttle buckets: the matrix sends many requests from one persona
    if method == "GET":
        return client.get(url, body or {})
    return getattr(client, method.lower())(url, body or {}, format="json")


# --- the gate: every schema operation has a rule, every rule an operation -------------------------------------------


def test_every_operation_of_the_schema_has_an_entry_in_the_matrix_and_every_entry_an_operation():
    missing = sorted(set(SCHEMA_OPERATIONS) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(SCHEMA_OPERATIONS))

    assert not missing, f"operations without an entry in RULES (add one): {missing}"
    assert not stale, f"entries of RULES the schema no longer has (remove them): {stale}"


def test_the_gate_notices_an_operation_without_an_entry(monkeypatch):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    schema["paths"]["/api/v1/unlisted/"] = {"get": {"operationId": "unlisted"}}
    monkeypatch.setattr(SchemaGenerator, "get_schema", lambda self, **kwargs: schema)

    assert schema_operations() - set(EXPECTED) == {("GET", "/api/v1/unlisted/")}


def test_the_table_covers_every_persona_on_every_operation_with_figures(capsys):
    cells = sum(len(row) for row in EXPECTED.values())
    allowed = sum(1 for row in EXPECTED.values() for status in row.values() if status < 400)
    with capsys.disabled():
        print(
            f"\nAPI matrix: {len(EXPECTED)} operations x {len(PERSONAS)} personas = {cells} checks "
            f"({allowed} allowed, {cells - allowed} refused); foreign-object probes: {len(FOREIGN_CASES)} "
            f"(+{len(UNOFFERED_CASES)} unoffered verbs)"
        )
    assert cells == len(SCHEMA_OPERATIONS) * len(PERSONAS)
    assert all(set(row) == set(PERSONAS) for row in EXPECTED.values())


# --- own biobank: the table ----------------------------------------------------------------------------------------

OWN_CASES = [(method, path, persona) for (method, path) in sorted(EXPECTED) for persona in PERSONAS]


@pytest.mark.parametrize(("method", "path", "persona"), OWN_CASES, ids=[f"{m} {p} {r}" for m, p, r in OWN_CASES])
def test_each_persona_gets_the_tables_status_on_its_own_biobanks_object(world, method, path, persona):
    url = fill(path, world.a)

    response = call(world.client(persona), method, url, _body(method, path, world, world.a))

    expected = EXPECTED[(method, path)][persona]
    assert response.status_code == expected, (persona, method, url, response.content[:300])
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"


# --- foreign biobank: 404 on every verb ----------------------------------------------------------------------------

PERSONAS_WITH_A_BIOBANK = tuple(p for p in PERSONAS if p not in (*PEOPLE_WITHOUT_BIOBANK, "anonymous"))


def _foreign_cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for path in OBJECT_PATHS:
        # a public read of a published foreign record answers 200 by design: only the other verbs are probed
        offered = sorted(
            method for method, p in SCHEMA_OPERATIONS if p == path and not RULES.get((method, p), Rule()).public
        )
        variants = ["foreign biobank"]
        if "{code}" in path and path.count("{") > 1:
            variants.append("foreign object under own code")
        for method in offered:
            for variant in variants:
                for persona in PERSONAS_WITH_A_BIOBANK:
                    cases.append((method, path, variant, persona))
    return cases


def _unoffered_cases() -> list[tuple[str, str]]:
    cases = []
    for path in OBJECT_PATHS:
        offered = {method for method, p in SCHEMA_OPERATIONS if p == path}
        cases += [(method.upper(), path) for method in METHODS if method.upper() not in offered]
    return cases


FOREIGN_CASES = _foreign_cases()
UNOFFERED_CASES = _unoffered_cases()


@pytest.mark.parametrize(
    ("method", "path", "variant", "persona"),
    FOREIGN_CASES,
    ids=[f"{m} {p} {v} {r}" for m, p, v, r in FOREIGN_CASES],
)
def test_an_object_of_a_foreign_biobank_is_404_on_every_verb(world, method, path, variant, persona):
    code_of = world.a if variant == "foreign object under own code" else None
    url = fill(path, world.b, code_of=code_of)

    response = call(world.client(persona), method, url, _body(method, path, world, world.b))

    # Under its own code a caller who may see the biobank but not act there is refused before any object is looked
    # up: the same 403 for every id, so it tells nothing about the foreign object.
    refused_before_lookup = code_of is not None and EXPECTED[(method, path)][persona] == 403
    assert response.status_code == (403 if refused_before_lookup else 404), (persona, method, url, response.content)
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(("method", "path"), UNOFFERED_CASES, ids=[f"{m} {p}" for m, p in UNOFFERED_CASES])
def test_a_verb_the_path_does_not_offer_answers_the_same_for_own_and_foreign_objects(world, method, path):
    """405 whether the object exists in one's own biobank or a foreign one: the answer tells nothing about it (the
    donor's own API exists only for a donor: asked by the donor, whose own object is A's)."""
    client = world.client(PORTAL_DONOR if path.startswith("/api/v1/me/") else Role.BIOBANK_ADMIN)

    own = call(client, method, fill(path, world.a), None)
    foreign = call(client, method, fill(path, world.b), None)

    assert (own.status_code, foreign.status_code) == (405, 405), (own.content[:200], foreign.content[:200])


DONOR_OBJECT_CASES = [
    (method, path)
    for path in OBJECT_PATHS
    if path.startswith("/api/v1/me/")
    for method, p in SCHEMA_OPERATIONS
    if p == path
]


@pytest.mark.parametrize(("method", "path"), DONOR_OBJECT_CASES, ids=[f"{m} {p}" for m, p in DONOR_OBJECT_CASES])
def test_another_donors_object_is_404_to_the_donor(world, method, path):
    """IDOR: the donor of A asks for the consent, receipt or message of B's donor (who has an account too)."""
    response = call(world.client(PORTAL_DONOR), method, fill(path, world.b), _body(method, path, world, world.b))

    assert response.status_code == 404, (method, path, response.content[:300])
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/v1/me/choices/"), ("POST", "/api/v1/me/withdrawals/")],
)
def test_another_donors_consent_named_in_the_body_is_404_to_the_donor(world, method, path):
    body = {"consent": world.b.consent.pk, "module": "recontact"}
    if path.endswith("choices/"):
        body["choice"] = "declined"

    response = call(world.client(PORTAL_DONOR), method, path, body)

    assert response.status_code == 404, response.content[:300]


# --- foreign objects named in a body or query ----------------------------------------------------------------------

REFERENCE_CASES = [
    ("POST", "/api/v1/collections/", "manage_catalog", 400),  # reported like a biobank code that does not exist
    ("POST", "/api/v1/donors/", "manage_consent", 400),
    ("POST", "/api/v1/specimens/", "change_specimens", 400),
    ("POST", "/api/v1/specimen-pools/", "change_specimens", 400),  # a part one cannot change is not named
    ("POST", "/api/v1/specimen-imports/", "change_specimens", 400),
    ("GET", "/api/v1/consent/check", "view_donors", 404),
    ("POST", "/api/v1/storage-units/", "change_specimens", 400),
    ("POST", "/api/v1/placements/", "change_specimens", 404),  # a foreign box and specimen
    ("POST", "/api/v1/placements/move/", "change_specimens", 404),
    ("POST", "/api/v1/placements/unplace/", "change_specimens", 404),
]


@pytest.mark.parametrize(("method", "path", "needs", "status"), REFERENCE_CASES)
@pytest.mark.parametrize("persona", PERSONAS_WITH_A_BIOBANK)
def test_a_foreign_biobank_or_donor_named_in_the_request_is_unknown(world, method, path, needs, status, persona):
    response = call(world.client(persona), method, path, _body(method, path, world, world.b))

    expected = status if needs in perms_on_own(persona) else 403  # 403: holds the permission nowhere at all
    assert response.status_code == expected, (persona, response.content[:300])


@pytest.mark.parametrize("persona", [p for p in PERSONAS_WITH_A_BIOBANK if "view_donors" in perms_on_own(p)])
def test_a_foreign_donor_in_a_bulk_check_is_answered_not_found(world, persona):
    path = "/api/v1/consent/check/bulk"

    response = call(world.client(persona), "POST", path, _body("POST", path, world, world.b))

    assert response.status_code == 200
    assert [row["error"]["code"] for row in response.json()["results"]] == ["not_found"]
