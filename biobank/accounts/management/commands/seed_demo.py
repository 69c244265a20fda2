"""Demo data for `make run`: one network, three biobanks, one person per role and a partner API token.

Idempotent: a second run creates nothing and changes nothing; it prints the demo logins again. Refuses to run
unless ``settings.DEMO_MODE`` is on (development and test settings); production settings never have it.
The domain apps add their own demo records (collections, donors, consents; later specimens and requests) through
``biobank.demo.register_demo_seeder``, so every screen shows something real and the core imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from biobank.accounts import services
from biobank.accounts.choices import Role
from biobank.accounts.models import ApiToken, Biobank, Membership, Network, User
from biobank.demo import DemoContext, run_demo_seeders

# Printed on purpose: demo mode only, refused under production settings.
DEMO_PASSWORD = "biobank-demo"
# The authenticator key of every demo account that must use MFA (issue 9, item 4), printed on purpose too: add it to
# any authenticator app once, or ask `manage.py mfa_demo_code` for the current code. Published, so demo only.
DEMO_TOTP_KEY = "42696f62616e6b2d506f7274616c2d44656d6f21"  # hex of b"Biobank-Portal-Demo!"

NETWORK = {"code": "cebn", "name": "Central European Biobank Network"}

BIOBANKS = [
    {
        "code": "ukrm-biobank",
        "name": "University Hospital Rhine-Main Central Biobank",
        "country": "DE",
    },
    {
        "code": "vienna-ccb",
        "name": "Vienna Clinical Cancer Biobank",
        "country": "AT",
    },
    {
        "code": "lowlands-pop",
        "name": "Lowlands Population Biobank",
        "country": "NL",
    },
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    roles: tuple[tuple[str, str], ...] = ()  # (biobank code, role)
    is_researcher: bool = False
    is_donor: bool = False
    is_superuser: bool = False
    description: str = ""


FIRST, SECOND = BIOBANKS[0]["code"], BIOBANKS[1]["code"]

DEMO_USERS = [
    DemoUser(
        "admin@example.org",
        "Anna Adler",
        ((FIRST, Role.BIOBANK_ADMIN), (SECOND, Role.BIOBANK_ADMIN)),
        description="biobank admin (two biobanks)",
    ),
    DemoUser("staff@example.org", "Tomasz Nowak", ((FIRST, Role.TECHNICIAN),), description="technician"),
    DemoUser("consent@example.org", "Clara Berger", ((FIRST, Role.CONSENT_OFFICER),), description="consent officer"),
    DemoUser("data@example.org", "David Meier", ((FIRST, Role.DATA_MANAGER),), description="data manager"),
    DemoUser("dac@example.org", "Dora Krause", ((FIRST, Role.DAC_CHAIR),), description="DAC chair"),
    DemoUser("dacmember@example.org", "Milan Horvat", ((FIRST, Role.DAC_MEMBER),), description="DAC member"),
    DemoUser("auditor@example.org", "Agnes Wolf", ((FIRST, Role.AUDITOR),), description="auditor"),
    DemoUser("steward@example.org", "Stefan Roth", ((FIRST, Role.IDENTITY_STEWARD),), description="identity steward"),
    DemoUser("researcher@example.org", "Rosa Lindqvist", is_researcher=True, description="researcher"),
    DemoUser("donor@example.org", "Paul Donner", is_donor=True, description="donor (dynamic consent portal)"),
    DemoUser("superuser@example.org", "Site Operator", is_superuser=True, description="superuser (/admin/ only)"),
]

TOKEN_NAME = "Demo LIS (hospital laboratory system)"
TOKEN_PERMISSIONS = ("view_biobank", "view_catalog", "view_specimens", "change_specimens")


def demo_totp_secret() -> str:
    """The demo key as authenticator apps take it (base32)."""
    from base64 import b32encode

    return b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode().rstrip("=")


class Command(BaseCommand):
    help = "Load the demo network, biobanks, people per role and a partner API token (idempotent; demo mode only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo only runs in demo mode (development settings, `make run`); DEMO_MODE is off here, "
                "as it always is under production settings. No demo data were written."
            )
        with transaction.atomic():
            created = self._seed()
        self._verify_audit_chain()
        # Printed after the commit: a secret is only shown for a token that really exists.
        self._print_token(*created)
        self._print_logins()

    def _verify_audit_chain(self) -> None:
        """Chain what the seeding recorded, sign a checkpoint and verify, so the auditor's pages show a real result."""
        from biobank.audit.checkpoints import checkpoint_write
        from biobank.audit.services import audit_dispatch_wait, audit_drain, audit_verification_run

        audit_dispatch_wait(30.0)
        audit_drain()
        checkpoint_write()
        result = audit_verification_run(actor="system:seed_demo")
        audit_dispatch_wait(30.0)  # the verification's own event is chained before the process (and its database) ends
        self.stdout.write(
            f"Audit trail: {result.count} entries chained and verified ({'intact' if result.ok else 'BROKEN'})."
        )

    def _seed(self) -> tuple[ApiToken | None, str | None]:
        network = Network.objects.filter(code=NETWORK["code"]).first() or services.network_create(actor=None, **NETWORK)
        biobanks: dict[str, Biobank] = {}
        for spec in BIOBANKS:
            biobank = Biobank.objects.filter(code=spec["code"]).first() or services.biobank_create(
                actor=None, code=spec["code"], name=spec["name"], country=spec["country"], network=network
            )
            biobanks[biobank.code] = biobank
        people: dict[str, User] = {}
        for person in DEMO_USERS:
            user = self._user(person)
            people[user.email] = user
            held = set(Membership.objects.filter(user=user).values_list("biobank__code", "role"))
            for biobank_code, role in person.roles:
                if (biobank_code, role) not in held:
                    services.membership_grant(actor=None, biobank=biobanks[biobank_code], user=user, role=role)
            if person.roles or person.is_superuser:
                self._demo_authenticator(user)
        seeded = run_demo_seeders(DemoContext(biobanks=biobanks, people=people, first_biobank=biobanks[FIRST]))
        if seeded:
            self.stdout.write(f"Demo data of the domain apps: {', '.join(seeded)}.")
        return self._token(biobanks[FIRST])

    def _user(self, person: DemoUser) -> User:
        """Create the account once; a later run leaves it alone (also a password its user has changed)."""
        user = User.objects.filter(email__iexact=person.email).first()
        if user is not None:
            return user
        extra: dict[str, Any] = {"full_name": person.full_name}
        if person.is_superuser:
            return User.objects.create_superuser(person.email, DEMO_PASSWORD, **extra)
        if person.is_researcher:
            extra.update(is_researcher=True, email_verified_at=timezone.now())
        if person.is_donor:
            extra.update(is_donor=True, email_verified_at=timezone.now())
        return User.objects.create_user(person.email, DEMO_PASSWORD, **extra)

    def _demo_authenticator(self, user: User) -> None:
        """Staff demo accounts get an authenticator with the published demo key, so `make run` needs no phone.

        Once only: a person who reset theirs and enrolled a real app keeps it.
        """
        from django_otp.plugins.otp_totp.models import TOTPDevice

        if not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True)

    def _token(self, biobank: Biobank) -> tuple[ApiToken | None, str | None]:
        usable = [t for t in ApiToken.objects.filter(biobank=biobank, name=TOKEN_NAME) if t.is_usable]
        if usable:
            return usable[0], None
        # The seed issues the demo token (it carries change_specimens, which the admin role lacks and so could not
        # give a token: issue 9, item 2).
        return services.api_token_create(
            actor=None,
            biobank=biobank,
            name=TOKEN_NAME,
            permissions=TOKEN_PERMISSIONS,
            expires_at=timezone.now() + timedelta(days=365),
        )

    def _print_token(self, token: ApiToken | None, secret: str | None) -> None:
        if token is None:
            return
        if secret:
            self.stdout.write(
                self.style.WARNING(
                    f"Partner API token for {token.biobank.name} ({', '.join(token.permissions)}), "
                    "shown only this once — copy it now:"
                )
            )
            self.stdout.write(f"    Authorization: Bearer {secret}")
        else:
            self.stdout.write(
                f"A demo API token for {token.biobank.name} exists ({token.key_prefix}…, expires "
                f"{token.expires_at:%Y-%m-%d}); its secret was shown once when it was created. "
                "A biobank admin (admin@example.org) can create a new one in the portal at "
                f"{settings.SITE_URL}/biobanks/{token.biobank.code}/tokens/"
            )

    def _print_logins(self) -> None:
        width = max(len(person.email) for person in DEMO_USERS)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        self.stdout.write(f"  {'e-mail'.ljust(width)}  role")
        for person in DEMO_USERS:
            where = sorted({code for code, _ in person.roles})
            suffix = f" — {', '.join(where)}" if where else ""
            self.stdout.write(f"  {person.email.ljust(width)}  {person.description}{suffix}")
        self.stdout.write("")
        self.stdout.write(
            "Staff and the superuser also enter a code after the password (two-step sign-in). Their demo "
            f"authenticator key is {demo_totp_secret()}: add it to any authenticator app, or run "
            "`python manage.py mfa_demo_code` for the current code."
        )
        self.stdout.write("")
