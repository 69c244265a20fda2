"""The decision letter PDF names the request, biobank, outcome, conditions and who decided."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from access_requests.choices import ConditionKind, DecisionOutcome, VoteValue
from access_requests.letters import decision_letter_filename, decision_letter_pdf
from access_requests.services.decisions import resource_decide
from access_requests.services.review import vote_cast
from tests.access_requests.committee_factories import make_review

pytestmark = pytest.mark.django_db


def test_the_letter_prints_the_decision(biobank_a, tmp_path):
    review = make_review(biobank_a)
    for person in review.members:
        vote_cast(actor=person, resource=review.resource, value=VoteValue.APPROVE, rationale="ok")
    decision = resource_decide(
        actor=review.chair,
        resource=review.resource,
        outcome=DecisionOutcome.APPROVED,
        rationale="Scientifically sound — approved",
        conditions=[{"kind": ConditionKind.OTHER, "text": "Send us the paper"}],
        attributes=["sex"],
    )
    data = decision_letter_pdf(decision)
    assert data.startswith(b"%PDF")
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    for expected in (str(review.request.number), "Biobank A", "Approved", "Send us the paper", "Sex of the donor"):
        assert expected in text
    assert decision_letter_filename(decision).endswith("-biobank-a.pdf")
