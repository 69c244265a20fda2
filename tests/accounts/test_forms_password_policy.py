"""Every way to choose a password meets the policy: at least 12 characters, not common, not all digits, not the
person's own name or address (issue 9, item 6)."""

import re
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from biobank.accounts.models import User
from tests.accounts.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

WEAK = [
    ("short-pass1", "This password is too short. It must contain at least 12 characters."),
    ("password1234", "This password is too common."),
    ("823456789012", "This password is entirely numeric."),
]
GOOD = "a-long-research-passphrase"


def signup(client, password, email="ada.lovelace@example.org"):
    return client.post(
        reverse("accounts:signup"),
        {"email": email, "full_name": "Ada Lovelace", "password1": password, "password2": password},
    )


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_sign_up_refuses_a_weak_password_and_creates_nothing(client, password, message):
    response = signup(client, password)
    assert message in response.context["form"].errors["password1"]
    assert not User.objects.filter(email="ada.lovelace@example.org").exists()


def test_sign_up_refuses_the_persons_own_address_as_password(client):
    response = signup(client, "ada.lovelace@example.org")
    assert "The password is too similar to the e-mail address." in response.context["form"].errors["password1"]


def test_sign_up_accepts_a_long_uncommon_password(client):
    assert signup(client, GOOD)["Location"] == reverse("accounts:signup_done")


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_password_change_refuses_a_weak_password_and_keeps_the_old_one(client, admin_a, password, message):
    client.force_login(admin_a)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert message in response.context["form"].errors["new_password2"]
    admin_a.refresh_from_db()
    assert admin_a.check_password(DEMO_PASSWORD)


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_password_reset_refuses_a_weak_password_and_keeps_the_old_one(
    client, admin_a, password, message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves after commit
        client.post(reverse("accounts:password_reset"), {"email": admin_a.email})
    path = re.search(r"http://\S+?(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert message in response.context["form"].errors["new_password2"]
    admin_a.refresh_from_db()
    assert admin_a.check_password(DEMO_PASSWORD)


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_createsuperuser_without_input_refuses_a_weak_password(monkeypatch, password, message):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("createsuperuser", interactive=False, email="root@example.org", verbosity=0)
    assert not User.objects.filter(email="root@example.org").exists()


def test_createsuperuser_without_input_accepts_a_good_password(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", GOOD)
    call_command("createsuperuser", interactive=False, email="root@example.org", verbosity=0)
    assert User.objects.get(email="root@example.org").check_password(GOOD)


def test_createsuperuser_offers_no_way_around_the_policy(capsys):
    """Django asks "Bypass password validation and create user anyway?"; answering yes must not help."""
    command = "django.contrib.auth.management.commands.createsuperuser"
    with (
        mock.patch(f"{command}.getpass.getpass", return_value="short-pass1"),
        mock.patch(f"{command}.input", create=True, return_value="y"),
        mock.patch("sys.stdin.isatty", return_value=True, create=True),
        pytest.raises(CommandError, match="too short"),
    ):
        call_command("createsuperuser", interactive=True, email="root@example.org", verbosity=0)
    assert not User.objects.filter(email="root@example.org").exists()
