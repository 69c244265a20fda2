"""A deactivated biobank (issue 9, item 3): until now only its API tokens were cut off and its members went on
reading and writing. Now nobody reads or writes its data, superusers and tokens included; its auditors keep
reading its audit trail. Reactivation opens it again. Deactivation is audited with a reason."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from biobank.accounts import services
from biobank.accounts.choices import BIOBANK_PERMISSIONS, Role
from biobank.accounts.models import Biobank, User
from biobank.accounts.selectors import (
    AUDITOR_READ_PERMISSIONS,
    biobank_ids_with_perm,
    biobank_perms_of,
    biobanks_with_perm,
    user_has_biobank_perm,
)
from biobank.audit.models import AuditOutbox
from biobank.audit.services import audit_drain
from biobank.errors import ConflictError, DomainError
from consent.models import Donor
from tests.accounts.factories import make_member, make_token
from tests.consent.factories import make_donor

pytestmark = pytest.mark.django_db

REASON = "Biobank closed by the ethics committee"
NEW_PERSON = {
    "biobank": "biobank-a",
    "given_names": "Paul",
    "family_name": "Weber",
    "date_of_birth": "1981-11-02",
    "sex": "male",
    "hospital_id": "MRN-777",
}


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def deactivate(biobank: Biobank) -> None:
    services.biobank_deactivate(actor="system:test", biobank=biobank, reason=REASON)


@pytest.mark.parametrize("role", [role for role in Role if role != Role.AUDITOR])
def test_every_role_loses_every_permission_on_a_deactivated_biobank(biobank_a, role):
    person = make_member(biobank_a, role)
    deactivate(biobank_a)
    for perm in BIOBANK_PERMISSIONS:
        assert not biobanks_with_perm(user=person, perm=perm).exists(), perm
        assert not user_has_biobank_perm(user=person, biobank=biobank_a, perm=perm), perm
        assert not biobank_ids_with_perm(user=person, perm=perm).exists(), perm
    assert biobank_perms_of(user=person, biobank=biobank_a) == frozenset()


def test_the_auditor_keeps_only_reading_the_biobank_and_its_trail(biobank_a, auditor_a):
    deactivate(biobank_a)
    kept = {perm for perm in BIOBANK_PERMISSIONS if user_has_biobank_perm(user=auditor_a, biobank=biobank_a, perm=perm)}
    assert kept == set(AUDITOR_READ_PERMISSIONS) == {"view_biobank", "view_audit"}
    assert biobank_perms_of(user=auditor_a, biobank=Biobank.objects.get(pk=biobank_a.pk)) == AUDITOR_READ_PERMISSIONS


def test_a_superuser_neither_reads_donors_nor_writes_in_a_deactivated_biobank(biobank_a, biobank_b):
    root = User.objects.create_superuser("root@example.org", "a-long-operator-passphrase")
    deactivate(biobank_a)
    assert list(biobanks_with_perm(user=root, perm="view_donors")) == [biobank_b]
    assert user_has_biobank_perm(user=root, biobank=biobank_a, perm="view_audit")  # read-only, as an auditor


def test_a_member_gets_404_on_the_donor_pages_and_cannot_register_donors(client, biobank_a, consent_officer_a):
    donor = make_donor(biobank_a)
    detail = reverse("consent:donor_detail", args=["biobank-a", donor.pid_display])
    donors = reverse("consent:donor_list", args=["biobank-a"])
    client.force_login(consent_officer_a)
    assert client.get(detail).status_code == 200  # the scenario starts from a working page

    deactivate(biobank_a)

    assert client.get(detail).status_code == 404
    assert client.get(donors).status_code == 404
    assert client.get(reverse("web:biobank", args=["biobank-a"])).status_code == 404
    assert client.post(reverse("consent:donor_register", args=["biobank-a"]), NEW_PERSON).status_code == 404
    assert Donor.objects.count() == 1


def test_a_member_gets_404_on_the_donor_api_and_cannot_register_donors(biobank_a, consent_officer_a):
    donor = make_donor(biobank_a)
    client = api(consent_officer_a)
    assert client.get(f"/api/v1/donors/{donor.pid_display}/").status_code == 200

    deactivate(biobank_a)

    assert client.get(f"/api/v1/donors/{donor.pid_display}/").status_code == 404
    assert client.get("/api/v1/donors/").json()["results"] == []
    assert client.get("/api/v1/biobanks/biobank-a/").status_code == 404
    response = client.post("/api/v1/donors/", NEW_PERSON, format="json")
    assert response.status_code == 403  # they may register donors in no (active) biobank any more
    assert Donor.objects.count() == 1


def test_an_admin_of_a_deactivated_biobank_can_neither_add_members_nor_mint_tokens(client, biobank_a, admin_a):
    deactivate(biobank_a)
    client.force_login(admin_a)
    assert client.post(reverse("web:member_add", args=["biobank-a"]), {"email": "x@example.org"}).status_code == 404
    assert client.get(reverse("web:token_create", args=["biobank-a"])).status_code == 404
    response = api(admin_a).post("/api/v1/biobanks/biobank-a/members/", {"email": "x@example.org", "role": "auditor"})
    assert response.status_code == 404
    assert not User.objects.filter(email="x@example.org").exists()


def test_the_auditor_still_reads_the_audit_trail_with_the_deactivation(client, biobank_a, auditor_a, biobank_b):
    deactivate(biobank_a)
    audit_drain()
    client.force_login(auditor_a)
    page = client.get("/audit/").content.decode()
    assert "biobank.deactivate" in page and REASON in page
    events = api(auditor_a).get("/api/v1/audit-events/", {"action": "biobank.deactivate"})
    assert events.status_code == 200
    assert [e["reason"] for e in events.json()["results"]] == [REASON]


def test_the_auditor_reads_no_donors_of_a_deactivated_biobank(biobank_a, auditor_a):
    donor = make_donor(biobank_a)
    deactivate(biobank_a)
    assert api(auditor_a).get(f"/api/v1/donors/{donor.pid_display}/").status_code in {403, 404}


def test_tokens_stay_cut_off_and_come_back_with_reactivation(biobank_a):
    client = APIClient(headers={"Authorization": f"Bearer {make_token(biobank_a, 'view_biobank')}"})
    assert client.get("/api/v1/biobanks/biobank-a/").status_code == 200
    deactivate(biobank_a)
    assert client.get("/api/v1/biobanks/biobank-a/").status_code == 401
    services.biobank_reactivate(actor="system:test", biobank=biobank_a, reason="Reopened after review")
    assert client.get("/api/v1/biobanks/biobank-a/").status_code == 200


def test_reactivation_gives_the_members_their_access_back(biobank_a, consent_officer_a):
    deactivate(biobank_a)
    services.biobank_reactivate(actor="system:test", biobank=biobank_a, reason="Reopened after review")
    assert user_has_biobank_perm(user=consent_officer_a, biobank=biobank_a, perm="manage_consent")


@pytest.mark.parametrize("reason", ["", "   "])
def test_deactivating_without_a_reason_is_refused_and_changes_nothing(biobank_a, reason):
    before = AuditOutbox.objects.count()
    with pytest.raises(DomainError, match="Give a reason"):
        services.biobank_deactivate(actor="system:test", biobank=biobank_a, reason=reason)
    assert Biobank.objects.get(pk=biobank_a.pk).is_active
    assert AuditOutbox.objects.count() == before


def test_deactivating_twice_is_a_conflict_recorded_once(biobank_a):
    deactivate(biobank_a)
    with pytest.raises(ConflictError, match="already deactivated"):
        deactivate(biobank_a)
    assert AuditOutbox.objects.filter(action="biobank.deactivate").count() == 1


def test_the_operator_command_deactivates_and_reopens_with_a_reason(biobank_a):
    out = StringIO()
    call_command("biobank_deactivate", "biobank-a", "--reason", REASON, stdout=out)
    assert "biobank-a deactivated" in out.getvalue()
    assert not Biobank.objects.get(pk=biobank_a.pk).is_active
    event = AuditOutbox.objects.get(action="biobank.deactivate")
    assert event.reason == REASON and event.changes == {"is_active": [True, False]}
    call_command("biobank_deactivate", "biobank-a", "--reactivate", "--reason", "Reopened", stdout=out)
    assert Biobank.objects.get(pk=biobank_a.pk).is_active


@pytest.mark.parametrize(
    ("arguments", "message"),
    [(["nope", "--reason", REASON], "No biobank with the code"), (["biobank-a", "--reason", " "], "Give a reason")],
)
def test_the_operator_command_explains_bad_input(biobank_a, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("biobank_deactivate", *arguments, stdout=StringIO())
    assert Biobank.objects.get(pk=biobank_a.pk).is_active


def test_the_navigation_drops_the_biobank_for_members_and_keeps_the_audit_trail_for_its_auditor(
    client, biobank_a, consent_officer_a, auditor_a
):
    deactivate(biobank_a)
    client.force_login(consent_officer_a)
    assert "Biobank A" not in client.get(reverse("web:dashboard")).content.decode()
    client.force_login(auditor_a)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert 'href="/audit/"' in page
