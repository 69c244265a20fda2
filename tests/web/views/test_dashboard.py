import pytest
from django.urls import reverse

from biobank.accounts.choices import Role
from tests.accounts.factories import make_biobank, make_member, make_token

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("web:dashboard")


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_admin_sees_member_and_token_figures_with_links(client, admin_a, technician_a, biobank_a):
    make_token(biobank_a, "view_specimens", days=10)
    make_token(biobank_a, "view_specimens", days=40)
    client.force_login(admin_a)
    page = client.get(DASHBOARD).content.decode()
    assert "Biobank A" in page
    assert "Manage members and roles" in page
    assert reverse("web:members", args=["biobank-a"]) in page
    assert reverse("web:tokens", args=["biobank-a"]) in page
    panel = client.get(DASHBOARD).context["panels"][0]
    assert panel.member_count == 2
    assert panel.tokens.active == 2
    assert panel.tokens.nearest_expiry == min(t.expires_at for t in biobank_a.api_tokens.all())


def test_revoked_and_expired_tokens_are_not_counted_as_active(client, admin_a, biobank_a):
    from biobank.accounts import services

    make_token(biobank_a, "view_biobank")
    services.api_token_revoke(actor=admin_a, token=biobank_a.api_tokens.get())
    client.force_login(admin_a)
    panel = client.get(DASHBOARD).context["panels"][0]
    assert panel.tokens.active == 0
    assert "No token is active." in client.get(DASHBOARD).content.decode()


def test_a_data_manager_sees_the_collections_with_edit_links(client, data_manager_a, collection_a, collection_b):
    client.force_login(data_manager_a)
    page = client.get(DASHBOARD).content.decode()
    assert "Breast cancer 2019" in page
    assert reverse("catalog_manage:collection", args=["biobank-a", collection_a.pk]) in page  # the full description
    assert "Liver cohort" not in page  # another biobank's collection
    assert "Manage API tokens" not in page


def test_an_auditor_sees_members_with_their_roles_and_token_figures(client, auditor_a, admin_a, biobank_a):
    make_token(biobank_a, "view_biobank")
    client.force_login(auditor_a)
    response = client.get(DASHBOARD)
    page = response.content.decode()
    assert "Members and their roles" in page
    assert "admin-a@example.org" in page and "Biobank admin" in page
    assert response.context["panels"][0].tokens.active == 1
    assert "Manage API tokens" not in page  # auditors read, they do not manage


def test_a_technician_sees_what_their_role_allows_and_the_collections(client, technician_a, collection_a):
    client.force_login(technician_a)
    page = client.get(DASHBOARD).content.decode()
    assert "Register and process specimens, manage storage" in page
    assert "Breast cancer 2019" in page
    assert "Manage members" not in page
    assert reverse("catalog_manage:collection", args=["biobank-a", collection_a.pk]) not in page


def test_an_identity_steward_sees_their_permissions_but_no_catalogue(client, steward_a, collection_a):
    client.force_login(steward_a)
    page = client.get(DASHBOARD).content.decode()
    assert "See identifying data of donors" in page
    assert "Breast cancer 2019" not in page


def test_a_researcher_sees_their_profile_and_the_network_by_name(client, researcher, collection_a, collection_b):
    client.force_login(researcher)
    page = client.get(DASHBOARD).content.decode()
    assert "Your researcher account" in page
    assert "researcher@example.org" in page
    for name in ("Biobank A", "Biobank B"):
        assert name in page
    # the collections: only those the researcher may see, as on the collections page (test_dashboard_collections.py)
    assert "Breast cancer 2019" not in page and "Tumour and blood." not in page


def test_a_donor_sees_their_participation_page(client, donor):
    client.force_login(donor)
    page = client.get(DASHBOARD).content.decode()
    assert "Your participation" in page
    assert "donor@example.org" in page
    assert 'href="/my/"' in page  # the donor portal (consent/portal/)


def test_a_person_without_roles_gets_an_empty_state(client, db):
    from tests.accounts.factories import UserFactory

    client.force_login(UserFactory())
    assert "You have no role in any biobank yet" in client.get(DASHBOARD).content.decode()


def test_the_dashboard_query_count_does_not_grow_with_the_number_of_biobanks(client, count_queries):
    user = make_member(make_biobank(), Role.BIOBANK_ADMIN, Role.AUDITOR, Role.DATA_MANAGER)
    client.force_login(user)
    one = count_queries(DASHBOARD)
    for _ in range(4):
        biobank = make_biobank()
        for role in (Role.BIOBANK_ADMIN, Role.AUDITOR, Role.DATA_MANAGER):
            from biobank.accounts import services

            services.membership_grant(actor=None, biobank=biobank, user=user, role=role)
        make_token(biobank, "view_biobank")
    assert count_queries(DASHBOARD) == one
    # session, user, memberships, member counts, members for auditors, token summary, collections,
    # specimens by status, the last verification of the audit chain (auditors), and the catalogue's data-quality tile
    # (biobanks, profiles, collections; their facts only when there are collections: catalog/quality.py)
    # --- dash --- and the role dashboards: the admin's inventory (by type, by collection, per month), freezers,
    # consent status, request pipeline and turnaround; the auditor's sensitive reads
    assert one == 12 + 3 + 1 + 1 + 2 + 1


def test_an_auditor_sees_the_last_verification_of_the_audit_chain_and_a_technician_does_not(
    client, biobank_a, technician_a
):
    from biobank.accounts.choices import Role
    from biobank.audit.services import audit_verification_run
    from tests.accounts.factories import make_member

    auditor = make_member(biobank_a, Role.AUDITOR, email="auditor-dash@example.org")
    audit_verification_run(actor="system:test", checkpoint_path="/nonexistent")
    client.force_login(auditor)
    page = client.get("/").content.decode()
    assert "Last verification of the chain" in page

    client.force_login(technician_a)
    assert "Last verification of the chain" not in client.get("/").content.decode()
