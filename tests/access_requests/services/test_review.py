"""Review before the decision: start, availability, changes, conflicts, assignment, votes, comments — and every
refusal of "Bad input and abuse" (a vote for another biobank, while recused, after the decision, out of order)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from access_requests.choices import DecisionOutcome, RequestStatus, ResourceStatus, VoteValue
from access_requests.models import AccessRequest, RequestEvent, RequestResource, Vote
from access_requests.services.decisions import resource_decide
from access_requests.services.review import (
    comment_add,
    conflict_declare,
    request_changes_request,
    request_review_start,
    resource_availability_set,
    reviewer_assign,
    vote_cast,
)
from access_requests.services.workflow import TransitionRefused
from biobank.accounts.choices import Role
from biobank.errors import ConflictError, DomainError, ForbiddenError
from tests.access_requests.committee_factories import make_review
from tests.access_requests.factories import make_committee, make_request, make_researcher
from tests.accounts.factories import make_member

pytestmark = pytest.mark.django_db


def test_starting_the_review_moves_the_request_and_the_reviewers_resources(biobank_a, biobank_b):
    _, chair, _ = make_committee(biobank_a)
    request = make_request(make_researcher(), [biobank_a, biobank_b], status=RequestStatus.SUBMITTED)

    request_review_start(actor=chair, request=request)

    request.refresh_from_db()
    assert request.status == RequestStatus.UNDER_REVIEW
    statuses = dict(request.resources.values_list("biobank__code", "status"))
    assert statuses == {"biobank-a": ResourceStatus.CHECKING_AVAILABILITY, "biobank-b": ResourceStatus.CONTACTED}


def test_starting_a_draft_is_refused_as_a_foreign_object(biobank_a):
    _, chair, _ = make_committee(biobank_a)
    request = make_request(make_researcher(), [biobank_a])
    with pytest.raises(AccessRequest.DoesNotExist):
        request_review_start(actor=chair, request=request)


def test_starting_a_decided_request_is_refused_with_the_tables_message(biobank_a):
    _, chair, _ = make_committee(biobank_a)
    request = make_request(make_researcher(), [biobank_a], status=RequestStatus.DECIDED)
    with pytest.raises(TransitionRefused, match="cannot become Under review"):
        request_review_start(actor=chair, request=request)


def test_a_member_of_another_biobank_cannot_start_the_review(biobank_a, biobank_b):
    make_committee(biobank_a)
    _, chair_b, _ = make_committee(biobank_b)
    request = make_request(make_researcher(), [biobank_a], status=RequestStatus.SUBMITTED)
    with pytest.raises(AccessRequest.DoesNotExist):
        request_review_start(actor=chair_b, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


def test_unavailable_needs_a_reason_and_rejects_a_request_with_nothing_left(biobank_a):
    review = make_review(biobank_a, resource_status=ResourceStatus.CHECKING_AVAILABILITY)
    with pytest.raises(DomainError, match="reason is required"):
        resource_availability_set(actor=review.chair, resource=review.resource, available=False)

    resource_availability_set(actor=review.chair, resource=review.resource, available=False, reason="No plasma left")

    review.request.refresh_from_db()
    assert review.request.status == RequestStatus.REJECTED
    assert RequestEvent.objects.filter(kind="resource.unavailable", reason="No plasma left").exists()


def test_availability_out_of_order_is_refused(biobank_a):
    review = make_review(biobank_a, resource_status=ResourceStatus.CONTACTED)
    with pytest.raises(TransitionRefused):
        resource_availability_set(actor=review.chair, resource=review.resource, available=True)


def test_only_a_chair_asks_for_changes_and_must_say_what(biobank_a):
    review = make_review(biobank_a)
    with pytest.raises(ForbiddenError):
        request_changes_request(actor=review.members[0], request=review.request, reason="More detail")
    with pytest.raises(DomainError, match="reason is required"):
        request_changes_request(actor=review.chair, request=review.request, reason=" ")
    request_changes_request(actor=review.chair, request=review.request, reason="Add the ethics approval")
    review.request.refresh_from_db()
    assert review.request.status == RequestStatus.CHANGES_REQUESTED


def test_a_conflict_is_declared_once_and_recuses_from_votes_and_assignment(biobank_a):
    review = make_review(biobank_a, declare=False)
    member = review.members[0]
    conflict_declare(actor=review.chair, request=review.request, has_conflict=False)
    with pytest.raises(DomainError, match="statement is required"):
        conflict_declare(actor=member, request=review.request, has_conflict=True)
    conflict_declare(actor=member, request=review.request, has_conflict=True, statement="I co-authored with them")
    with pytest.raises(ConflictError, match=r"declared once|already declared"):
        conflict_declare(actor=member, request=review.request, has_conflict=False)
    with pytest.raises(ForbiddenError, match="recused"):
        vote_cast(actor=member, resource=review.resource, value=VoteValue.APPROVE, rationale="fine")
    with pytest.raises(DomainError, match="recused"):
        reviewer_assign(actor=review.chair, resource=review.resource, reviewer=member)
    assert not Vote.objects.exists()


def test_declaring_a_conflict_withdraws_the_members_assignment(biobank_a):
    review = make_review(biobank_a, declare=False)
    member = review.members[0]
    reviewer_assign(actor=review.chair, resource=review.resource, reviewer=member)
    conflict_declare(actor=member, request=review.request, has_conflict=True, statement="My former student")
    assert not review.resource.assignments.exists()


def test_a_vote_needs_a_declaration_first(biobank_a):
    review = make_review(biobank_a, declare=False)
    with pytest.raises(ConflictError, match="before you vote"):
        vote_cast(actor=review.members[0], resource=review.resource, value=VoteValue.APPROVE, rationale="ok")


def test_the_chair_assigns_with_the_committees_default_due_date(biobank_a):
    review = make_review(biobank_a)
    assignment = reviewer_assign(actor=review.chair, resource=review.resource, reviewer=review.members[0])
    assert assignment.due_on == timezone.localdate() + timedelta(days=review.committee.review_days)
    with pytest.raises(ConflictError, match="already assigned"):
        reviewer_assign(actor=review.chair, resource=review.resource, reviewer=review.members[0])


def test_a_member_cannot_assign_and_no_one_is_assigned_without_a_seat(biobank_a):
    review = make_review(biobank_a)
    with pytest.raises(ForbiddenError, match="Only the chair"):
        reviewer_assign(actor=review.members[0], resource=review.resource, reviewer=review.members[1])
    stranger = make_member(biobank_a, Role.DAC_MEMBER, email="no-seat@example.org")
    with pytest.raises(DomainError, match="no active seat"):
        reviewer_assign(actor=review.chair, resource=review.resource, reviewer=stranger)


def test_a_vote_stores_the_duo_decision_shown_and_completes_the_assignment(biobank_a):
    review = make_review(biobank_a, terms=["DUO:0000042"])
    reviewer_assign(actor=review.chair, resource=review.resource, reviewer=review.members[0])
    vote = vote_cast(actor=review.members[0], resource=review.resource, value=VoteValue.APPROVE, rationale="Sound")
    assert vote.duo_decision == "APPROVE"
    assert review.resource.assignments.get().completed_at is not None
    assert RequestEvent.objects.filter(kind="vote.cast", resource=review.resource).exists()


def test_a_second_vote_is_refused_with_409(biobank_a):
    review = make_review(biobank_a)
    vote_cast(actor=review.members[0], resource=review.resource, value=VoteValue.APPROVE, rationale="Sound")
    with pytest.raises(ConflictError, match="already voted") as refused:
        vote_cast(actor=review.members[0], resource=review.resource, value=VoteValue.REJECT, rationale="Changed")
    assert refused.value.status_code == 409
    assert Vote.objects.get().value == VoteValue.APPROVE


def test_an_empty_rationale_is_refused(biobank_a):
    review = make_review(biobank_a)
    with pytest.raises(DomainError, match="rationale"):
        vote_cast(actor=review.members[0], resource=review.resource, value=VoteValue.APPROVE, rationale="  ")


def test_a_vote_before_availability_is_refused(biobank_a):
    review = make_review(biobank_a, resource_status=ResourceStatus.CHECKING_AVAILABILITY)
    with pytest.raises(ConflictError, match="available"):
        vote_cast(actor=review.members[0], resource=review.resource, value=VoteValue.APPROVE, rationale="ok")


def test_a_vote_after_the_decision_is_refused(biobank_a):
    review = make_review(biobank_a, members=2, quorum=2)
    vote_cast(actor=review.members[0], resource=review.resource, value=VoteValue.APPROVE, rationale="ok")
    vote_cast(actor=review.members[1], resource=review.resource, value=VoteValue.APPROVE, rationale="ok")
    resource_decide(actor=review.chair, resource=review.resource, outcome=DecisionOutcome.APPROVED, rationale="ok")
    with pytest.raises(ConflictError, match="after the decision"):
        vote_cast(actor=review.chair, resource=review.resource, value=VoteValue.REJECT, rationale="late")


def test_a_member_of_biobank_b_voting_on_as_resource_sees_nothing(biobank_a, biobank_b):
    review = make_review(biobank_a)
    _, _, members_b = make_committee(biobank_b)
    with pytest.raises(RequestResource.DoesNotExist):
        vote_cast(actor=members_b[0], resource=review.resource, value=VoteValue.APPROVE, rationale="mine now")
    assert not Vote.objects.exists()


def test_a_member_of_b_who_reads_the_request_through_bs_resource_is_still_refused_on_as(biobank_a, biobank_b):
    review = make_review(biobank_a, extra_biobanks=[biobank_b])
    _, _, members_b = make_committee(biobank_b)
    with pytest.raises(RequestResource.DoesNotExist):
        vote_cast(actor=members_b[0], resource=review.resource, value=VoteValue.APPROVE, rationale="mine now")


def test_a_reviewer_without_a_seat_is_forbidden_to_vote(biobank_a):
    review = make_review(biobank_a)
    reviewer = make_member(biobank_a, Role.DAC_MEMBER, email="seatless@example.org")
    with pytest.raises(ForbiddenError, match="no active seat"):
        vote_cast(actor=reviewer, resource=review.resource, value=VoteValue.APPROVE, rationale="ok")


def test_comments_need_a_seat_and_text(biobank_a, biobank_b):
    review = make_review(biobank_a)
    comment = comment_add(actor=review.members[0], resource=review.resource, text="Check the consent form")
    assert comment.resource == review.resource
    with pytest.raises(DomainError):
        comment_add(actor=review.members[0], resource=review.resource, text=" ")
    with pytest.raises(ForbiddenError):  # the researcher reads the resource but has no seat
        comment_add(actor=review.researcher, resource=review.resource, text="let me in")
    with pytest.raises(RequestResource.DoesNotExist):
        comment_add(actor=make_researcher(), resource=review.resource, text="let me in")


def test_the_researcher_reads_the_request_but_may_not_start_its_review(biobank_a):
    researcher = make_researcher()
    make_committee(biobank_a)
    request = make_request(researcher, [biobank_a], status=RequestStatus.SUBMITTED)
    with pytest.raises(ForbiddenError, match="review none of its biobanks"):
        request_review_start(actor=researcher, request=request)
    with pytest.raises(ForbiddenError):
        conflict_declare(actor=researcher, request=request, has_conflict=False)
