"""The one-time link ``/my/welcome/<token>/``: one click signs in; a reused, expired, revoked or unknown link gets a
clear page naming no one; a link of another person while signed in is refused and left unused."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from consent.models import DonorInvitation

NAMES = ("Jane", "Schmidt", "jane.schmidt@example.org", "Max", "Oberländer")


def welcome(token: str) -> str:
    return f"/my/welcome/{token}/"


def shows_no_one(response) -> None:
    page = response.content.decode()
    assert not any(name in page for name in NAMES), page


def test_the_link_asks_for_one_click_and_the_get_does_not_use_it(client, jane):
    page = client.get(welcome(jane.token))

    assert page.status_code == 200
    assert "Open my consent page" in page.content.decode()
    assert SESSION_KEY not in client.session
    assert DonorInvitation.objects.get(account=jane.account).used_at is None


def test_the_click_signs_the_donor_in_and_leads_to_their_page(client, jane):
    response = client.post(welcome(jane.token))

    assert response.status_code == 302 and response["Location"] == "/my/"
    assert int(client.session[SESSION_KEY]) == jane.user.pk
    assert DonorInvitation.objects.get(account=jane.account).used_at is not None
    home = client.get("/my/")
    assert home.status_code == 200 and "Your choices today" in home.content.decode()


def test_a_reused_link_says_so_and_signs_no_one_in(client, jane):
    client.post(welcome(jane.token))
    client.logout()

    again = client.post(welcome(jane.token))
    looked_at = client.get(welcome(jane.token))

    for response in (again, looked_at):
        assert response.status_code == 410
        assert "This link does not work" in response.content.decode()
        shows_no_one(response)
    assert SESSION_KEY not in client.session


def test_an_expired_link_says_so(client, jane):
    past = timezone.now() - timedelta(days=30)
    DonorInvitation.objects.filter(account=jane.account).update(created_at=past, expires_at=past + timedelta(days=14))

    for response in (client.get(welcome(jane.token)), client.post(welcome(jane.token))):
        assert response.status_code == 410
        assert "This link does not work" in response.content.decode()
        shows_no_one(response)
    assert SESSION_KEY not in client.session


def test_a_revoked_link_says_so(client, jane):
    DonorInvitation.objects.filter(account=jane.account).update(revoked_at=timezone.now())

    response = client.post(welcome(jane.token))

    assert response.status_code == 410
    assert SESSION_KEY not in client.session


def test_a_made_up_link_is_a_bad_request_naming_no_one(client, jane):
    for token in ("x" * 43, jane.token[:-1], "not-a-token"):
        response = client.post(welcome(token))
        assert response.status_code == 400
        shows_no_one(response)
    assert SESSION_KEY not in client.session


def test_a_link_of_another_donor_while_signed_in_is_refused_and_left_unused(client, jane, max_):
    client.force_login(jane.user)

    for response in (client.get(welcome(max_.token)), client.post(welcome(max_.token))):
        assert response.status_code == 403
        page = response.content.decode()
        assert "belongs to someone else" in page and "sign out first" in page
        assert "Max" not in page and "Oberländer" not in page
    assert int(client.session[SESSION_KEY]) == jane.user.pk
    assert DonorInvitation.objects.get(account=max_.account).used_at is None


def test_staff_signed_in_cannot_use_a_donors_link(client, jane, consent_officer_a):
    client.force_login(consent_officer_a)

    response = client.post(welcome(jane.token))

    assert response.status_code == 403
    assert int(client.session[SESSION_KEY]) == consent_officer_a.pk
    assert DonorInvitation.objects.get(account=jane.account).used_at is None


def test_the_donor_already_signed_in_may_use_their_own_link(client, jane):
    client.force_login(jane.user)

    response = client.post(welcome(jane.token))

    assert response.status_code == 302 and response["Location"] == "/my/"
