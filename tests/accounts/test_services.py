from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone
from guardian.models import GroupObjectPermission

from biobank.accounts import services
from biobank.accounts.choices import ROLE_PERMISSIONS, TOKEN_GRANTABLE_PERMISSIONS, Role
from biobank.accounts.models import ApiToken, Membership, User, hash_token
from biobank.accounts.selectors import biobank_perms_of
from biobank.errors import ConflictError, DomainError
from tests.accounts.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db


def test_creating_a_biobank_creates_one_group_per_role_with_its_permissions(biobank_a):
    for role in Role:
        group = Group.objects.get(name=services.role_group_name(biobank_a, role))
        codenames = set(
            GroupObjectPermission.objects.filter(group=group, object_pk=str(biobank_a.pk)).values_list(
                "permission__codename", flat=True
            )
        )
        assert codenames == ROLE_PERMISSIONS[role]


def test_syncing_role_groups_twice_changes_nothing(biobank_a):
    before = GroupObjectPermission.objects.count()
    services.role_groups_sync(biobank=biobank_a)
    assert GroupObjectPermission.objects.count() == before


def test_a_country_code_is_normalised_and_validated(db):
    biobank = services.biobank_create(actor=None, code="bb-de", name="BB", country="de")
    assert biobank.country == "DE"
    with pytest.raises(DomainError, match="code: Use 3 to 40"):
        services.biobank_create(actor=None, code="X", name="bad", country="Germany")


def test_granting_a_role_twice_is_a_conflict(biobank_a, technician_a):
    with pytest.raises(ConflictError, match="already has the role Technician"):
        services.membership_grant(actor=None, biobank=biobank_a, user=technician_a, role=Role.TECHNICIAN)
    assert Membership.objects.filter(user=technician_a).count() == 1


def test_an_unknown_role_is_refused_with_the_allowed_roles(biobank_a, technician_a):
    with pytest.raises(DomainError, match="allowed: biobank_admin"):
        services.membership_grant(actor=None, biobank=biobank_a, user=technician_a, role="janitor")


def test_revoking_a_role_takes_its_permissions_away(biobank_a, technician_a):
    membership = Membership.objects.get(user=technician_a)
    services.membership_revoke(actor=None, membership=membership)
    assert biobank_perms_of(user=User.objects.get(pk=technician_a.pk), biobank=biobank_a) == frozenset()


def test_the_last_biobank_admin_cannot_be_removed(biobank_a, admin_a):
    membership = Membership.objects.get(user=admin_a, role=Role.BIOBANK_ADMIN)
    with pytest.raises(DomainError, match="last biobank admin"):
        services.membership_revoke(actor=admin_a, membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_second_admin_makes_the_first_removable(biobank_a, admin_a):
    make_member(biobank_a, Role.BIOBANK_ADMIN)
    membership = Membership.objects.get(user=admin_a, role=Role.BIOBANK_ADMIN)
    services.membership_revoke(actor=admin_a, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_memberships_set_makes_roles_exactly_the_given_ones(biobank_a, admin_a, technician_a):
    services.memberships_set(
        actor=admin_a, biobank=biobank_a, user=technician_a, roles=[Role.AUDITOR, Role.DATA_MANAGER]
    )
    roles = set(Membership.objects.filter(user=technician_a).values_list("role", flat=True))
    assert roles == {Role.AUDITOR, Role.DATA_MANAGER}


def test_adding_a_new_person_creates_an_account_and_emails_a_password_link(
    biobank_a, admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user, created = services.member_add(
            actor=admin_a, biobank=biobank_a, email="New.Person@Example.org", roles=[Role.TECHNICIAN]
        )
    assert created and user.email == "new.person@example.org"
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_adding_an_existing_person_keeps_their_other_roles(biobank_a, admin_a, technician_a):
    user, created = services.member_add(
        actor=admin_a, biobank=biobank_a, email=technician_a.email, roles=[Role.AUDITOR]
    )
    assert not created
    assert set(Membership.objects.filter(user=user).values_list("role", flat=True)) == {
        Role.TECHNICIAN,
        Role.AUDITOR,
    }


def test_adding_a_member_without_roles_is_refused(biobank_a, admin_a):
    with pytest.raises(DomainError, match="at least one role"):
        services.member_add(actor=admin_a, biobank=biobank_a, email="x@example.org", roles=[])
    assert not User.objects.filter(email="x@example.org").exists()


def test_a_token_secret_is_stored_only_as_a_hash(biobank_a, admin_a):
    token, secret = services.api_token_create(
        actor=admin_a,
        biobank=biobank_a,
        name="Hospital LIS",
        permissions=["view_biobank"],
        expires_at=timezone.now() + timedelta(days=90),
    )
    assert secret.startswith(ApiToken.PREFIX)
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_token(secret)
    assert secret not in {stored.key_hash, stored.key_prefix}
    assert secret.startswith(stored.key_prefix)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"permissions": []}, "at least one permission"),
        ({"permissions": ["view_identity"]}, "cannot be given to a token"),
        ({"permissions": ["manage_members"]}, "cannot be given to a token"),
        ({"expires_at": timezone.now() - timedelta(days=1)}, "in the future"),
        ({"expires_at": timezone.now() + timedelta(days=800)}, "at most two years"),
        ({"name": "  "}, "name"),
    ],
)
def test_a_bad_token_request_is_refused_and_writes_nothing(biobank_a, admin_a, kwargs, message):
    arguments = {
        "actor": admin_a,
        "biobank": biobank_a,
        "name": "LIS",
        "permissions": ["view_biobank"],
        "expires_at": timezone.now() + timedelta(days=30),
        **kwargs,
    }
    with pytest.raises(DomainError, match=message):
        services.api_token_create(**arguments)
    assert not ApiToken.objects.exists()


def test_tokens_can_only_be_granted_permissions_that_exist():
    from biobank.accounts.choices import BIOBANK_PERMISSIONS

    assert set(TOKEN_GRANTABLE_PERMISSIONS) <= set(BIOBANK_PERMISSIONS)
    assert "view_identity" not in TOKEN_GRANTABLE_PERMISSIONS


def test_revoking_a_token_is_recorded_once(biobank_a, admin_a):
    token, _ = services.api_token_create(
        actor=admin_a,
        biobank=biobank_a,
        name="LIS",
        permissions=["view_biobank"],
        expires_at=timezone.now() + timedelta(days=30),
    )
    services.api_token_revoke(actor=admin_a, token=token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    services.api_token_revoke(actor=admin_a, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
    assert not ApiToken.objects.get(pk=token.pk).is_usable


def test_emails_are_case_insensitively_unique(db):
    UserFactory(email="someone@example.org")
    with pytest.raises(IntegrityError):
        User.objects.create_user(email="SOMEONE@example.org")
