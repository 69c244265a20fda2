"""Every change made through the services of accounts and the catalogue, and every sign-in, leaves its event."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from biobank.accounts import services as account_services
from biobank.accounts.choices import Role
from biobank.accounts.models import ApiToken, Membership
from biobank.audit.models import AuditOutbox
from catalog import services as catalog_services
from tests.accounts.factories import DEMO_PASSWORD, UserFactory, make_token


def pending(action: str):
    return list(AuditOutbox.objects.filter(action=action).order_by("id"))


def test_creating_a_biobank_is_recorded(admin_a):
    biobank = account_services.biobank_create(actor=admin_a, code="new-bank", name="New", country="de")
    [event] = pending("biobank.create")[-1:]
    assert event.object_type == "accounts.biobank"
    assert event.object_id == str(biobank.pk)
    assert event.biobank_id == biobank.pk
    assert event.changes["country"] == [None, "DE"]


def test_granting_and_revoking_a_role_is_recorded_on_the_person(biobank_a, admin_a):
    person = UserFactory()
    membership = account_services.membership_grant(actor=admin_a, biobank=biobank_a, user=person, role=Role.AUDITOR)
    account_services.membership_revoke(actor=admin_a, membership=membership)
    grant, revoke = pending("membership.grant")[-1], pending("membership.revoke")[-1]
    assert (grant.object_type, grant.object_id, grant.changes) == (
        "accounts.user",
        str(person.pk),
        {"role": [None, "auditor"]},
    )
    assert revoke.changes == {"role": ["auditor", None]}
    assert grant.biobank_id == revoke.biobank_id == biobank_a.pk
    assert grant.actor_label == "admin-a@example.org"


def test_adding_a_member_records_the_new_account_and_each_role(biobank_a, admin_a):
    user, created = account_services.member_add(
        actor=admin_a, biobank=biobank_a, email="New.Person@Example.org", roles=[Role.TECHNICIAN, Role.AUDITOR]
    )
    assert created
    assert pending("user.create")[-1].changes["email"] == [None, "new.person@example.org"]
    roles = [e.changes["role"][1] for e in pending("membership.grant") if e.object_id == str(user.pk)]
    assert sorted(roles) == ["auditor", "technician"]


def test_creating_a_token_never_records_its_secret(biobank_a, admin_a):
    token, secret = account_services.api_token_create(
        actor=admin_a,
        biobank=biobank_a,
        name="LIS",
        permissions=["view_biobank"],
        expires_at=timezone.now() + timedelta(days=30),
    )
    event = pending("api_token.create")[-1]
    assert event.object_id == str(token.pk)
    assert secret not in str(event.changes)
    assert secret[len(ApiToken.PREFIX) + 6 :] not in str(event.changes)
    assert event.changes["permissions"] == [None, ["view_biobank"]]


def test_revoking_a_token_is_recorded_once(biobank_a, admin_a):
    make_token(biobank_a, name="LIS")
    token = ApiToken.objects.get(name="LIS")
    account_services.api_token_revoke(actor=admin_a, token=token)
    account_services.api_token_revoke(actor=admin_a, token=token)
    assert len([e for e in pending("api_token.revoke") if e.object_id == str(token.pk)]) == 1


def test_using_a_token_is_not_an_audited_change(biobank_a):
    make_token(biobank_a, name="LIS")
    token = ApiToken.objects.get(name="LIS")
    before = AuditOutbox.objects.count()
    account_services.api_token_record_use(token=token, ip="10.0.0.1")
    assert AuditOutbox.objects.count() == before


def test_creating_and_changing_a_collection_is_recorded_with_old_and_new_values(biobank_a, admin_a):
    collection = catalog_services.collection_create(actor=admin_a, biobank=biobank_a, code="crc", name="CRC")
    catalog_services.collection_update(actor=admin_a, collection=collection, name="Colorectal", description="FFPE")
    assert pending("collection.create")[-1].changes["code"] == [None, "crc"]
    assert pending("collection.update")[-1].changes == {"description": ["", "FFPE"], "name": ["CRC", "Colorectal"]}


def test_signing_in_and_out_is_recorded(client, admin_a):
    assert client.login(email=admin_a.email, password=DEMO_PASSWORD)
    client.logout()
    assert pending("auth.login")[-1].actor_label == admin_a.email
    assert pending("auth.logout")[-1].object_id == str(admin_a.pk)


def test_a_failed_sign_in_is_recorded_with_the_email_masked(client, admin_a):
    response = client.post(
        reverse("accounts:login"),
        {"username": admin_a.email, "password": "wrong password"},
        HTTP_USER_AGENT="Firefox/120",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 200
    event = pending("auth.login_failed")[-1]
    assert event.actor_type == "anonymous"
    assert event.object_id == str(admin_a.pk)
    assert event.details["attempted_email"] == "a***@example.org"
    assert admin_a.email not in str(event.details)
    assert (event.client_ip, event.user_agent) == ("10.1.2.3", "Firefox/120")
    assert len(event.request_id) >= 8


def test_a_refused_request_is_recorded_with_who_and_where(client, technician_a):
    client.force_login(technician_a)
    response = client.get("/audit/", HTTP_USER_AGENT="Firefox/120", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 403
    event = pending("access.denied")[-1]
    assert event.actor_label == technician_a.email
    assert event.details == {"method": "GET", "path": "/audit/", "status": 403}
    assert event.client_ip == "10.9.8.7"
    assert event.request_id == response["X-Request-ID"]


def test_a_refused_api_request_is_recorded(api_client, technician_a, biobank_a):
    api_client.force_authenticate(technician_a)
    response = api_client.post("/api/v1/collections/", {"biobank": biobank_a.code, "code": "x1", "name": "X"})
    assert response.status_code == 403
    assert pending("access.denied")[-1].details["path"] == "/api/v1/collections/"


def test_memberships_survive_in_the_trail_after_deletion(biobank_a, admin_a):
    person = UserFactory()
    membership = account_services.membership_grant(actor=admin_a, biobank=biobank_a, user=person, role=Role.DAC_MEMBER)
    membership_id = membership.pk
    account_services.membership_revoke(actor=admin_a, membership=membership)
    assert not Membership.objects.filter(pk=membership_id).exists()
    assert pending("membership.revoke")[-1].details["membership_id"] == membership_id
