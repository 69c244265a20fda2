"""Messages: to all or privately to one biobank; who reads what."""

from __future__ import annotations

import pytest

from access_requests.choices import MessageAudience, RequestStatus
from access_requests.models import AccessRequest
from access_requests.services.messages import message_post, messages_visible_to
from biobank.errors import DomainError
from tests.access_requests.factories import make_committee, make_request, make_researcher

pytestmark = pytest.mark.django_db


def test_a_private_message_is_read_only_by_that_biobank_and_the_researcher(biobank_a, biobank_b):
    _, chair_a, _ = make_committee(biobank_a)
    _, chair_b, _ = make_committee(biobank_b)
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a, biobank_b], status=RequestStatus.UNDER_REVIEW)
    public = message_post(actor=chair_a, request=request, body="Welcome")
    private = message_post(actor=researcher, request=request, body="Only A", audience="biobank", biobank=biobank_a)
    internal = message_post(actor=chair_b, request=request, body="From B", audience=MessageAudience.BIOBANK)

    assert internal.biobank == biobank_b
    assert set(messages_visible_to(user=researcher, request=request)) == {public, private, internal}
    assert set(messages_visible_to(user=chair_a, request=request)) == {public, private}
    assert set(messages_visible_to(user=chair_b, request=request)) == {public, internal}


def test_staff_write_privately_only_within_their_biobank(biobank_a, biobank_b):
    _, chair_a, _ = make_committee(biobank_a)
    request = make_request(make_researcher(), [biobank_a, biobank_b], status=RequestStatus.UNDER_REVIEW)
    with pytest.raises(DomainError, match="biobank-a"):
        message_post(actor=chair_a, request=request, body="x", audience="biobank", biobank=biobank_b)


def test_outsiders_drafts_and_empty_messages_are_refused(biobank_a, outsider):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.SUBMITTED)
    with pytest.raises(AccessRequest.DoesNotExist):
        message_post(actor=outsider, request=request, body="hello")
    with pytest.raises(AccessRequest.DoesNotExist):
        message_post(actor=make_researcher(), request=request, body="hello")
    with pytest.raises(DomainError, match="empty"):
        message_post(actor=researcher, request=request, body="  ")
    draft = make_request(researcher, [biobank_a])
    with pytest.raises(DomainError, match="draft"):
        message_post(actor=researcher, request=draft, body="hello")
