"""/me/, the biobank list and detail, and member management through the API."""

from __future__ import annotations

import pytest
from django.core import mail

from biobank.accounts import services as account_services
from biobank.accounts.choices import TOKEN_GRANTABLE_PERMISSIONS, Role
from biobank.accounts.models import Membership, User
from tests.accounts.factories import UserFactory, make_biobank, make_member

pytestmark = pytest.mark.django_db


def test_me_tells_a_person_their_roles_per_biobank(admin_a, biobank_b, login):
    account_services.membership_grant(actor=None, biobank=biobank_b, user=admin_a, role=Role.AUDITOR)

    body = login(admin_a).get("/api/v1/me/").json()

    assert body["kind"] == "person"
    assert body["email"] == "admin-a@example.org"
    assert body["is_researcher"] is False
    assert body["memberships"] == [
        {"biobank": "biobank-a", "biobank_name": "Biobank A", "role": "biobank_admin"},
        {"biobank": "biobank-b", "biobank_name": "Biobank B", "role": "auditor"},
    ]


def test_me_tells_a_researcher_they_have_no_memberships(db, login):
    researcher = UserFactory(email="r@example.org", is_researcher=True)

    body = login(researcher).get("/api/v1/me/").json()

    assert (body["is_researcher"], body["memberships"]) == (True, [])


def test_me_tells_a_token_its_biobank_permissions_and_expiry(token_client, biobank_a):
    body = token_client(biobank_a, "view_catalog", "view_biobank").get("/api/v1/me/").json()

    assert body["kind"] == "token"
    assert body["biobank"] == "biobank-a"
    assert body["permissions"] == ["view_biobank", "view_catalog"]
    assert body["name"] == "LIS"
    assert body["expires_at"]
    assert body["key_prefix"].startswith("bbp_")


def test_the_biobank_list_filters_by_network_and_country(db, login):
    network = account_services.network_create(actor=None, code="bbmri-de", name="German Biobank Network")
    banks = [
        account_services.biobank_create(actor=None, code="berlin", name="Berlin", country="DE", network=network),
        account_services.biobank_create(actor=None, code="wien", name="Wien", country="AT"),
        account_services.biobank_create(actor=None, code="munich", name="Munich", country="DE"),
    ]
    user = UserFactory()
    for biobank in banks:
        account_services.membership_grant(actor=None, biobank=biobank, user=user, role=Role.AUDITOR)
    client = login(user)

    def codes(query: str) -> list[str]:
        return [row["code"] for row in client.get(f"/api/v1/biobanks/?{query}").json()["results"]]

    assert codes("") == ["berlin", "munich", "wien"]
    assert codes("network=bbmri-de") == ["berlin"]
    assert codes("country=de") == ["berlin", "munich"]
    assert codes("country=AT&network=bbmri-de") == []
    berlin = client.get("/api/v1/biobanks/berlin/").json()
    assert berlin["network"] == {"code": "bbmri-de", "name": "German Biobank Network"}


def test_a_country_filter_that_is_not_a_code_is_a_400_naming_the_parameter(admin_a, login):
    response = login(admin_a).get("/api/v1/biobanks/?country=Germany")

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/country"
    assert "two-letter" in response.json()["errors"][0]["message"]


def test_an_admin_lists_the_members_of_their_biobank(admin_a, technician_a, login):
    body = login(admin_a).get("/api/v1/biobanks/biobank-a/members/").json()

    assert [(row["email"], row["role"]) for row in body["results"]] == [
        ("admin-a@example.org", "biobank_admin"),
        ("tech-a@example.org", "technician"),
    ]


def test_an_auditor_may_list_members_but_not_change_them(biobank_a, admin_a, login):
    auditor = make_member(biobank_a, Role.AUDITOR, email="aud@example.org")
    client = login(auditor)

    assert client.get("/api/v1/biobanks/biobank-a/members/").status_code == 200
    response = client.post("/api/v1/biobanks/biobank-a/members/", {"email": "x@example.org", "role": "auditor"})
    assert response.status_code == 403


def test_granting_a_role_to_a_new_email_creates_the_account_and_sends_a_password_link(
    admin_a, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(admin_a).post(
            "/api/v1/biobanks/biobank-a/members/",
            {"email": "New.Person@Example.org", "role": "technician", "full_name": "New Person"},
        )

    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["role"], body["granted_by"]) == ("new.person@example.org", "technician", admin_a.email)
    assert User.objects.get(email="new.person@example.org").full_name == "New Person"
    assert [message.to for message in mail.outbox] == [["new.person@example.org"]]


def test_granting_a_second_role_to_an_existing_person_keeps_the_first(admin_a, technician_a, login):
    response = login(admin_a).post(
        "/api/v1/biobanks/biobank-a/members/", {"email": "TECH-A@example.org", "role": "auditor"}
    )

    assert response.status_code == 201
    assert set(Membership.objects.filter(user=technician_a).values_list("role", flat=True)) == {
        "technician",
        "auditor",
    }
    assert mail.outbox == []


def test_granting_a_role_someone_already_has_is_a_409(admin_a, technician_a, login):
    response = login(admin_a).post(
        "/api/v1/biobanks/biobank-a/members/", {"email": "tech-a@example.org", "role": "technician"}
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["pointer"] == "/role"


def test_an_unknown_role_is_a_400_listing_the_allowed_ones(admin_a, login):
    response = login(admin_a).post(
        "/api/v1/biobanks/biobank-a/members/", {"email": "x@example.org", "role": "overlord"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/role"
    assert not User.objects.filter(email="x@example.org").exists()


def test_an_admin_takes_a_role_away(admin_a, technician_a, login):
    membership = Membership.objects.get(user=technician_a)

    response = login(admin_a).delete(f"/api/v1/biobanks/biobank-a/members/{membership.pk}/")

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not technician_a.groups.exists()


def test_the_last_admin_cannot_be_removed(admin_a, login):
    membership = Membership.objects.get(user=admin_a)

    response = login(admin_a).delete(f"/api/v1/biobanks/biobank-a/members/{membership.pk}/")

    assert response.status_code == 409
    assert "last biobank admin" in response.json()["detail"]
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_membership_of_another_biobank_is_404_even_for_an_admin(admin_a, outsider, login):
    foreign = Membership.objects.get(user=outsider)

    response = login(admin_a).delete(f"/api/v1/biobanks/biobank-a/members/{foreign.pk}/")

    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_no_token_permission_opens_member_management(biobank_a, token_client):
    client = token_client(biobank_a, *TOKEN_GRANTABLE_PERMISSIONS)

    assert client.get("/api/v1/biobanks/biobank-a/members/").status_code == 403
    assert client.delete("/api/v1/biobanks/biobank-a/members/1/").status_code == 403


def test_a_person_sees_only_biobanks_where_they_hold_a_role(technician_a, biobank_b, login):
    make_biobank(code="biobank-c")

    body = login(technician_a).get("/api/v1/biobanks/").json()

    assert [row["code"] for row in body["results"]] == ["biobank-a"]
