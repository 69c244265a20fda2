"""Guessing passwords: after 10 failures an hour for one account or from one address, signing in pauses (issue 9/5)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from biobank.accounts.lockout import SIGNIN_FAILURE_LIMIT, SLOT_SECONDS
from biobank.accounts.models import User
from biobank.audit.models import AuditOutbox
from tests.accounts.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SIGNED_IN = reverse("accounts:mfa_verify") + "?next=%2F"  # the password was right; staff go on to the second step
PAUSED = "Too many failed sign-in attempts: signing in is paused. Please try again in"
# A slot boundary, so the minutes of the cool-off in the message are known exactly.
START = datetime.fromtimestamp(1_800_000_000 // SLOT_SECONDS * SLOT_SECONDS, tz=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The portal's clock, set with ``clock(minutes after START)``."""

    def set_to(minutes: float) -> None:
        monkeypatch.setattr(timezone, "now", lambda: START + timedelta(minutes=minutes))

    set_to(0)
    return set_to


def sign_in(client, email, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


def guess(client, email, times, address="203.0.113.7"):
    for number in range(times):
        response = sign_in(client, email, f"guess number {number}", address)
        assert response.status_code == 200
        assert "The e-mail address or password is not correct" in response.content.decode()


def events(action):
    return list(AuditOutbox.objects.filter(action=action).order_by("id"))


def test_the_eleventh_attempt_is_refused_even_with_the_right_password(client, admin_a, clock):
    guess(client, admin_a.email, SIGNIN_FAILURE_LIMIT)
    refused = sign_in(client, admin_a.email, DEMO_PASSWORD)
    assert refused.status_code == 429
    assert f"{PAUSED} 66 minutes." in refused.content.decode()
    assert "not correct" not in refused.content.decode()
    assert SESSION_KEY not in client.session


def test_the_pause_reads_the_same_whether_or_not_the_account_exists(client, admin_a, clock):
    guess(client, admin_a.email, SIGNIN_FAILURE_LIMIT, address="203.0.113.1")
    guess(client, "nobody@example.org", SIGNIN_FAILURE_LIMIT, address="203.0.113.2")
    clock(10)
    known = sign_in(client, admin_a.email, "another guess", address="203.0.113.3")
    unknown = sign_in(client, "nobody@example.org", "another guess", address="203.0.113.4")
    assert known.status_code == unknown.status_code == 429
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert f"{PAUSED} 56 minutes." in known.content.decode()


def test_another_account_from_another_address_is_unaffected(client, admin_a, technician_a, clock):
    guess(client, admin_a.email, SIGNIN_FAILURE_LIMIT)
    response = sign_in(Client(), technician_a.email, DEMO_PASSWORD, address="198.51.100.9")
    assert response.status_code == 302 and response["Location"] == SIGNED_IN


def test_the_account_is_paused_whichever_address_the_guesses_come_from(client, admin_a, clock):
    for number in range(SIGNIN_FAILURE_LIMIT):
        sign_in(client, admin_a.email, "wrong password", address=f"10.0.0.{number}")
    assert sign_in(client, admin_a.email, DEMO_PASSWORD, address="10.0.1.1").status_code == 429


def test_an_address_spraying_many_accounts_is_paused_and_signing_in_in_between_does_not_reset_it(
    client, admin_a, clock
):
    for number in range(SIGNIN_FAILURE_LIMIT - 1):
        sign_in(client, f"person-{number}@example.org", "Winter2026!")
    # The attacker signs in to their own account from the same address: the count goes on.
    assert sign_in(Client(), admin_a.email, DEMO_PASSWORD).status_code == 302
    assert sign_in(client, "person-last@example.org", "Winter2026!").status_code == 200  # the 10th failure
    refused = sign_in(client, "person-next@example.org", "Winter2026!")
    assert refused.status_code == 429 and PAUSED in refused.content.decode()
    # The account signed in earlier can still sign in from elsewhere.
    assert sign_in(Client(), admin_a.email, DEMO_PASSWORD, address="198.51.100.9").status_code == 302


def test_the_pause_is_audited_once_and_refused_attempts_are_not_audited_one_by_one(client, admin_a, clock):
    guess(client, admin_a.email, SIGNIN_FAILURE_LIMIT)
    for _ in range(5):
        assert sign_in(client, admin_a.email, "still guessing").status_code == 429
    assert len(events("auth.login_failed")) == SIGNIN_FAILURE_LIMIT
    paused = events("auth.lockout")
    assert [event.details["scope"] for event in paused] == ["account", "address"]  # both limits were reached
    account, address = paused
    assert account.object_id == str(admin_a.pk)
    assert account.details["attempted_email"] == "a***@example.org"
    assert account.details["paused_until"] == (START + timedelta(minutes=66)).isoformat()
    assert admin_a.email not in str(account.details)
    assert address.client_ip == "203.0.113.7" and address.actor_type == "anonymous"


def test_a_second_pause_after_the_cool_off_is_audited_again(client, admin_a, clock):
    guess(client, admin_a.email, SIGNIN_FAILURE_LIMIT, address="203.0.113.1")
    clock(66)
    guess(client, admin_a.email, SIGNIN_FAILURE_LIMIT, address="203.0.113.2")
    assert [event.details["scope"] for event in events("auth.lockout")] == ["account", "address"] * 2


def test_after_the_cool_off_signing_in_works(client, admin_a, clock):
    guess(client, admin_a.email, SIGNIN_FAILURE_LIMIT)
    clock(65)
    assert sign_in(client, admin_a.email, DEMO_PASSWORD).status_code == 429
    clock(66)
    response = sign_in(client, admin_a.email, DEMO_PASSWORD)
    assert response.status_code == 302 and response["Location"] == SIGNED_IN
    assert client.session[SESSION_KEY] == str(admin_a.pk)


def test_no_hour_sees_more_than_ten_failures_even_across_the_edge_of_an_hour(client, admin_a, clock):
    guess(client, admin_a.email, SIGNIN_FAILURE_LIMIT - 1)
    clock(59)
    guess(client, admin_a.email, 1)  # the 10th failure within the hour
    clock(61)  # a window restarting an hour after the first failure would allow 10 more now
    assert sign_in(client, admin_a.email, "guess").status_code == 429
    clock(66)  # the 9 early failures no longer count; the one at minute 59 does
    guess(client, admin_a.email, SIGNIN_FAILURE_LIMIT - 1)
    assert sign_in(client, admin_a.email, "guess").status_code == 429


def test_waiting_as_told_does_not_lengthen_the_pause(client, admin_a, clock):
    guess(client, admin_a.email, SIGNIN_FAILURE_LIMIT)
    for minute in range(1, 66, 5):
        clock(minute)
        assert sign_in(client, admin_a.email, DEMO_PASSWORD).status_code == 429
    clock(66)
    assert sign_in(client, admin_a.email, DEMO_PASSWORD).status_code == 302


def test_empty_fields_are_not_counted_as_guesses(client, admin_a, clock):
    for _ in range(SIGNIN_FAILURE_LIMIT + 5):
        response = sign_in(client, admin_a.email, "")
        assert response.status_code == 200 and "password" in response.context["form"].errors
    assert sign_in(client, admin_a.email, DEMO_PASSWORD).status_code == 302


def test_an_unconfirmed_researcher_with_the_right_password_is_not_counted(client, clock):
    User.objects.create_user(email="new@example.org", password=DEMO_PASSWORD, is_researcher=True, is_active=False)
    for _ in range(SIGNIN_FAILURE_LIMIT + 1):
        response = sign_in(client, "new@example.org", DEMO_PASSWORD)
        assert "Please confirm your e-mail address first" in response.content.decode()


def test_the_admin_sign_in_is_limited_too(client, clock):
    UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    admin_login = reverse("admin:login")
    for number in range(SIGNIN_FAILURE_LIMIT):
        client.post(admin_login, {"username": "root@example.org", "password": f"guess {number}"})
    refused = client.post(admin_login, {"username": "root@example.org", "password": DEMO_PASSWORD})
    assert PAUSED in refused.content.decode()
    assert SESSION_KEY not in client.session
