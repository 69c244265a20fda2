"""Posting a message from a page: back to the page, private to one biobank; a foreign request is a 404."""

from __future__ import annotations

import pytest

from access_requests.choices import RequestStatus
from access_requests.models import RequestMessage
from tests.access_requests.factories import make_committee, make_request, make_researcher

pytestmark = pytest.mark.django_db


def test_the_researcher_writes_privately_to_one_biobank(client, biobank_a, biobank_b):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a, biobank_b], status=RequestStatus.UNDER_REVIEW)
    client.force_login(researcher)
    response = client.post(
        f"/requests/{request.pk}/messages/",
        {"body": "Hello A", "audience": "biobank", "biobank": "biobank-a", "next": "/requests/review/"},
    )
    assert response.status_code == 302 and response["Location"] == "/requests/review/"
    assert RequestMessage.objects.get().biobank == biobank_a


def test_an_outside_link_is_not_followed_and_a_foreign_request_is_404(client, biobank_a):
    _, chair, _ = make_committee(biobank_a)
    request = make_request(make_researcher(), [biobank_a], status=RequestStatus.SUBMITTED)
    client.force_login(chair)
    response = client.post(f"/requests/{request.pk}/messages/", {"body": "Hi", "next": "https://evil.example/"})
    assert response["Location"] == "/requests/review/"
    client.force_login(make_researcher())
    assert client.post(f"/requests/{request.pk}/messages/", {"body": "Hi"}).status_code == 404
