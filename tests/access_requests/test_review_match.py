"""The DUO match beside the votes: per collection, combined DENY > ABSTAIN > APPROVE, with conditions."""

from __future__ import annotations

import pytest

from access_requests.choices import PurposeKind
from access_requests.review_match import resource_duo_match
from tests.access_requests.committee_factories import duo_collection, make_review

pytestmark = pytest.mark.django_db


def test_gru_data_approve_a_health_purpose(biobank_a):
    review = make_review(biobank_a, terms=["DUO:0000042"], declare=False)
    match = resource_duo_match(review.resource)
    assert match["decision"] == "APPROVE" and match["conditions"] == []
    assert len(match["rationale"]) == 1


def test_deny_wins_over_abstain_and_the_abstaining_terms_become_conditions(biobank_a):
    review = make_review(biobank_a, terms=["DUO:0000042", "DUO:0000022"], declare=False)
    match = resource_duo_match(review.resource)
    assert match["decision"] == "ABSTAIN"
    assert [c["term"] for c in match["conditions"]] == ["DUO:0000022"]
    review.resource.collections.add(duo_collection(biobank_a, ["DUO:0000011"]))  # POA only: HMB denied
    assert resource_duo_match(review.resource)["decision"] == "DENY"


def test_a_commercial_purpose_is_denied_on_not_for_profit_data(biobank_a):
    review = make_review(
        biobank_a,
        terms=["DUO:0000042", "DUO:0000045"],
        declare=False,
        commercial=True,
        purpose_kind=PurposeKind.GENERAL_RESEARCH,
    )
    assert resource_duo_match(review.resource)["decision"] == "DENY"


def test_no_collection_or_no_terms_abstains(biobank_a):
    review = make_review(biobank_a, terms=[], declare=False)
    assert resource_duo_match(review.resource)["decision"] == "ABSTAIN"
    review.resource.collections.clear()
    assert resource_duo_match(review.resource)["decision"] == "ABSTAIN"
