import json

import pytest
from django.core import mail
from django.urls import reverse

from biobank.accounts.choices import Role
from biobank.accounts.models import Membership, User
from tests.accounts.factories import make_member

pytestmark = pytest.mark.django_db

MEMBERS = reverse("web:members", args=["biobank-a"])
ADD = reverse("web:member_add", args=["biobank-a"])


def edit_url(user):
    return reverse("web:member_edit", args=["biobank-a", user.pk])


def remove_url(user):
    return reverse("web:member_remove", args=["biobank-a", user.pk])


def roles_of(user, biobank):
    return sorted(Membership.objects.filter(user=user, biobank=biobank).values_list("role", flat=True))


def test_an_admin_sees_the_members_with_their_roles_and_the_controls(client, admin_a, technician_a):
    client.force_login(admin_a)
    page = client.get(MEMBERS).content.decode()
    assert "tech-a@example.org" in page and "Technician" in page
    assert "Add a member" in page and "Change roles" in page


def test_a_member_without_manage_members_sees_the_list_read_only(client, admin_a, technician_a):
    client.force_login(technician_a)
    page = client.get(MEMBERS).content.decode()
    assert "admin-a@example.org" in page
    assert "Add a member" not in page and "Change roles" not in page


@pytest.mark.parametrize("name", ["members", "member_add"])
def test_a_foreign_biobank_is_not_found(client, outsider, biobank_a, name):
    client.force_login(outsider)
    assert client.get(reverse(f"web:{name}", args=["biobank-a"])).status_code == 404


def test_an_unknown_biobank_is_not_found(client, admin_a):
    client.force_login(admin_a)
    assert client.get(reverse("web:members", args=["no-such-bank"])).status_code == 404


def test_a_technician_may_not_open_the_management_pages(client, technician_a, admin_a):
    client.force_login(technician_a)
    for url in (ADD, edit_url(admin_a), remove_url(admin_a)):
        response = client.get(url)
        assert response.status_code == 403
        assert "Add and remove members and change their roles" in response.content.decode()
    assert client.post(remove_url(admin_a)).status_code == 403
    assert roles_of(admin_a, admin_a.memberships.get().biobank) == [Role.BIOBANK_ADMIN]


def test_anonymous_visitors_are_sent_to_sign_in(client, biobank_a):
    response = client.get(MEMBERS)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_adding_a_new_email_creates_an_account_and_sends_a_set_password_link(
    client, admin_a, biobank_a, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ADD, {"email": "New.Person@Example.org", "full_name": "New Person", "roles": [Role.TECHNICIAN]}
        )
    assert response.status_code == 302 and response["Location"] == MEMBERS
    user = User.objects.get(email="new.person@example.org")
    assert roles_of(user, biobank_a) == [Role.TECHNICIAN]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@example.org"]
    assert "/accounts/reset/" in mail.outbox[0].body
    assert "We e-mailed them a link" in client.get(MEMBERS).content.decode()


def test_adding_an_existing_person_gives_them_the_roles_without_an_email(
    client, admin_a, biobank_a, outsider, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ADD, {"email": outsider.email, "roles": [Role.AUDITOR, Role.DAC_MEMBER]})
    assert roles_of(outsider, biobank_a) == sorted([Role.AUDITOR, Role.DAC_MEMBER])
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email", "roles": [Role.TECHNICIAN]}, "email", "Enter a valid email address."),
        ({"email": "x@example.org"}, "roles", "Choose at least one role."),
        ({"email": "x@example.org", "roles": ["pilot"]}, "roles", "Select a valid choice."),
    ],
)
def test_bad_input_shows_the_error_next_to_the_field_and_writes_nothing(client, admin_a, data, field, message):
    client.force_login(admin_a)
    users_before = User.objects.count()
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    page = response.content.decode()
    assert "There is a problem" in page and f'id="id_{field}_error"' in page
    assert User.objects.count() == users_before


def test_an_admin_changes_a_members_roles_with_a_plain_form_post(client, admin_a, technician_a, biobank_a):
    client.force_login(admin_a)
    response = client.post(edit_url(technician_a), {"roles": [Role.DATA_MANAGER, Role.TECHNICIAN]})
    assert response.status_code == 302
    assert roles_of(technician_a, biobank_a) == sorted([Role.DATA_MANAGER, Role.TECHNICIAN])


def test_the_edit_form_is_prefilled_with_the_current_roles(client, admin_a, technician_a):
    client.force_login(admin_a)
    response = client.get(edit_url(technician_a))
    assert response.context["form"].initial["roles"] == [Role.TECHNICIAN]
    assert 'value="technician"' in response.content.decode()


def test_with_htmx_the_row_is_edited_in_place(client, admin_a, technician_a, biobank_a):
    client.force_login(admin_a)
    form = client.get(edit_url(technician_a), headers={"HX-Request": "true"})
    assert form.content.decode().lstrip().startswith('<tr id="member-')
    assert "Save roles" in form.content.decode()
    saved = client.post(edit_url(technician_a), {"roles": [Role.AUDITOR]}, headers={"HX-Request": "true"})
    assert saved.status_code == 200
    assert "Auditor" in saved.content.decode() and "Save roles" not in saved.content.decode()
    assert json.loads(saved["HX-Trigger"])["portal:message"]["level"] == "success"
    assert roles_of(technician_a, biobank_a) == [Role.AUDITOR]


def test_a_row_of_someone_outside_the_biobank_is_not_found(client, admin_a, outsider):
    client.force_login(admin_a)
    assert client.get(edit_url(outsider)).status_code == 404
    assert client.post(remove_url(outsider)).status_code == 404


def test_the_last_admin_cannot_drop_their_admin_role(client, admin_a, biobank_a):
    client.force_login(admin_a)
    response = client.post(edit_url(admin_a), {"roles": [Role.AUDITOR]}, follow=True)
    assert "last biobank admin" in response.content.decode()
    assert roles_of(admin_a, biobank_a) == [Role.BIOBANK_ADMIN]  # nothing half-written (auditor not granted)


def test_the_last_admin_error_is_shown_inline_with_htmx(client, admin_a, biobank_a):
    client.force_login(admin_a)
    response = client.post(edit_url(admin_a), {"roles": [Role.AUDITOR]}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert 'role="alert"' in page and "last biobank admin" in page


def test_removing_a_member_takes_all_their_roles(client, admin_a, technician_a, biobank_a):
    client.force_login(admin_a)
    assert "Remove from biobank" in client.get(remove_url(technician_a)).content.decode()
    response = client.post(remove_url(technician_a), follow=True)
    assert roles_of(technician_a, biobank_a) == []
    assert "tech-a@example.org was removed" in response.content.decode()


def test_removing_the_last_admin_is_refused_with_a_message(client, admin_a, biobank_a):
    client.force_login(admin_a)
    response = client.post(remove_url(admin_a), follow=True)
    assert "last biobank admin" in response.content.decode()
    assert roles_of(admin_a, biobank_a) == [Role.BIOBANK_ADMIN]


def test_the_member_list_query_count_does_not_grow_with_the_members(client, admin_a, biobank_a, count_queries):
    client.force_login(admin_a)
    few = count_queries(MEMBERS)
    for number in range(10):
        make_member(biobank_a, Role.TECHNICIAN, Role.AUDITOR, email=f"m{number}@example.org")
    assert count_queries(MEMBERS) == few
    # session, user, biobank, 2 permission checks, navigation memberships, members, their roles here, pending roles
    assert few == 9


def test_an_admin_who_removes_themselves_lands_on_the_dashboard(client, admin_a, biobank_a):
    make_member(biobank_a, Role.BIOBANK_ADMIN, email="second-admin@example.org")
    client.force_login(admin_a)
    response = client.post(remove_url(admin_a))
    assert response["Location"] == reverse("web:dashboard")
    assert roles_of(admin_a, biobank_a) == []
