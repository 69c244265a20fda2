"""The review pages per role: the queue, the screen (DUO match beside the votes), its actions, the letter; a
foreign resource is a 404; the queue's query count does not grow with its length."""

from __future__ import annotations

import pytest

from access_requests.choices import DecisionOutcome, RequestStatus, VoteValue
from access_requests.models import Decision, Vote
from access_requests.services.decisions import resource_decide
from access_requests.services.review import reviewer_assign, vote_cast
from tests.access_requests.committee_factories import make_review
from tests.access_requests.factories import make_committee, make_request, make_researcher

pytestmark = pytest.mark.django_db


def test_the_queue_lists_my_reviews_first_then_my_committees(client, biobank_a):
    review = make_review(biobank_a)
    reviewer_assign(actor=review.chair, resource=review.resource, reviewer=review.members[0])
    client.force_login(review.members[0])
    response = client.get("/requests/review/")
    assert response.status_code == 200
    assert response.content.decode().count(review.request.title) == 2


def test_the_queue_does_not_show_other_biobanks_requests(client, biobank_a, biobank_b):
    review = make_review(biobank_a)
    _, chair_b, _ = make_committee(biobank_b)
    client.force_login(chair_b)
    assert review.request.title not in client.get("/requests/review/").content.decode()


def test_the_queue_query_count_does_not_grow(client, biobank_a, count_queries):
    review = make_review(biobank_a)
    client.force_login(review.chair)
    one = count_queries("/requests/review/")
    for _ in range(3):
        make_request(make_researcher(), [biobank_a], status=RequestStatus.SUBMITTED)
    assert count_queries("/requests/review/") == one


def test_the_screen_shows_the_duo_match_beside_the_votes(client, biobank_a):
    review = make_review(biobank_a, terms=["DUO:0000042", "DUO:0000022"])
    vote_cast(actor=review.members[0], resource=review.resource, value=VoteValue.APPROVE, rationale="Looks fine")
    client.force_login(review.chair)
    page = client.get(f"/requests/review/{review.resource.pk}/").content.decode()
    assert "ABSTAIN" in page and "Looks fine" in page and "GS" in page


def test_a_foreign_resource_is_404_for_other_biobanks_and_researchers(client, biobank_a, biobank_b, outsider):
    review = make_review(biobank_a)
    _, chair_b, _ = make_committee(biobank_b)
    for person in (chair_b, outsider, review.researcher):
        client.force_login(person)
        assert client.get(f"/requests/review/{review.resource.pk}/").status_code == 404
        assert client.post(f"/requests/review/{review.resource.pk}/vote/", {"value": "approve"}).status_code == 404


def test_voting_and_deciding_from_the_screen(client, biobank_a):
    review = make_review(biobank_a)
    for person in review.members:
        client.force_login(person)
        response = client.post(
            f"/requests/review/{review.resource.pk}/vote/", {"value": "approve", "rationale": "Good"}, follow=True
        )
        assert "Your vote is recorded." in response.content.decode()
    assert Vote.objects.count() == 2
    client.force_login(review.chair)
    response = client.post(
        f"/requests/review/{review.resource.pk}/decide/",
        {"outcome": "approved", "rationale": "Fine", "condition": ["acknowledgement"], "attributes": ["sex"]},
        follow=True,
    )
    assert "The decision is recorded." in response.content.decode()
    assert Decision.objects.get().outcome == DecisionOutcome.APPROVED


def test_a_refusal_is_shown_on_the_screen(client, biobank_a):
    review = make_review(biobank_a)
    client.force_login(review.chair)
    response = client.post(
        f"/requests/review/{review.resource.pk}/decide/", {"outcome": "approved", "rationale": "x"}, follow=True
    )
    assert "The votes do not support" in response.content.decode()


def test_a_member_cannot_decide_403(client, biobank_a):
    review = make_review(biobank_a)
    client.force_login(review.members[0])
    assert client.post(f"/requests/review/{review.resource.pk}/decide/", {"outcome": "approved"}).status_code == 403


def test_the_letter_for_the_committee_and_the_researcher_only(client, biobank_a, biobank_b):
    review = make_review(biobank_a)
    url = f"/requests/review/{review.resource.pk}/letter.pdf"
    client.force_login(review.chair)
    assert client.get(url).status_code == 404  # no decision yet
    for person in review.members:
        vote_cast(actor=person, resource=review.resource, value=VoteValue.REJECT, rationale="No")
    resource_decide(actor=review.chair, resource=review.resource, outcome=DecisionOutcome.REJECTED, rationale="No")
    assert client.get(url)["Content-Type"] == "application/pdf"
    client.force_login(review.researcher)
    assert client.get(url).status_code == 200
    client.force_login(make_researcher())
    assert client.get(url).status_code == 404
