import pytest
from django.urls import reverse

from biobank.accounts.choices import Role
from tests.accounts.factories import make_biobank, make_member

pytestmark = pytest.mark.django_db


def nav_of(client, user):
    client.force_login(user)
    return client.get(reverse("web:dashboard")).context["nav"]


def urls(nav):
    return [link.url for link in nav.main] + [link.url for s in nav.biobanks for link in s.links]


def test_an_admin_gets_members_and_tokens_of_their_biobank(client, admin_a):
    found = urls(nav_of(client, admin_a))
    assert reverse("web:members", args=["biobank-a"]) in found
    assert reverse("web:tokens", args=["biobank-a"]) in found
    assert reverse("catalog:collection_list") in found


def test_a_technician_gets_no_token_link(client, technician_a):
    found = urls(nav_of(client, technician_a))
    assert reverse("web:tokens", args=["biobank-a"]) not in found
    assert reverse("web:biobank", args=["biobank-a"]) in found


def test_an_identity_steward_gets_no_catalogue_link(client, steward_a):
    assert reverse("catalog:collection_list") not in urls(nav_of(client, steward_a))


def test_a_donor_gets_only_the_dashboard_and_profile(client, donor):
    from biobank.web.context_processors import PUBLIC_LINKS

    nav = nav_of(client, donor)
    assert [link.label for link in nav.main] == ["Dashboard", *(str(spec.label) for spec in PUBLIC_LINKS)]
    assert nav.biobanks == []
    # no password to change: the same page offers to set one (issue 16, item 10)
    assert [link.label for link in nav.account] == ["Profile", "Set a password"]


def test_each_biobank_section_names_the_roles(client, biobank_a, biobank_b):
    user = make_member(biobank_a, Role.AUDITOR, Role.TECHNICIAN)
    from biobank.accounts import services

    services.membership_grant(actor=None, biobank=biobank_b, user=user, role=Role.DAC_CHAIR)
    nav = nav_of(client, user)
    assert [(s.title, s.subtitle) for s in nav.biobanks] == [
        ("Biobank A", "Technician, Auditor"),
        ("Biobank B", "DAC chair"),
    ]


def test_the_current_page_is_marked(client, admin_a):
    client.force_login(admin_a)
    page = client.get(reverse("web:members", args=["biobank-a"])).content.decode()
    assert f'href="{reverse("web:members", args=["biobank-a"])}" aria-current="page"' in page


def test_navigation_costs_one_query_however_many_biobanks(client, django_assert_num_queries, rf):
    from biobank.web.context_processors import build_navigation

    user = make_member(make_biobank(), Role.BIOBANK_ADMIN)
    for _ in range(5):
        make_member(make_biobank(), Role.TECHNICIAN)
        from biobank.accounts import services

        services.membership_grant(actor=None, biobank=make_biobank(), user=user, role=Role.DATA_MANAGER)
    request = rf.get("/")
    request.user = user
    with django_assert_num_queries(1):
        nav = build_navigation(request)
    assert len(nav.biobanks) == 6


def test_anonymous_pages_have_no_navigation(client):
    response = client.get(reverse("accounts:login"))
    assert "nav" not in response.context


def test_only_the_most_specific_link_is_current(client, biobank_a):
    from biobank.accounts.choices import Role
    from tests.accounts.factories import make_member

    client.force_login(make_member(biobank_a, Role.TECHNICIAN, email="nav-tech@example.org"))
    page = client.get(f"/specimens/{biobank_a.code}/storage/").content.decode()
    assert page.count('aria-current="page"') == 1
    assert f'href="/specimens/{biobank_a.code}/storage/" aria-current="page"' in page or (
        f'aria-current="page" href="/specimens/{biobank_a.code}/storage/"' in page
    )


def test_a_data_manager_gets_the_catalogue_management_of_their_biobank_and_a_technician_not(
    client, data_manager_a, technician_a
):
    manage = reverse("catalog_manage:biobank", args=["biobank-a"])
    assert manage in urls(nav_of(client, data_manager_a))
    assert manage not in urls(nav_of(client, technician_a))
    assert reverse("catalog:collection_list") in urls(nav_of(client, technician_a))  # the read-only list stays
