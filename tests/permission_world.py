"""The world of the generated permission matrices (issue 9, CI gate): two biobanks with one object of every kind each.

Built once per test module (``world_of_two_biobanks``) in a transaction rolled back when the module ends; every test
runs in its own savepoint on top of it, so a request that writes (a grant approved, a member removed) changes nothing
for the next one. The personas are the roles of docs/security.md "Who is who": each staff role as a member of
biobank A, a researcher, a donor, anonymous, and partner-system tokens of A.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from biobank.accounts import services as account_services
from biobank.accounts.choices import ROLE_PERMISSIONS, TOKEN_GRANTABLE_PERMISSIONS, Role
from biobank.accounts.mfa import MFA_SESSION_KEY, VERIFIED
from biobank.accounts.models import ApiToken, Biobank, Membership, RoleGrant, User
from biobank.audit.models import AuditEvent
from biobank.audit.services import audit_drain
from biobank.crypto.keys import new_key_line
from catalog import services as catalog_services
from catalog.models import Collection
from consent import services as consent_services
from consent.models import Consent, Donor, DuplicateReview, Module, Policy, Template
from specimens.models import Specimen, StorageUnit
from specimens.services import specimen_place, specimen_register, specimens_reserve, specimens_ship
from tests.accounts.factories import UserFactory, make_biobank, make_member, make_token
from tests.consent.factories import make_catalogue, make_donor, record, texts
from tests.specimens.factories import make_storage_box

READ_ONLY_TOKEN_PERMISSIONS = ("view_biobank", "view_catalog")

# Everyone who calls: each role as a member of A, people without a biobank, and partner systems (tokens) of A.
PERSONAS: tuple[str, ...] = (
    *Role.values,
    "researcher",
    "donor",
    "anonymous",
    "token",
    "read_only_token",
)
# The admin of A who asked for A's pending steward role: four eyes keep them from approving it themselves.
ASKING_ADMIN = "asking_admin"
BROWSER_PERSONAS: tuple[str, ...] = tuple(p for p in PERSONAS if not p.endswith("token"))


@dataclass
class Side:
    """One biobank with one object of every kind."""

    biobank: Biobank
    admin: User
    officer: User
    membership: Membership
    grant: RoleGrant
    token: ApiToken
    collection: Collection
    template: Template
    module: Module
    policy: Policy
    donor: Donor
    consent: Consent
    review: DuplicateReview
    event: AuditEvent
    member: User  # the person of ``membership``
    # Specimens of one consented donor (use and transfer, GRU), one per status an action starts from.
    specimen: Any = None  # available
    reserved: Any = None
    shipped: Any = None
    blocked: Any = None  # consent-blocked, the donor's consent standing (a block to lift)
    box: StorageUnit | None = None  # a 9 x 9 box in a rack of a freezer; A1 is free
    placed: Any = None  # another tube, in ``box`` at B2

    def path_values(self) -> dict[str, Any]:
        """Values of the path parameters naming this side's objects (API and browser names)."""
        return {
            "code": self.biobank.code,
            "membership_id": self.membership.pk,
            "grant_id": self.grant.pk,
            "id": None,  # depends on the operation: see the matrices
            "pid": self.donor.pid_display,
            "seq": self.event.seq,
            "template_id": self.template.pk,
            "consent_id": self.consent.pk,
            "review_id": self.review.pk,
            "user_id": self.member.pk,
            "token_id": self.token.pk,
            "pk": self.collection.pk,
            "barcode": self.specimen.barcode if self.specimen is not None else None,
            "unit_id": self.box.pk if self.box else None,
            "position": "A1",
        }


@dataclass
class World:
    a: Side
    b: Side
    users: dict[str, User] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    newcomer: User | None = None

    sessions: dict[str, Any] = field(default_factory=dict)

    def client(self, persona: str) -> APIClient:
        """A fresh client for ``persona``, signed in with the session made with the world (one write fewer per test;
        whatever a request does to it is rolled back with the test's savepoint)."""
        client = APIClient()
        if persona in self.secrets:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.secrets[persona]}")
        elif persona in self.sessions:
            client.cookies.update(self.sessions[persona])
        return client

    def sign_in_everyone(self) -> None:
        for persona, user in self.users.items():
            client = APIClient()
            client.force_login(user)
            # Past the second sign-in step (issue 9, item 4): the world is built before the per-test conftest patch.
            session = client.session
            session[MFA_SESSION_KEY] = VERIFIED
            session.save()
            self.sessions[persona] = client.cookies


def perms_on_own(persona: str) -> frozenset[str]:
    """What the persona holds on its own biobank (A); people without a biobank hold nothing anywhere."""
    if persona in Role.values:
        return ROLE_PERMISSIONS[persona]
    if persona == ASKING_ADMIN:
        return ROLE_PERMISSIONS[Role.BIOBANK_ADMIN]
    if persona == "token":
        return frozenset(TOKEN_GRANTABLE_PERMISSIONS)
    if persona == "read_only_token":
        return frozenset(READ_ONLY_TOKEN_PERMISSIONS)
    return frozenset()


JANE = {
    "given_names": "Jane Marie",
    "family_name": "Schmidt",
    "date_of_birth": date(1970, 3, 7),
    "sex": "female",
    "hospital_id": "MRN-0012345",
}


def _side(code: str, tag: str) -> Side:
    biobank = make_biobank(code=code, name=f"Biobank {tag.upper()}")
    admin = make_member(biobank, Role.BIOBANK_ADMIN, email=f"matrix-admin-{tag}@example.org")
    officer = make_member(biobank, Role.CONSENT_OFFICER, email=f"matrix-officer-{tag}@example.org")
    member = make_member(biobank, Role.TECHNICIAN, email=f"matrix-member-{tag}@example.org")
    membership = Membership.objects.get(user=member, biobank=biobank)
    asked = UserFactory(email=f"matrix-steward-to-be-{tag}@example.org")
    grant = account_services.membership_grant(actor=admin, biobank=biobank, user=asked, role=Role.IDENTITY_STEWARD)
    assert isinstance(grant, RoleGrant)
    make_token(biobank, "view_biobank", name=f"LIS {tag}")
    token = ApiToken.objects.filter(biobank=biobank).latest("pk")
    collection = catalog_services.collection_create(actor=admin, biobank=biobank, code=f"coll-{tag}", name=tag)
    template = make_catalogue(biobank, actor=officer)
    registered = consent_services.donor_register(actor=officer, biobank=biobank, **JANE)
    donor = registered.donor
    assert donor is not None
    # The same person again with a different hospital number: held as a possible duplicate for review.
    held = consent_services.donor_register(actor=officer, biobank=biobank, **{**JANE, "hospital_id": "MRN-99"})
    assert held.review is not None
    consent = record(officer, donor, template)
    specimens = _specimens(biobank, officer, collection)
    box = make_storage_box(biobank, rows=9, columns=9, code=f"BOX-{tag.upper()}")
    placed = specimen_register(
        actor=member, collection=collection, donor=donor, sample_type="PL1", quantity="1", unit="mL"
    )
    specimen_place(actor=None, specimen=placed, box=box, row=2, column=2)
    return Side(
        biobank=biobank,
        admin=admin,
        officer=officer,
        membership=membership,
        grant=grant,
        token=token,
        collection=collection,
        template=template,
        module=template.modules.order_by("pk").first(),
        policy=Policy.objects.filter(biobank=biobank).order_by("pk").first(),
        donor=donor,
        consent=consent,
        review=held.review,
        event=None,  # type: ignore[arg-type]  # set once the outbox is chained (build_world)
        member=member,
        **specimens,
        box=box,
        placed=placed,
    )


def _specimens(biobank: Biobank, officer: User, collection: Collection) -> dict[str, Any]:
    """Four serum tubes of a donor whose consent permits using and sending biomaterial (GRU)."""
    modules = []
    for code, action in (("use", "use"), ("transfer", "transfer")):
        policy = consent_services.policy_create(
            actor=officer,
            biobank=biobank,
            code=f"matrix-{code}",
            name=f"Biomaterial {code}",
            action=action,
            data_class="biomaterial",
            duo_terms=["GRU"],
        )
        modules.append(
            consent_services.module_create(
                actor=officer, biobank=biobank, code=f"matrix-{code}", texts=texts(code, code), policies=[policy]
            )
        )
    template = consent_services.template_create(
        actor=officer,
        biobank=biobank,
        code="matrix-material",
        version_label="v1",
        texts={"en": {"title": "Material", "text": "Samples."}, "de": {"title": "Material", "text": "Proben."}},
        modules=modules,
        consent_validity="P30Y",
    )
    template = consent_services.template_activate(actor=officer, template=template)
    donor = make_donor(biobank)
    record(officer, donor, template, choices={"matrix-use": "accepted", "matrix-transfer": "accepted"})
    tubes = [
        specimen_register(actor=None, collection=collection, donor=donor, sample_type="SER", quantity="2", unit="mL")
        for _ in range(4)
    ]
    specimens_reserve(actor=None, specimens=[tubes[1]], purpose="GRU", reason="Matrix")
    specimens_ship(actor=None, specimens=[tubes[2]], purpose="GRU", recipient="Matrix")
    Specimen.objects.filter(pk=tubes[3].pk).update(status="consent_blocked")
    tubes[3].refresh_from_db()
    return {"specimen": tubes[0], "reserved": tubes[1], "shipped": tubes[2], "blocked": tubes[3]}


def build_world() -> World:
    world = World(a=_side("biobank-a", "a"), b=_side("biobank-b", "b"))
    for role in Role.values:
        world.users[role] = make_member(world.a.biobank, role, email=f"matrix-{role}@example.org")
    world.users[ASKING_ADMIN] = world.a.admin
    world.users["researcher"] = UserFactory(email="matrix-researcher@example.org", is_researcher=True)
    world.users["donor"] = UserFactory(email="matrix-donor@example.org", is_donor=True)
    world.secrets["token"] = make_token(world.a.biobank, *TOKEN_GRANTABLE_PERMISSIONS, name="LIS full")
    world.secrets["read_only_token"] = make_token(world.a.biobank, *READ_ONLY_TOKEN_PERMISSIONS, name="LIS read")
    world.newcomer = UserFactory(email="matrix-newcomer@example.org")
    world.sign_in_everyone()
    audit_drain()
    for side in (world.a, world.b):
        side.event = AuditEvent.objects.filter(biobank=side.biobank).latest("seq")
    return world


def world_of_two_biobanks(django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """The two biobanks, built once and rolled back at the end (the body of each matrix module's ``world`` fixture)."""
    directory = tmp_path_factory.mktemp("matrix")
    keys = directory / "keys"
    keys.mkdir(mode=0o700)
    for name in ("encryption.keys", "pseudonym.keys"):
        (keys / name).write_text(new_key_line("t1") + "\n")
        (keys / name).chmod(0o600)
    overrides = override_settings(
        ENCRYPTION_KEY_FILE=keys / "encryption.keys",
        PSEUDONYM_KEY_FILE=keys / "pseudonym.keys",
        VAR_DIR=directory,
        MEDIA_ROOT=directory / "media",
    )
    # Thousands of expected 403/404 answers: Django would log each with its traceback (most of the module's time).
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    with django_db_blocker.unblock(), overrides:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_log.setLevel(level)
