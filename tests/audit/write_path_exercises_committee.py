"""The committee's writes of the access-requests app (pages and API), exercised through their real URLs.

Kept beside ``write_path_exercises.py`` (same ``Fixtures``); ``test_write_paths_audited`` names each with the audit
action it must leave."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from access_requests.choices import RequestStatus, VoteValue
from access_requests.services.review import vote_cast
from biobank.accounts.choices import Role
from tests.access_requests.committee_factories import Review, make_review
from tests.access_requests.factories import make_committee, make_request, make_researcher
from tests.accounts.factories import make_member
from tests.audit.write_path_exercises import Fixtures, _ok


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)  # no sign-in: that would be a write of its own
    return client


def _review(f: Fixtures) -> Review:
    return make_review(f.biobank_a)


def _voted(f: Fixtures) -> Review:
    review = _review(f)
    for person in review.members:
        vote_cast(actor=person, resource=review.resource, value=VoteValue.APPROVE, rationale="Sound")
    return review


def web_committee_manage(f: Fixtures) -> None:
    admin = make_member(f.biobank_a, Role.BIOBANK_ADMIN, email="dac-admin@example.org")
    f.client.force_login(admin)
    data = {"action": "settings", "name": "DAC A", "decision_rule": "majority", "quorum": 2, "review_days": 14}
    _ok(f.client.post("/requests/committees/biobank-a/", data), 302)


def web_review_act(f: Fixtures) -> None:
    review = _review(f)
    f.client.force_login(review.members[0])
    _ok(f.client.post(f"/requests/review/{review.resource.pk}/vote/", {"value": "approve", "rationale": "ok"}), 302)


def web_message_post(f: Fixtures) -> None:
    review = _review(f)
    f.client.force_login(review.researcher)
    _ok(f.client.post(f"/requests/{review.request.pk}/messages/", {"body": "Hello"}), 302)


def api_review_start(f: Fixtures) -> None:
    _, chair, _ = make_committee(f.biobank_a)
    request = make_request(make_researcher(), [f.biobank_a], status=RequestStatus.SUBMITTED)
    _ok(_api(chair).post(f"/api/v1/access-requests/{request.pk}/review-start"), 200)


def api_changes_request(f: Fixtures) -> None:
    review = _review(f)
    url = f"/api/v1/access-requests/{review.request.pk}/changes-request"
    _ok(_api(review.chair).post(url, {"reason": "Add the ethics approval"}, format="json"), 200)


def api_conflict(f: Fixtures) -> None:
    review = make_review(f.biobank_a, declare=False)
    url = f"/api/v1/access-requests/{review.request.pk}/conflict"
    _ok(_api(review.members[0]).post(url, {"has_conflict": False}, format="json"), 201)


def api_assign(f: Fixtures) -> None:
    review = _review(f)
    body = {"resource": review.resource.pk, "reviewer": review.members[0].pk}
    _ok(_api(review.chair).post(f"/api/v1/access-requests/{review.request.pk}/assign", body, format="json"), 201)


def api_vote(f: Fixtures) -> None:
    review = _review(f)
    body = {"resource": review.resource.pk, "value": "reject", "rationale": "Weak design"}
    _ok(_api(review.members[0]).post(f"/api/v1/access-requests/{review.request.pk}/vote", body, format="json"), 201)


def api_decide(f: Fixtures) -> None:
    review = _voted(f)
    body = {"resource": review.resource.pk, "outcome": "approved", "rationale": "Sound"}
    _ok(_api(review.chair).post(f"/api/v1/access-requests/{review.request.pk}/decide", body, format="json"), 201)


def api_message(f: Fixtures) -> None:
    review = _review(f)
    url = f"/api/v1/access-requests/{review.request.pk}/messages"
    _ok(_api(review.researcher).post(url, {"body": "When?"}, format="json"), 201)
