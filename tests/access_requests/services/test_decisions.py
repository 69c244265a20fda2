"""Decisions by the three rules (a hypothesis reference model of the tally), what an approval writes, and the
request's roll-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from access_requests.choices import (
    ConditionKind,
    DecisionOutcome,
    DecisionRule,
    RequestStatus,
    ResourceStatus,
    VoteValue,
)
from access_requests.models import Condition, Decision
from access_requests.services.decisions import request_rollup, resource_decide, resource_tally, tally_outcome
from access_requests.services.review import conflict_declare, resource_availability_set, vote_cast
from biobank.errors import ConflictError, DomainError, ForbiddenError
from tests.access_requests.committee_factories import make_review

pytestmark = pytest.mark.django_db

APPROVED, REJECTED = DecisionOutcome.APPROVED, DecisionOutcome.REJECTED


def reference(rule: str, quorum: int, votes: list[str], chair: str | None) -> str | None:
    """The rules as the brief states them, written independently of the service."""
    ups, downs = votes.count("approve"), votes.count("reject")
    if rule == "chair":
        return None if chair is None else {"approve": APPROVED, "reject": REJECTED}[chair]
    if len(votes) < quorum:
        return None
    if rule == "unanimity":
        return APPROVED if all(v == "approve" for v in votes) else REJECTED
    if ups != downs:
        return APPROVED if ups > downs else REJECTED
    return None if chair is None else {"approve": APPROVED, "reject": REJECTED}[chair]


@given(
    rule=st.sampled_from(DecisionRule.values),
    quorum=st.integers(1, 6),
    others=st.lists(st.sampled_from(VoteValue.values), max_size=8),
    chair=st.none() | st.sampled_from(VoteValue.values),
)
def test_the_tally_agrees_with_the_reference_model(rule, quorum, others, chair):
    votes = [*others, *([chair] if chair else [])]
    expected = reference(rule, quorum, votes, chair)
    got = tally_outcome(
        rule=rule, quorum=quorum, approve=votes.count("approve"), reject=votes.count("reject"), chair_vote=chair
    )
    assert got == expected


def _votes(review, *values):
    for person, value in zip(review.members, values, strict=False):
        vote_cast(actor=person, resource=review.resource, value=value, rationale=f"{value} because")


def test_majority_approves_with_conditions_attributes_and_the_duo_modifiers(biobank_a):
    # GRU + PUB (publication required) + IRB: the match abstains on PUB and IRB, proposed as conditions
    review = make_review(biobank_a, members=2, quorum=2, terms=["DUO:0000042", "DUO:0000019", "DUO:0000021"])
    _votes(review, VoteValue.APPROVE, VoteValue.APPROVE)
    ends = timezone.localdate() + timedelta(days=365)

    decision = resource_decide(
        actor=review.chair,
        resource=review.resource,
        outcome=APPROVED,
        rationale="Sound science",
        conditions=[
            {"kind": ConditionKind.ACKNOWLEDGEMENT},
            {"kind": ConditionKind.DATA_DESTRUCTION, "due_on": (ends + timedelta(days=30)).isoformat()},
        ],
        attributes=["sex", "birth_year"],
        access_ends_on=ends,
    )

    review.resource.refresh_from_db()
    review.request.refresh_from_db()
    assert review.resource.status == ResourceStatus.CONDITIONS_INDICATED
    assert review.resource.approved_attributes == ["sex", "birth_year"]
    assert review.request.status == RequestStatus.DECIDED
    assert decision.tally["approve"] == 2 and decision.duo_match["decision"] == "ABSTAIN"
    duo = set(Condition.objects.filter(kind=ConditionKind.DUO_MODIFIER).values_list("duo_term", flat=True))
    assert duo == {"DUO:0000019", "DUO:0000021"}
    assert Condition.objects.filter(resource=review.resource).count() == 4


def test_a_decision_the_votes_do_not_support_is_refused_with_the_tally(biobank_a):
    review = make_review(biobank_a, members=2, quorum=2)
    _votes(review, VoteValue.APPROVE)
    with pytest.raises(ConflictError, match=r"1 approve, 0 reject.*no decision yet"):
        resource_decide(actor=review.chair, resource=review.resource, outcome=APPROVED, rationale="hurry")
    _votes_second = review.members[1]
    vote_cast(actor=_votes_second, resource=review.resource, value=VoteValue.REJECT, rationale="weak")
    with pytest.raises(ConflictError, match="no decision yet"):  # a tie without the chair's vote
        resource_decide(actor=review.chair, resource=review.resource, outcome=REJECTED, rationale="tie")
    vote_cast(actor=review.chair, resource=review.resource, value=VoteValue.REJECT, rationale="breaks the tie")
    with pytest.raises(ConflictError, match="gives Rejected"):
        resource_decide(actor=review.chair, resource=review.resource, outcome=APPROVED, rationale="no")
    resource_decide(actor=review.chair, resource=review.resource, outcome=REJECTED, rationale="Tie broken")
    review.resource.refresh_from_db()
    review.request.refresh_from_db()
    assert review.resource.status == ResourceStatus.UNAVAILABLE
    assert review.request.status == RequestStatus.REJECTED


def test_unanimity_rejects_on_any_reject_once_the_quorum_is_reached(biobank_a):
    review = make_review(biobank_a, members=3, quorum=3, rule=DecisionRule.UNANIMITY)
    _votes(review, VoteValue.APPROVE, VoteValue.APPROVE, VoteValue.REJECT)
    assert resource_tally(review.resource).outcome == REJECTED


def test_the_chair_decides_by_their_own_vote(biobank_a):
    review = make_review(biobank_a, members=2, quorum=2, rule=DecisionRule.CHAIR)
    _votes(review, VoteValue.REJECT, VoteValue.REJECT)
    assert resource_tally(review.resource).outcome is None
    vote_cast(actor=review.chair, resource=review.resource, value=VoteValue.APPROVE, rationale="my call")
    resource_decide(actor=review.chair, resource=review.resource, outcome=APPROVED, rationale="Chair decides")
    assert Decision.objects.get().outcome == APPROVED


def test_recused_members_votes_do_not_count(biobank_a):
    review = make_review(biobank_a, members=2, quorum=2, declare=False)
    conflict_declare(actor=review.members[0], request=review.request, has_conflict=False)
    vote_cast(actor=review.members[0], resource=review.resource, value=VoteValue.APPROVE, rationale="ok")
    conflict_declare(actor=review.members[1], request=review.request, has_conflict=True, statement="my lab")
    tally = resource_tally(review.resource)
    assert (tally.approve, tally.recused, tally.outcome) == (1, 1, None)


def test_only_the_chair_decides(biobank_a):
    review = make_review(biobank_a)
    _votes(review, VoteValue.APPROVE, VoteValue.APPROVE)
    with pytest.raises(ForbiddenError, match="Only the chair"):
        resource_decide(actor=review.members[0], resource=review.resource, outcome=APPROVED, rationale="me")


def test_unknown_attributes_and_conditions_are_refused_naming_what_is_allowed(biobank_a):
    review = make_review(biobank_a)
    _votes(review, VoteValue.APPROVE, VoteValue.APPROVE)
    with pytest.raises(DomainError, match="Unknown release attributes: genome"):
        resource_decide(
            actor=review.chair, resource=review.resource, outcome=APPROVED, rationale="ok", attributes=["genome"]
        )
    with pytest.raises(DomainError, match="Condition 1: data destruction needs the date"):
        resource_decide(
            actor=review.chair,
            resource=review.resource,
            outcome=APPROVED,
            rationale="ok",
            conditions=[{"kind": ConditionKind.DATA_DESTRUCTION}],
        )
    assert not Decision.objects.exists()


def test_a_second_decision_is_refused(biobank_a):
    review = make_review(biobank_a)
    _votes(review, VoteValue.APPROVE, VoteValue.APPROVE)
    resource_decide(actor=review.chair, resource=review.resource, outcome=APPROVED, rationale="ok")
    with pytest.raises(ConflictError, match="already decided"):
        resource_decide(actor=review.chair, resource=review.resource, outcome=APPROVED, rationale="again")


def test_the_rollup_waits_for_every_resource(biobank_a, biobank_b):
    review = make_review(biobank_a, extra_biobanks=[biobank_b])
    _votes(review, VoteValue.APPROVE, VoteValue.APPROVE)
    resource_decide(actor=review.chair, resource=review.resource, outcome=APPROVED, rationale="ok")
    review.request.refresh_from_db()
    assert review.request.status == RequestStatus.UNDER_REVIEW  # B has not decided
    other = review.request.resources.get(biobank=biobank_b)
    from tests.access_requests.factories import make_committee

    _, chair_b, _ = make_committee(biobank_b)
    resource_availability_set(actor=chair_b, resource=other, available=False, reason="None left")
    review.request.refresh_from_db()
    assert review.request.status == RequestStatus.DECIDED
    assert request_rollup(request=review.request, actor=chair_b).status == RequestStatus.DECIDED
