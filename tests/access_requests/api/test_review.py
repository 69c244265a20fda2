"""The committee's API verbs: the happy path through assign → vote → decide, and the refusals as problem+json
(foreign 404, forbidden 403, second vote and unsupported decision 409), with idempotent retries."""

from __future__ import annotations

import pytest

from access_requests.choices import RequestStatus, ResourceStatus
from access_requests.models import Vote
from tests.access_requests.committee_factories import make_review
from tests.access_requests.factories import make_committee, make_request, make_researcher

pytestmark = pytest.mark.django_db


def url(request, verb):
    return f"/api/v1/access-requests/{request.pk}/{verb}"


def test_assign_vote_and_decide_through_the_api(biobank_a, login):
    review = make_review(biobank_a)
    chair = login(review.chair)
    response = chair.post(
        url(review.request, "assign"), {"resource": review.resource.pk, "reviewer": review.members[0].pk}, format="json"
    )
    assert response.status_code == 201, response.content
    for person in review.members:
        response = login(person).post(
            url(review.request, "vote"),
            {"resource": review.resource.pk, "value": "approve", "rationale": "Sound"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"vote-{person.pk}",
        )
        assert response.status_code == 201, response.content
        assert response.json()["duo_decision"] == "APPROVE"
    replay = login(review.members[0]).post(
        url(review.request, "vote"),
        {"resource": review.resource.pk, "value": "approve", "rationale": "Sound"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"vote-{review.members[0].pk}",
    )
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    again = login(review.members[0]).post(
        url(review.request, "vote"),
        {"resource": review.resource.pk, "value": "reject", "rationale": "x"},
        format="json",
    )
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    response = chair.post(
        url(review.request, "decide"),
        {
            "resource": review.resource.pk,
            "outcome": "approved",
            "rationale": "ok",
            "conditions": [{"kind": "acknowledgement"}],
            "attributes": ["sex"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["tally"]["approve"] == 2
    review.request.refresh_from_db()
    assert review.request.status == RequestStatus.DECIDED


def test_a_decision_the_votes_do_not_support_is_a_409_naming_the_tally(biobank_a, login):
    review = make_review(biobank_a)
    response = login(review.chair).post(
        url(review.request, "decide"),
        {"resource": review.resource.pk, "outcome": "approved", "rationale": "now"},
        format="json",
    )
    assert response.status_code == 409
    assert "0 approve, 0 reject" in response.json()["detail"]


def test_a_member_of_another_biobank_gets_404(biobank_a, biobank_b, login):
    review = make_review(biobank_a)
    _, _, members_b = make_committee(biobank_b)
    response = login(members_b[0]).post(
        url(review.request, "vote"),
        {"resource": review.resource.pk, "value": "approve", "rationale": "x"},
        format="json",
    )
    assert response.status_code == 404
    assert not Vote.objects.exists()


def test_the_researcher_cannot_vote_on_their_own_request(biobank_a, login):
    review = make_review(biobank_a)
    response = login(review.researcher).post(
        url(review.request, "vote"),
        {"resource": review.resource.pk, "value": "approve", "rationale": "x"},
        format="json",
    )
    assert response.status_code == 403


def test_review_start_conflict_and_changes_request(biobank_a, login):
    _, chair, members = make_committee(biobank_a)
    request = make_request(make_researcher(), [biobank_a], status=RequestStatus.SUBMITTED)
    assert login(chair).post(url(request, "review-start")).status_code == 200
    assert request.resources.get().status == ResourceStatus.CHECKING_AVAILABILITY
    assert login(chair).post(url(request, "review-start")).status_code == 409
    response = login(members[0]).post(url(request, "conflict"), {"has_conflict": False}, format="json")
    assert response.status_code == 201
    assert login(members[0]).post(url(request, "changes-request"), {"reason": "x"}, format="json").status_code == 403
    response = login(chair).post(url(request, "changes-request"), {"reason": "Add ethics"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "changes_requested"


def test_messages_private_to_a_biobank(biobank_a, biobank_b, login):
    _, chair_a, _ = make_committee(biobank_a)
    _, chair_b, _ = make_committee(biobank_b)
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a, biobank_b], status=RequestStatus.UNDER_REVIEW)
    response = login(researcher).post(
        url(request, "messages"), {"body": "For A only", "audience": "biobank", "biobank": "biobank-a"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert [m["body"] for m in login(chair_a).get(url(request, "messages")).json()["results"]] == ["For A only"]
    assert login(chair_b).get(url(request, "messages")).json()["results"] == []
    assert login(make_researcher()).get(url(request, "messages")).status_code == 404
