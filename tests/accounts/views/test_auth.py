"""Sign in and out, password reset through the e-mail task, password change, profile."""

import re
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from biobank.accounts import tasks
from biobank.accounts.choices import Role
from tests.accounts.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def test_a_member_signs_in_with_email_and_password_and_is_asked_to_set_up_the_second_step(client, admin_a):
    response = client.post(LOGIN, {"username": "Admin-A@example.org", "password": DEMO_PASSWORD}, follow=True)
    assert (
        response.redirect_chain[-1][0] == reverse("accounts:mfa_setup") + "?next=%2F"
    )  # MFA: tests/accounts/test_mfa.py


def test_a_researcher_signs_in_with_email_and_password_and_reaches_the_dashboard(client, db):
    UserFactory(email="rosa@example.org", is_researcher=True)
    response = client.post(LOGIN, {"username": "Rosa@example.org", "password": DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:dashboard")
    assert "Welcome" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_clear_message(client, admin_a):
    response = client.post(LOGIN, {"username": "admin-a@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "The e-mail address or password is not correct" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_empty_fields_are_named_in_the_error_summary(client, db):
    page = client.post(LOGIN, {"username": "", "password": ""}).content.decode()
    assert "There is a problem" in page
    assert 'href="#id_username"' in page and 'href="#id_password"' in page


def test_the_login_page_sends_signed_in_people_on(client, admin_a):
    client.force_login(admin_a)
    assert client.get(LOGIN)["Location"] == reverse("web:dashboard")


def test_logout_needs_a_post(client, admin_a):
    client.force_login(admin_a)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == LOGIN
    assert SESSION_KEY not in client.session


def test_logout_enforces_csrf(admin_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert SESSION_KEY in client.session


def test_password_reset_is_sent_through_the_email_task_and_works(client, admin_a, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(tasks.deliver_email, "delay", wraps=tasks.deliver_email.delay) as delay,
        django_capture_on_commit_callbacks(execute=True),  # the outbox row is sent after commit
    ):
        response = client.post(reverse("accounts:password_reset"), {"email": "ADMIN-A@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert delay.call_count == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["admin-a@example.org"]
    link = re.search(r"http://\S+/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("127.0.0.1:8000", 1)[1]
    form_page = client.get(path, follow=True)
    new_password = "a-brand-new-long-passphrase"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    admin_a.refresh_from_db()
    assert admin_a.check_password(new_password)


def test_password_reset_answers_the_same_for_an_unknown_address(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_member_added_without_a_password_can_ask_for_a_link_again(client, db, django_capture_on_commit_callbacks):
    user = UserFactory(email="new@example.org")
    user.set_unusable_password()
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "new@example.org"})
    assert len(mail.outbox) == 1


def test_a_used_reset_link_says_so(client, admin_a):
    page = client.get(reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"])).content.decode()
    assert "This link is not valid any more" in page


def test_password_change_checks_the_old_password(client, admin_a):
    client.force_login(admin_a)
    url = reverse("accounts:password_change")
    new = "another-long-passphrase"
    bad = client.post(url, {"old_password": "nope", "new_password1": new, "new_password2": new})
    assert "old_password" in bad.context["form"].errors
    good = client.post(url, {"old_password": DEMO_PASSWORD, "new_password1": new, "new_password2": new})
    assert good["Location"] == reverse("accounts:password_change_done")
    admin_a.refresh_from_db()
    assert admin_a.check_password(new)


def test_the_profile_shows_biobanks_and_roles_and_saves_the_name(client, admin_a, biobank_b):
    from biobank.accounts import services

    services.membership_grant(actor=None, biobank=biobank_b, user=admin_a, role=Role.AUDITOR)
    client.force_login(admin_a)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Biobank A" in page and "Biobank admin" in page and "Biobank B" in page and "Auditor" in page
    response = client.post(reverse("accounts:profile"), {"full_name": "  Ada Admin "}, follow=True)
    admin_a.refresh_from_db()
    assert admin_a.full_name == "Ada Admin"
    assert "Your profile was saved." in response.content.decode()


def test_a_too_long_name_is_refused_and_nothing_changes(client, admin_a):
    client.force_login(admin_a)
    before = admin_a.full_name
    response = client.post(reverse("accounts:profile"), {"full_name": "x" * 201})
    assert "full_name" in response.context["form"].errors
    admin_a.refresh_from_db()
    assert admin_a.full_name == before


def test_the_profile_needs_a_signed_in_person(client, db):
    assert client.get(reverse("accounts:profile"))["Location"].startswith(LOGIN)
