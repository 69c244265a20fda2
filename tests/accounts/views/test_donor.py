"""Donors sign in with a one-time link that expires."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

REQUEST = reverse("accounts:donor_link")


@pytest.fixture
def donor(db):
    user = UserFactory(email="donor@example.org", is_donor=True)
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    def run(email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(REQUEST, {"email": email})

    return run


def link_path():
    link = re.search(r"http://\S+/accounts/donor/\S+/", mail.outbox[-1].body).group(0)
    return link.split("127.0.0.1:8000", 1)[1]


def test_the_link_signs_the_donor_in_once(client, donor, ask):
    assert ask("Donor@Example.org")["Location"] == reverse("accounts:donor_link_sent")
    path = link_path()
    assert "Sign in as donor@example.org?" in client.get(path).content.decode()
    assert SESSION_KEY not in client.session  # opening the link (e.g. by a mail scanner) does not use it
    response = client.post(path, follow=True)
    assert "Your participation" in response.content.decode()
    assert client.session[SESSION_KEY] == str(donor.pk)

    client.logout()
    again = client.post(path)
    assert again.status_code == 400 and "already used or has expired" in again.content.decode()
    assert SESSION_KEY not in client.session


def test_the_link_expires_after_thirty_minutes(client, donor, ask, monkeypatch):
    ask("donor@example.org")
    from biobank.accounts.signin import donor_login_tokens

    later = donor_login_tokens._now() + timedelta(minutes=31)
    monkeypatch.setattr(donor_login_tokens, "_now", lambda: later)
    assert client.post(link_path()).status_code == 400
    assert SESSION_KEY not in client.session


def test_every_address_gets_the_same_answer(client, donor, admin_a, ask):
    answers = {ask(email)["Location"] for email in ("donor@example.org", "nobody@example.org", "admin-a@example.org")}
    assert answers == {reverse("accounts:donor_link_sent")}
    assert [m.to for m in mail.outbox] == [["donor@example.org"]]  # staff and unknown addresses get nothing


def test_a_malformed_address_is_refused_next_to_the_field(client, db):
    response = client.post(REQUEST, {"email": "not-an-address"})
    assert 'id="id_email_error"' in response.content.decode()


def test_a_forged_link_does_not_sign_in(client, donor):
    response = client.post(reverse("accounts:donor_link_confirm", args=["MQ", "abc-def"]))
    assert response.status_code == 400 and SESSION_KEY not in client.session
