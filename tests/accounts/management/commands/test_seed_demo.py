"""`manage.py seed_demo`: the demo data behind `make run`, loaded twice without duplicates, refused outside demo."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from guardian.models import GroupObjectPermission

from biobank.accounts.choices import ROLE_PERMISSIONS, Role
from biobank.accounts.models import ApiToken, Biobank, Membership, Network, User, hash_token
from biobank.accounts.selectors import biobank_perms_of
from catalog.models import Collection

pytestmark = pytest.mark.django_db

PASSWORD = "biobank-demo"

EXPECTED_ROLES = {
    "admin@example.org": {("ukrm-biobank", Role.BIOBANK_ADMIN), ("vienna-ccb", Role.BIOBANK_ADMIN)},
    "staff@example.org": {("ukrm-biobank", Role.TECHNICIAN)},
    "consent@example.org": {("ukrm-biobank", Role.CONSENT_OFFICER)},
    "data@example.org": {("ukrm-biobank", Role.DATA_MANAGER)},
    "dac@example.org": {("ukrm-biobank", Role.DAC_CHAIR)},
    "dacmember@example.org": {("ukrm-biobank", Role.DAC_MEMBER)},
    "auditor@example.org": {("ukrm-biobank", Role.AUDITOR)},
    "steward@example.org": {("ukrm-biobank", Role.IDENTITY_STEWARD)},
    "researcher@example.org": set(),
    "donor@example.org": set(),
    "superuser@example.org": set(),
}


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Network, Biobank, Collection, User, Membership, ApiToken, Group)
    }


def test_it_creates_one_network_three_biobanks_and_their_collections():
    seed()
    assert Network.objects.count() == 1
    biobanks = Biobank.objects.order_by("code")
    assert [(b.code, b.country) for b in biobanks] == [
        ("lowlands-pop", "NL"),
        ("ukrm-biobank", "DE"),
        ("vienna-ccb", "AT"),
    ]
    assert all(b.network.code == "cebn" for b in biobanks)
    for biobank in biobanks:
        assert Collection.objects.filter(biobank=biobank).count() >= 2


def test_a_second_run_creates_no_duplicates_and_shows_no_secret():
    first = seed()
    before = counts()
    second = seed()
    assert counts() == before
    assert "Bearer bbp_" in first
    assert "Bearer" not in second
    assert "exists" in second and "can create a new one" in second


def test_the_printed_token_is_the_stored_one_and_belongs_to_the_first_biobank():
    output = seed()
    secret = re.search(r"Bearer (bbp_\S+)", output).group(1)
    token = ApiToken.objects.get(key_hash=hash_token(secret))
    assert token.biobank.code == "ukrm-biobank"
    assert token.is_usable


def test_it_prints_the_demo_logins_every_time():
    for output in (seed(), seed()):
        for email in EXPECTED_ROLES:
            assert email in output
        assert PASSWORD in output


def test_every_demo_user_logs_in_with_the_demo_password(client):
    seed()
    for email in EXPECTED_ROLES:
        assert client.login(email=email, password=PASSWORD), email
        client.logout()


def test_every_demo_user_holds_exactly_the_expected_roles_and_permissions():
    seed()
    seed()
    for email, expected in EXPECTED_ROLES.items():
        user = User.objects.get(email=email)
        held = set(Membership.objects.filter(user=user).values_list("biobank__code", "role"))
        assert held == expected, email
        for biobank in Biobank.objects.all():
            wanted = frozenset().union(*(ROLE_PERMISSIONS[r] for code, r in expected if code == biobank.code))
            if not user.is_superuser:
                assert biobank_perms_of(user=user, biobank=biobank) == wanted, (email, biobank.code)


def test_the_researcher_donor_and_superuser_have_their_flags():
    seed()
    researcher = User.objects.get(email="researcher@example.org")
    assert researcher.is_researcher and researcher.email_verified_at is not None
    assert User.objects.get(email="donor@example.org").is_donor
    superuser = User.objects.get(email="superuser@example.org")
    assert superuser.is_superuser and superuser.is_staff
    assert not User.objects.filter(is_superuser=True).exclude(pk=superuser.pk).exists()


@override_settings(DEMO_MODE=False)
def test_it_refuses_to_run_outside_demo_mode():
    with pytest.raises(CommandError, match="demo mode"):
        seed()
    assert not User.objects.exists()
    assert not Biobank.objects.exists()


def test_sync_roles_restores_a_permission_taken_from_a_role_group():
    seed()
    technician = User.objects.get(email="staff@example.org")
    biobank = Biobank.objects.get(code="ukrm-biobank")
    GroupObjectPermission.objects.filter(
        group__name="biobank:ukrm-biobank:technician", permission__codename="change_specimens"
    ).delete()
    assert "change_specimens" not in biobank_perms_of(user=User.objects.get(pk=technician.pk), biobank=biobank)
    out = io.StringIO()
    call_command("sync_roles", stdout=out)
    assert "3 biobank(s)" in out.getvalue()
    assert (
        biobank_perms_of(user=User.objects.get(pk=technician.pk), biobank=biobank) == ROLE_PERMISSIONS[Role.TECHNICIAN]
    )
