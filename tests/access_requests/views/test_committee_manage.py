"""The committee management page per role: the admin and the DAC chair manage; other members 403; outsiders 404."""

from __future__ import annotations

import pytest

from access_requests.models import Committee, CommitteeMember
from biobank.accounts.choices import Role
from tests.accounts.factories import make_member

pytestmark = pytest.mark.django_db
URL = "/requests/committees/biobank-a/"


def test_the_admin_creates_the_committee_and_adds_a_member(client, admin_a, biobank_a):
    member = make_member(biobank_a, Role.DAC_MEMBER, email="member@example.org")
    client.force_login(admin_a)
    assert client.get(URL).status_code == 200
    response = client.post(
        URL, {"action": "settings", "name": "DAC A", "decision_rule": "majority", "quorum": 2, "review_days": 10}
    )
    assert response.status_code == 302
    committee = Committee.objects.get(biobank=biobank_a)
    assert committee.review_days == 10
    client.post(URL, {"action": "add", "user": member.pk, "role": "member"})
    seat = CommitteeMember.objects.get(committee=committee, user=member)
    client.post(URL, {"action": "remove", "seat": seat.pk})
    seat.refresh_from_db()
    assert not seat.active


def test_a_bad_choice_is_shown_on_the_form(client, admin_a, biobank_a, technician_a):
    client.force_login(admin_a)
    client.post(
        URL, {"action": "settings", "name": "DAC A", "decision_rule": "majority", "quorum": 2, "review_days": 10}
    )
    response = client.post(URL, {"action": "add", "user": technician_a.pk, "role": "member"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()


def test_other_members_get_403_and_outsiders_404(client, technician_a, outsider):
    client.force_login(technician_a)
    assert client.get(URL).status_code == 403
    client.force_login(outsider)
    assert client.get(URL).status_code == 404
