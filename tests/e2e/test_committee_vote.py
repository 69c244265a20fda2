"""A DAC member opens their review, reads the DUO match beside the votes, declares no conflict and votes with a
rationale; the chair sees both votes beside the match and records the approval; the letter can be downloaded."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from access_requests.models import Decision, Vote
from access_requests.services.review import reviewer_assign
from tests.access_requests.committee_factories import make_review
from tests.accounts.factories import DEMO_PASSWORD, make_biobank
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def review():
    biobank = make_biobank(code="central", name="Central Biobank")
    review = make_review(biobank, members=1, quorum=2, terms=["DUO:0000042", "DUO:0000019"], declare=False)
    reviewer_assign(actor=review.chair, resource=review.resource, reviewer=review.members[0])
    return review


def test_a_member_votes_beside_the_duo_match_and_the_chair_decides(page, review, screenshot):
    member = review.members[0]
    sign_in(page, member.email, DEMO_PASSWORD)
    page.goto("/requests/review/")
    page.get_by_role("link", name=review.request.title).first.click()
    expect(page.get_by_test_id("duo-decision")).to_have_text("ABSTAIN")  # PUB: publication required
    page.get_by_label("I have no conflict of interest").check()
    page.get_by_role("button", name="Declare").click()
    expect(page.get_by_text("Your declaration is recorded.")).to_be_visible()
    page.get_by_label("Approve").check()
    page.get_by_label("Rationale").fill("Sound design; publication condition acceptable.")
    screenshot(page, "committee-vote")
    page.get_by_role("button", name="Cast the vote").click()
    expect(page.get_by_text("Your vote is recorded.")).to_be_visible()
    expect(page.get_by_test_id("votes")).to_contain_text("Sound design")
    assert Vote.objects.get().duo_decision == "ABSTAIN"

    page.context.clear_cookies()
    sign_in(page, review.chair.email, DEMO_PASSWORD)
    page.goto(f"/requests/review/{review.resource.pk}/")
    page.get_by_label("I have no conflict of interest").check()
    page.get_by_role("button", name="Declare").click()
    votes = page.get_by_role("region", name="Votes")
    votes.get_by_label("Approve", exact=True).check()
    votes.get_by_label("Rationale").fill("Agree.")
    votes.get_by_role("button", name="Cast the vote").click()
    expect(page.get_by_test_id("votes")).to_contain_text("Agree.")
    decide = page.get_by_role("region", name="Decide (chair)")
    decide.get_by_label("Approved").check()
    decide.get_by_label("Rationale").fill("Approved with the publication condition.")
    decide.get_by_label("Acknowledge the biobank in publications").check()
    screenshot(page, "committee-decide")
    decide.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("decision")).to_contain_text("Approved")
    assert Decision.objects.get().outcome == "approved"
    with page.expect_download() as download:
        page.get_by_role("link", name="Decision letter (PDF)").click()
    assert download.value.suggested_filename.endswith("-central.pdf")
