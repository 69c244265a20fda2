"""Separation of duties (issue 9, item 2), lived through by biobank admins: nobody gives themselves a role; the
identity steward role (it reads identities) waits for a second admin; a token carries at most its creator's
permissions. Each rule through the service, the browser forms and the API; a refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from biobank.accounts import services
from biobank.accounts.choices import Role
from biobank.accounts.models import ApiToken, Membership, RoleGrant, User
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.audit.choices import AuditAction
from biobank.audit.models import AuditOutbox
from biobank.errors import ConflictError, DomainError
from tests.accounts.factories import make_member

pytestmark = pytest.mark.django_db

MEMBERS = reverse("web:members", args=["biobank-a"])
ADD = reverse("web:member_add", args=["biobank-a"])
API_MEMBERS = "/api/v1/biobanks/biobank-a/members/"
API_GRANTS = "/api/v1/biobanks/biobank-a/role-grants/"


@pytest.fixture
def second_admin(biobank_a):
    return make_member(biobank_a, Role.BIOBANK_ADMIN, email="second-admin@example.org")


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def roles_of(user, biobank) -> list[str]:
    return sorted(Membership.objects.filter(user=user, biobank=biobank).values_list("role", flat=True))


def nothing_written() -> tuple[int, int, int]:
    changes = AuditOutbox.objects.exclude(action=AuditAction.ACCESS_DENIED)  # refusals are recorded, changes not
    return Membership.objects.count(), RoleGrant.objects.count(), changes.count()


def edit_url(user) -> str:
    return reverse("web:member_edit", args=["biobank-a", user.pk])


# Nobody grants a role to themselves -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.IDENTITY_STEWARD, Role.AUDITOR, Role.CONSENT_OFFICER])
def test_an_admin_cannot_grant_themselves_a_role(biobank_a, admin_a, role):
    before = nothing_written()
    with pytest.raises(DomainError, match="cannot give yourself a role") as error:
        services.membership_grant(actor=admin_a, biobank=biobank_a, user=admin_a, role=role)
    assert error.value.code == "own_role"
    assert nothing_written() == before
    assert not user_has_biobank_perm(user=admin_a, biobank=biobank_a, perm="view_identity")


def test_a_superuser_cannot_grant_themselves_a_role_either(biobank_a):
    root = User.objects.create_superuser("root@example.org", "a-long-operator-passphrase")
    with pytest.raises(DomainError, match="cannot give yourself"):
        services.membership_grant(actor=root, biobank=biobank_a, user=root, role=Role.IDENTITY_STEWARD)
    assert not RoleGrant.objects.exists() and not Membership.objects.filter(user=root).exists()


def test_changing_ones_own_roles_is_refused_and_the_dropped_role_stays(biobank_a, admin_a, second_admin):
    before = nothing_written()
    with pytest.raises(DomainError, match="cannot give yourself"):
        services.memberships_set(actor=admin_a, biobank=biobank_a, user=admin_a, roles=[Role.IDENTITY_STEWARD])
    assert roles_of(admin_a, biobank_a) == [Role.BIOBANK_ADMIN]  # the revocation was rolled back with it
    assert nothing_written() == before


def test_the_members_form_refuses_an_admins_own_steward_role(client, admin_a, biobank_a):
    client.force_login(admin_a)
    before = nothing_written()
    response = client.post(edit_url(admin_a), {"roles": [Role.BIOBANK_ADMIN, Role.IDENTITY_STEWARD]})
    assert response.status_code == 200
    assert "cannot give yourself a role" in response.content.decode()
    assert nothing_written() == before


def test_the_add_form_refuses_an_admin_adding_themselves(client, admin_a, biobank_a):
    client.force_login(admin_a)
    before = nothing_written()
    response = client.post(ADD, {"email": admin_a.email, "roles": [Role.IDENTITY_STEWARD]})
    assert "cannot give yourself a role" in response.content.decode()
    assert nothing_written() == before


def test_the_api_refuses_an_admins_own_role_with_a_400_naming_the_rule(admin_a, biobank_a):
    client = api(admin_a)
    before = nothing_written()
    response = client.post(API_MEMBERS, {"email": admin_a.email, "role": "identity_steward"}, format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "own_role" and error["pointer"] == "/role"
    assert "cannot give yourself a role" in error["message"]
    assert nothing_written() == before


# Roles that read identities need a second admin -----------------------------------------------------------------


def test_a_steward_role_granted_by_an_admin_waits_and_reads_no_identity(biobank_a, admin_a, technician_a):
    grant = services.membership_grant(actor=admin_a, biobank=biobank_a, user=technician_a, role=Role.IDENTITY_STEWARD)
    assert isinstance(grant, RoleGrant) and grant.status == RoleGrant.Status.PENDING
    assert roles_of(technician_a, biobank_a) == [Role.TECHNICIAN]
    assert not user_has_biobank_perm(user=technician_a, biobank=biobank_a, perm="view_identity")
    event = AuditOutbox.objects.filter(action="role_grant.request").get()
    assert event.object_id == str(technician_a.pk) and event.changes["role"] == [None, "identity_steward"]


def test_asking_twice_for_the_same_role_is_a_conflict(biobank_a, admin_a, technician_a):
    services.membership_grant(actor=admin_a, biobank=biobank_a, user=technician_a, role=Role.IDENTITY_STEWARD)
    with pytest.raises(ConflictError, match="already awaits"):
        services.membership_grant(actor=admin_a, biobank=biobank_a, user=technician_a, role=Role.IDENTITY_STEWARD)
    assert RoleGrant.objects.count() == 1


def test_the_admin_who_asked_cannot_approve_it(biobank_a, admin_a, technician_a):
    grant = services.membership_grant(actor=admin_a, biobank=biobank_a, user=technician_a, role=Role.IDENTITY_STEWARD)
    with pytest.raises(DomainError, match="four eyes"):
        services.role_grant_approve(actor=admin_a, grant=grant)
    assert RoleGrant.objects.get().status == RoleGrant.Status.PENDING
    assert not user_has_biobank_perm(user=technician_a, biobank=biobank_a, perm="view_identity")


def test_two_admins_cannot_hand_each_other_approval_of_their_own_role(biobank_a, admin_a, second_admin):
    grant = services.membership_grant(actor=second_admin, biobank=biobank_a, user=admin_a, role=Role.IDENTITY_STEWARD)
    with pytest.raises(DomainError, match="requested for yourself"):
        services.role_grant_approve(actor=admin_a, grant=grant)
    assert RoleGrant.objects.get().status == RoleGrant.Status.PENDING


def test_a_second_admin_approves_and_the_steward_reads_identities(biobank_a, admin_a, second_admin, technician_a):
    grant = services.membership_grant(actor=admin_a, biobank=biobank_a, user=technician_a, role=Role.IDENTITY_STEWARD)
    membership = services.role_grant_approve(actor=second_admin, grant=grant)
    assert membership.role == Role.IDENTITY_STEWARD and membership.granted_by == second_admin
    assert user_has_biobank_perm(user=technician_a, biobank=biobank_a, perm="view_identity")
    grant.refresh_from_db()
    assert grant.status == RoleGrant.Status.APPROVED and grant.decided_by == second_admin
    actions = list(AuditOutbox.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["role_grant.approve", "membership.grant"]
    with pytest.raises(ConflictError, match="already approved"):
        services.role_grant_approve(actor=second_admin, grant=grant)


def test_an_admin_of_another_biobank_cannot_approve(biobank_a, admin_a, technician_a, outsider):
    grant = services.membership_grant(actor=admin_a, biobank=biobank_a, user=technician_a, role=Role.IDENTITY_STEWARD)
    with pytest.raises(DomainError, match="needs manage_members"):
        services.role_grant_approve(actor=outsider, grant=grant)
    assert RoleGrant.objects.get().status == RoleGrant.Status.PENDING


def test_a_rejected_request_grants_nothing(biobank_a, admin_a, second_admin, technician_a):
    grant = services.membership_grant(actor=admin_a, biobank=biobank_a, user=technician_a, role=Role.IDENTITY_STEWARD)
    services.role_grant_reject(actor=second_admin, grant=grant)
    assert RoleGrant.objects.get().status == RoleGrant.Status.REJECTED
    assert roles_of(technician_a, biobank_a) == [Role.TECHNICIAN]
    assert AuditOutbox.objects.filter(action="role_grant.reject").count() == 1


def test_a_superuser_grants_the_steward_role_at_once(biobank_a, technician_a):
    root = User.objects.create_superuser("root@example.org", "a-long-operator-passphrase")
    membership = services.membership_grant(actor=root, biobank=biobank_a, user=technician_a, role="identity_steward")
    assert isinstance(membership, Membership)
    assert user_has_biobank_perm(user=technician_a, biobank=biobank_a, perm="view_identity")


def test_roles_that_read_no_identity_take_effect_at_once(biobank_a, admin_a, technician_a):
    membership = services.membership_grant(actor=admin_a, biobank=biobank_a, user=technician_a, role=Role.AUDITOR)
    assert isinstance(membership, Membership)
    assert not RoleGrant.objects.exists()


def test_on_the_members_page_a_second_admin_approves_the_steward_role(
    client, biobank_a, admin_a, second_admin, technician_a
):
    client.force_login(admin_a)
    response = client.post(edit_url(technician_a), {"roles": [Role.TECHNICIAN, Role.IDENTITY_STEWARD]}, follow=True)
    page = response.content.decode()
    assert "awaits the approval of another biobank admin" in page
    assert "Roles awaiting a second admin" in page and "Awaits another admin" in page
    grant = RoleGrant.objects.get()
    approve = reverse("web:role_grant_approve", args=["biobank-a", grant.pk])
    assert approve not in page  # the asker is not offered the approval
    refused = client.post(approve, follow=True).content.decode()
    assert "different biobank admin has to approve" in refused
    assert roles_of(technician_a, biobank_a) == [Role.TECHNICIAN]

    client.force_login(second_admin)
    assert approve in client.get(MEMBERS).content.decode()
    page = client.post(approve, follow=True).content.decode()
    assert "now has the role Identity steward" in page
    assert roles_of(technician_a, biobank_a) == [Role.IDENTITY_STEWARD, Role.TECHNICIAN]
    assert "Roles awaiting a second admin" not in page


def test_on_the_members_page_a_second_admin_rejects_the_steward_role(
    client, biobank_a, admin_a, second_admin, technician_a
):
    grant = services.membership_grant(actor=admin_a, biobank=biobank_a, user=technician_a, role=Role.IDENTITY_STEWARD)
    client.force_login(second_admin)
    page = client.post(reverse("web:role_grant_reject", args=["biobank-a", grant.pk]), follow=True).content.decode()
    assert "was rejected" in page
    assert RoleGrant.objects.get().status == RoleGrant.Status.REJECTED
    assert roles_of(technician_a, biobank_a) == [Role.TECHNICIAN]


def test_a_technician_cannot_decide_a_request_and_another_biobank_does_not_find_it(
    client, biobank_a, admin_a, technician_a, outsider
):
    grant = services.membership_grant(actor=admin_a, biobank=biobank_a, user=technician_a, role=Role.IDENTITY_STEWARD)
    approve = reverse("web:role_grant_approve", args=["biobank-a", grant.pk])
    client.force_login(technician_a)
    assert client.post(approve).status_code == 403
    assert "Roles awaiting a second admin" not in client.get(MEMBERS).content.decode()
    client.force_login(outsider)
    assert client.post(approve).status_code == 404
    assert RoleGrant.objects.get().status == RoleGrant.Status.PENDING


def test_through_the_api_the_steward_role_is_a_202_and_a_second_admin_approves(
    biobank_a, admin_a, second_admin, technician_a
):
    response = api(admin_a).post(API_MEMBERS, {"email": technician_a.email, "role": "identity_steward"}, format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "pending" and response.json()["requested_by"] == admin_a.email
    grant_id = response.json()["id"]
    assert [g["id"] for g in api(second_admin).get(API_GRANTS).json()["results"]] == [grant_id]

    refused = api(admin_a).post(f"{API_GRANTS}{grant_id}/approve/")
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "four_eyes"
    assert roles_of(technician_a, biobank_a) == [Role.TECHNICIAN]

    approved = api(second_admin).post(f"{API_GRANTS}{grant_id}/approve/")
    assert approved.status_code == 201 and approved.json()["role"] == "identity_steward"
    assert roles_of(technician_a, biobank_a) == [Role.IDENTITY_STEWARD, Role.TECHNICIAN]
    assert api(second_admin).post(f"{API_GRANTS}{grant_id}/approve/").status_code == 404  # decided: no longer pending


def test_through_the_api_a_new_person_asked_for_as_steward_gets_an_account_and_a_pending_role(biobank_a, admin_a):
    response = api(admin_a).post(
        API_MEMBERS, {"email": "new-steward@example.org", "role": "identity_steward"}, format="json"
    )
    assert response.status_code == 202
    person = User.objects.get(email="new-steward@example.org")
    assert roles_of(person, biobank_a) == [] and RoleGrant.objects.get().user == person


def test_through_the_api_a_second_admin_rejects(biobank_a, admin_a, second_admin, technician_a):
    grant = services.membership_grant(actor=admin_a, biobank=biobank_a, user=technician_a, role=Role.IDENTITY_STEWARD)
    response = api(second_admin).post(f"{API_GRANTS}{grant.pk}/reject/")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert response.json()["decided_by"] == second_admin.email
    assert roles_of(technician_a, biobank_a) == [Role.TECHNICIAN]


def test_the_api_keeps_requests_from_technicians_and_other_biobanks(biobank_a, admin_a, technician_a, outsider):
    grant = services.membership_grant(actor=admin_a, biobank=biobank_a, user=technician_a, role=Role.IDENTITY_STEWARD)
    assert api(technician_a).get(API_GRANTS).status_code == 403
    assert api(technician_a).post(f"{API_GRANTS}{grant.pk}/approve/").status_code == 403
    assert api(outsider).get(API_GRANTS).status_code == 404
    assert api(outsider).post(f"{API_GRANTS}{grant.pk}/approve/").status_code == 404
    assert RoleGrant.objects.get().status == RoleGrant.Status.PENDING


# A token carries at most its creator's permissions --------------------------------------------------------------


def _token(actor, biobank, permissions):
    return services.api_token_create(
        actor=actor,
        biobank=biobank,
        name="LIS",
        permissions=permissions,
        expires_at=timezone.now() + timedelta(days=30),
    )


def test_an_admin_cannot_mint_a_token_with_permissions_the_admin_role_lacks(biobank_a, admin_a):
    before = AuditOutbox.objects.count()
    with pytest.raises(DomainError, match="do not hold yourself") as error:
        _token(admin_a, biobank_a, ["view_donors", "manage_consent", "change_specimens"])
    assert "manage_consent" in error.value.message and "change_specimens" in error.value.message
    assert "view_donors" not in error.value.message.split(":")[-1]
    assert error.value.field == "permissions"
    assert not ApiToken.objects.exists() and AuditOutbox.objects.count() == before


def test_an_admin_may_mint_a_token_within_their_own_permissions(biobank_a, admin_a):
    token, _ = _token(admin_a, biobank_a, ["view_donors", "view_specimens", "manage_catalog"])
    assert token.permissions == ["manage_catalog", "view_catalog", "view_donors", "view_specimens"]


def test_a_superuser_may_mint_any_grantable_permission(biobank_a):
    root = User.objects.create_superuser("root@example.org", "a-long-operator-passphrase")
    token, _ = _token(root, biobank_a, ["manage_consent", "change_specimens"])
    assert token.permissions == ["change_specimens", "manage_consent"]


def test_the_token_form_names_the_permissions_the_admin_lacks(client, admin_a, biobank_a):
    client.force_login(admin_a)
    future = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(
        reverse("web:token_create", args=["biobank-a"]),
        {"name": "LIS", "permissions": ["view_catalog", "manage_consent"], "expires_on": future},
    )
    assert response.status_code == 200
    assert "manage_consent" in response.context["form"].errors["permissions"][0]
    assert not ApiToken.objects.exists()
