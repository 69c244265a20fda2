"""The two-level state machine: every allowed transition works (with its event and audit row), every other one is
refused with a message saying what is allowed, and nothing changes."""

from __future__ import annotations

import pytest

from access_requests.choices import (
    REQUEST_ALLOWED_TRANSITIONS,
    RESOURCE_ALLOWED_TRANSITIONS,
    RequestStatus,
    ResourceStatus,
)
from access_requests.models import RequestEvent
from access_requests.services.workflow import TransitionRefused, request_transition, resource_transition
from biobank.audit.models import AuditOutbox
from tests.access_requests.factories import make_request, make_researcher

ALL_REQUEST = [(a, b) for a in RequestStatus.values for b in RequestStatus.values]
ALL_RESOURCE = [(a, b) for a in ResourceStatus.values for b in ResourceStatus.values]


@pytest.mark.django_db
@pytest.mark.parametrize(("before", "after"), ALL_REQUEST)
def test_each_request_transition_is_allowed_exactly_when_the_table_says(before, after, biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=before)
    events = RequestEvent.objects.count()
    if after in REQUEST_ALLOWED_TRANSITIONS[before]:
        request_transition(request=request, to=after, actor=researcher, reason="because")
        request.refresh_from_db()
        assert request.status == after
        event = RequestEvent.objects.latest("id")
        assert (event.kind, event.from_status, event.to_status) == (f"request.{after}", before, after)
        assert AuditOutbox.objects.filter(action=f"access_request.request.{after}").exists()
    else:
        with pytest.raises(TransitionRefused) as refused:
            request_transition(request=request, to=after, actor=researcher)
        assert "cannot become" in refused.value.message
        request.refresh_from_db()
        assert request.status == before
        assert RequestEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize(("before", "after"), ALL_RESOURCE)
def test_each_resource_transition_is_allowed_exactly_when_the_table_says(before, after, biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.UNDER_REVIEW, resource_status=before)
    resource = request.resources.get()
    events = RequestEvent.objects.count()
    if after in RESOURCE_ALLOWED_TRANSITIONS[before]:
        resource_transition(resource=resource, to=after, actor=researcher)
        resource.refresh_from_db()
        assert resource.status == after
        assert RequestEvent.objects.latest("id").resource_id == resource.pk
    else:
        with pytest.raises(TransitionRefused):
            resource_transition(resource=resource, to=after, actor=researcher)
        resource.refresh_from_db()
        assert resource.status == before
        assert RequestEvent.objects.count() == events


@pytest.mark.django_db
def test_a_final_state_says_it_is_final(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.REJECTED)
    with pytest.raises(TransitionRefused, match="final state"):
        request_transition(request=request, to=RequestStatus.ACTIVE, actor=researcher)


@pytest.mark.django_db
def test_a_request_gets_a_readable_number(biobank_a):
    request = make_request(make_researcher(), [biobank_a])
    assert request.number.startswith("AR-") and request.number.endswith(f"{request.pk:05d}")
