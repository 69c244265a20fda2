"""The team: co-applicants get a one-time, 14-day link by e-mail; only the invited address confirms; a confirmed
member reads the request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from access_requests.choices import TeamRole
from access_requests.models import TeamMember
from access_requests.selectors import requests_visible_to
from access_requests.services.team import team_confirm, team_member_add, team_member_remove
from biobank.accounts.models import OutgoingEmail
from biobank.errors import ConflictError, DomainError, InvalidFields
from tests.access_requests.factories import make_request, make_researcher

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixed_token(monkeypatch):
    monkeypatch.setattr("access_requests.services.team.secrets.token_urlsafe", lambda n: "fixed-token")
    return "fixed-token"


def test_a_co_applicant_gets_a_link_and_the_hash_only_is_stored(biobank_a, fixed_token):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    member = team_member_add(actor=researcher, request=request, name="Bo", email="Bo@Example.org")
    assert member.email == "bo@example.org" and member.token_hash and fixed_token not in member.token_hash
    email = OutgoingEmail.objects.get(to="bo@example.org")
    assert reverse("access_requests:team_confirm", args=[fixed_token]) in email.body


def test_a_collaborator_gets_no_link(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    team_member_add(actor=researcher, request=request, name="Cy", email="cy@example.org", role=TeamRole.COLLABORATOR)
    assert not OutgoingEmail.objects.filter(to="cy@example.org").exists()


def test_bad_input_is_reported_at_once_and_duplicates_refused(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    with pytest.raises(InvalidFields) as error:
        team_member_add(actor=researcher, request=request, name="", email="nope", role="boss")
    assert set(error.value.errors) == {"name", "email", "role"}
    team_member_add(actor=researcher, request=request, name="Bo", email="bo@example.org")
    with pytest.raises(ConflictError):
        team_member_add(actor=researcher, request=request, name="Bo", email="bo@example.org")


def test_only_the_invited_address_confirms_once(biobank_a, fixed_token):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    team_member_add(actor=researcher, request=request, name="Bo", email="bo@example.org")
    with pytest.raises(DomainError) as error:
        team_confirm(actor=make_researcher(), token=fixed_token)
    assert error.value.code == "wrong_account"
    bo = make_researcher(email="bo@example.org")
    assert not requests_visible_to(user=bo).exists()
    member = team_confirm(actor=bo, token=fixed_token)
    assert member.confirmed_at is not None
    assert list(requests_visible_to(user=bo)) == [request]
    with pytest.raises(DomainError):
        team_confirm(actor=bo, token=fixed_token)


def test_a_link_older_than_14_days_is_refused(biobank_a, fixed_token):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    team_member_add(actor=researcher, request=request, name="Bo", email="bo@example.org")
    TeamMember.objects.update(invited_at=timezone.now() - timedelta(days=15))
    with pytest.raises(DomainError) as error:
        team_confirm(actor=make_researcher(email="bo@example.org"), token=fixed_token)
    assert error.value.code == "token"


def test_the_confirmation_page_confirms_on_post(client, biobank_a, fixed_token):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    team_member_add(actor=researcher, request=request, name="Bo", email="bo@example.org")
    client.force_login(make_researcher(email="bo@example.org"))
    url = reverse("access_requests:team_confirm", args=[fixed_token])
    assert client.get(url).status_code == 200
    assert not TeamMember.objects.get().confirmed_at
    response = client.post(url)
    assert response["Location"] == reverse("access_requests:detail", args=[request.pk])
    assert client.get(response["Location"]).status_code == 200


def test_a_member_is_removed(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    member = team_member_add(actor=researcher, request=request, name="Bo", email="bo@example.org")
    team_member_remove(actor=researcher, request=request, member_id=member.pk)
    assert not TeamMember.objects.exists()
