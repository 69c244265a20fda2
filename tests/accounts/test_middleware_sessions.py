"""A signed-in session ends after 30 minutes without activity and 12 hours after signing in (issue 9, item 6)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from biobank.accounts.mfa import MFA_SESSION_KEY, VERIFIED
from biobank.accounts.middleware import ACTIVE_AT, SIGNED_IN_AT
from biobank.audit.models import AuditOutbox
from tests.accounts.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
PROFILE = reverse("accounts:profile")
IDLE = "You were signed out after 30 minutes without activity. Please sign in again."
ABSOLUTE = "You were signed out because you had been signed in for 12 hours. Please sign in again."
START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The portal's clock, set with ``clock(minutes after START)``."""

    def set_to(minutes: float) -> None:
        monkeypatch.setattr(timezone, "now", lambda: START + timedelta(minutes=minutes))

    set_to(0)
    return set_to


def signed_in(client, user):
    response = client.post(LOGIN, {"username": user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and SESSION_KEY in client.session
    session = client.session  # past the second step, which is not what these tests are about (test_mfa.py is)
    session[MFA_SESSION_KEY] = VERIFIED
    session.save()
    return client


def test_a_staff_member_idle_for_30_minutes_is_signed_out_and_told_why(client, admin_a, clock):
    signed_in(client, admin_a)
    clock(29)
    assert client.get(PROFILE).status_code == 200
    clock(29 + 29)
    assert client.get(PROFILE).status_code == 200  # 29 minutes since the last page: still signed in
    clock(29 + 29 + 30)
    response = client.get(PROFILE, follow=True)
    assert response.redirect_chain[0][0] == f"{LOGIN}?next={PROFILE}"
    assert IDLE in response.content.decode()
    assert SESSION_KEY not in client.session
    clock(29 + 29 + 31)
    assert IDLE not in client.get(LOGIN).content.decode()  # said once


def test_a_staff_member_active_all_day_is_signed_out_after_12_hours(client, admin_a, clock):
    signed_in(client, admin_a)
    for minute in range(20, 12 * 60, 20):
        clock(minute)
        assert client.get(PROFILE).status_code == 200
    clock(12 * 60)
    response = client.get(PROFILE, follow=True)
    assert ABSOLUTE in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_timeout_is_audited_as_a_sign_out_with_its_reason(client, admin_a, clock):
    signed_in(client, admin_a)
    clock(31)
    client.get(PROFILE)
    [event] = AuditOutbox.objects.filter(action="auth.logout")
    assert event.object_id == str(admin_a.pk)
    assert event.details["reason"] == "idle_timeout"


def test_signing_in_again_starts_both_clocks_afresh(client, admin_a, clock):
    signed_in(client, admin_a)
    clock(11 * 60)
    client.post(reverse("accounts:logout"))
    signed_in(client, admin_a)
    clock(11 * 60 + 29)
    assert client.get(PROFILE).status_code == 200
    clock(11 * 60 + 29 + 29)  # 12 hours and 58 minutes after the first sign-in, 58 minutes after the second
    assert client.get(PROFILE).status_code == 200


@pytest.mark.parametrize("kind", ["is_researcher", "is_donor"])
def test_researchers_and_donors_have_the_same_limits(client, clock, kind):
    person = UserFactory(**{kind: True})
    signed_in(client, person)
    clock(30)
    response = client.get(PROFILE, follow=True)
    assert IDLE in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_session_from_before_the_limits_starts_its_clocks_at_its_next_request(client, admin_a, clock):
    client.force_login(admin_a)
    session = client.session  # as a session of before the limits: no timestamps
    del session[SIGNED_IN_AT], session[ACTIVE_AT]
    session.save()
    clock(600)
    assert client.get(PROFILE).status_code == 200
    clock(600 + 30)
    assert IDLE in client.get(PROFILE, follow=True).content.decode()


def test_a_test_clients_sign_in_starts_the_clocks_too(client, admin_a, clock):
    client.force_login(admin_a)
    clock(30)
    assert IDLE in client.get(PROFILE, follow=True).content.decode()


def test_the_api_with_a_timed_out_session_answers_401_not_a_page(client, admin_a, clock):
    signed_in(client, admin_a)
    clock(31)
    response = client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/problem+json")
