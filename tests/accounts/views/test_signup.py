"""Researcher self-registration: sign up, confirm the e-mail through a signed expiring link, then sign in."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from biobank.accounts.models import User
from tests.accounts.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
LOGIN = reverse("accounts:login")
PASSWORD = "a-long-research-passphrase"


@pytest.fixture
def signup(client, django_capture_on_commit_callbacks):
    def run(email="ri@uni.example", password=PASSWORD, password2=None):
        data = {
            "full_name": "Rita Researcher",
            "email": email,
            "password1": password,
            "password2": password2 or password,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(SIGNUP, data)

    return run


def verification_path():
    link = re.search(r"http://\S+/accounts/verify/\S+/", mail.outbox[-1].body).group(0)
    return link.split("127.0.0.1:8000", 1)[1]


def test_a_researcher_signs_up_confirms_the_email_and_signs_in(client, signup):
    assert signup()["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(email="ri@uni.example")
    assert user.is_researcher and not user.is_active and user.email_verified_at is None

    refused = client.post(LOGIN, {"username": "ri@uni.example", "password": PASSWORD})
    assert "Please confirm your e-mail address first" in refused.content.decode()
    assert SESSION_KEY not in client.session

    page = client.get(verification_path())
    assert "is confirmed" in page.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.email_verified_at is not None

    response = client.post(LOGIN, {"username": "ri@uni.example", "password": PASSWORD}, follow=True)
    assert "Your researcher account" in response.content.decode()


def test_the_unverified_message_needs_the_right_password(client, signup):
    signup()
    page = client.post(LOGIN, {"username": "ri@uni.example", "password": "guess"}).content.decode()
    assert "confirm your e-mail" not in page and "is not correct" in page


def test_an_address_with_an_account_gets_the_same_answer_and_no_second_account(client, signup, admin_a):
    response = signup(email="admin-a@example.org")
    assert response["Location"] == reverse("accounts:signup_done")
    assert User.objects.filter(email__iexact="admin-a@example.org").count() == 1
    assert "already has one" in mail.outbox[-1].body
    admin_a.refresh_from_db()
    assert admin_a.check_password(DEMO_PASSWORD) and not admin_a.is_researcher


@pytest.mark.parametrize(
    ("password", "password2", "field"),
    [
        ("short", None, "password1"),
        (PASSWORD, "different-long-passphrase", "password2"),
        ("12345678901234", None, "password1"),
    ],
)
def test_bad_passwords_are_refused_and_nothing_is_written(signup, password, password2, field):
    response = signup(password=password, password2=password2)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.exists() and mail.outbox == []


def test_a_tampered_link_is_refused(client, signup):
    signup()
    response = client.get(verification_path()[:-3] + "xx/")
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert not User.objects.get().is_active


def test_an_expired_link_is_refused(client, signup, monkeypatch):
    signup()
    from datetime import timedelta

    from biobank.accounts import signin

    monkeypatch.setattr(signin, "VERIFY_EMAIL_MAX_AGE", timedelta(seconds=-1))
    response = client.get(verification_path())
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert not User.objects.get().is_active


def test_a_deactivated_researcher_is_not_reactivated_by_the_old_link(client, signup):
    signup()
    path = verification_path()
    client.get(path)
    User.objects.update(is_active=False)
    client.get(path)
    assert not User.objects.get().is_active
