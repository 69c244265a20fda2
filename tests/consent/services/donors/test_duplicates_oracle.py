"""A possible duplicate must not tell whoever registers who the person is (issue 9, item 1).

Before, ``POST /api/v1/donors/`` answered a possible duplicate with the existing donor's PID, and the review pages
listed the candidates to every consent officer: typing a name and a birth date, or just a hospital ID, told an API
token or an officer whether that person is a donor and under which PID. Now the answer names the review only; the
candidates are shown to an identity steward after a reason (audited), and the steward decides.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from biobank.audit.models import AuditOutbox
from biobank.errors import DomainError
from consent import services
from consent.models import Donor, DuplicateReview
from tests.accounts.factories import bearer, make_token

pytestmark = pytest.mark.django_db

REASON = "Deciding the possible duplicate from the ward enrolment"
# What someone probing for a person types: only their hospital ID, or a misspelt name and a transposed birth date.
PROBES = {
    "hospital ID only": {
        "given_names": "Someone",
        "family_name": "Else",
        "date_of_birth": "1990-01-01",
        "hospital_id": "MRN-0012345",
    },
    "fuzzy name and birth date": {"given_names": "Jane Marie", "family_name": "Schmitt", "date_of_birth": "1970-07-03"},
}


def url(name, *args, code="biobank-a"):
    return reverse(f"consent:{name}", args=[code, *args])


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def no_trace_of(donor: Donor, text: str) -> bool:
    """Neither form of the donor's PID, nor a match kind that says how close the person is."""
    return donor.pid not in text and donor.pid_display not in text and "exact" not in text and "near" not in text


@pytest.mark.parametrize("probe", PROBES.values(), ids=PROBES.keys())
@pytest.mark.parametrize("caller", ["token", "officer"])
def test_a_probe_for_a_registered_person_learns_only_a_review_number(
    donor_a, consent_officer_a, biobank_a, probe, caller
):
    client = (
        bearer(make_token(biobank_a, "view_donors", "manage_consent"))
        if caller == "token"
        else session(consent_officer_a)
    )

    response = client.post("/api/v1/donors/", {"biobank": "biobank-a", **probe}, format="json")

    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"
    review = DuplicateReview.objects.get()
    problem = response.json()
    assert problem["review_id"] == review.pk and f"#{review.pk}" in problem["detail"]
    assert set(problem) == {"type", "title", "status", "detail", "instance", "request_id", "review_id"}
    assert no_trace_of(donor_a, response.content.decode())
    assert Donor.objects.count() == 1


@pytest.mark.parametrize("probe", PROBES.values(), ids=PROBES.keys())
def test_an_officer_registering_in_the_browser_sees_held_for_review_and_no_candidate(
    client, donor_a, consent_officer_a, probe
):
    client.force_login(consent_officer_a)
    form = {"sex": "unknown", "national_id": "", "email": "", "phone": "", "address": "", "hospital_id": "", **probe}

    response = client.post(url("donor_register"), form, follow=True)

    review = DuplicateReview.objects.get()
    assert response.redirect_chain[-1][0] == url("duplicate_review", review.pk)
    body = response.content.decode()
    assert f"held for review #{review.pk}" in body and "identity steward" in body
    assert no_trace_of(donor_a, body) and "transposed" not in body and "Show the candidates" not in body
    queue = client.get(url("duplicate_list")).content.decode()
    assert f"#{review.pk}" in queue and no_trace_of(donor_a, queue)


def test_an_officer_can_neither_open_the_candidates_nor_decide(client, register, donor_a, consent_officer_a):
    review = register(family_name="Schmitt", hospital_id="X-1", national_id="", email="").review
    client.force_login(consent_officer_a)

    for action in ("candidates", "decide"):
        response = client.post(
            url("duplicate_review", review.pk), {"action": action, "reason": REASON, "decision": "different_person"}
        )
        assert response.status_code == 403 and no_trace_of(donor_a, response.content.decode())
    with pytest.raises(PermissionDenied):
        services.duplicate_review_candidates(actor=consent_officer_a, review=review, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.duplicate_review_decide(
            actor=consent_officer_a, review=review, decision="different_person", reason=REASON
        )
    review.refresh_from_db()
    assert review.is_pending and Donor.objects.count() == 1
    assert not AuditOutbox.objects.filter(action="duplicate_review.candidates_view").exists()


def test_the_steward_sees_the_candidates_only_after_a_reason_and_the_look_is_audited(
    client, register, donor_a, steward_a
):
    review = register(family_name="Schmitt", hospital_id="X-1", national_id="", email="").review
    client.force_login(steward_a)
    page = url("duplicate_review", review.pk)

    before = client.get(page).content.decode()
    assert no_trace_of(donor_a, before) and "Show the candidates" in before
    refused = client.post(page, {"action": "candidates", "reason": "."})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    assert no_trace_of(donor_a, refused.content.decode())
    assert not AuditOutbox.objects.filter(action="duplicate_review.candidates_view").exists()

    shown = client.post(page, {"action": "candidates", "reason": REASON}).content.decode()

    assert donor_a.pid_display in shown and "Record the decision" in shown
    event = AuditOutbox.objects.get(action="duplicate_review.candidates_view")
    assert event.reason == REASON and event.actor_id == str(steward_a.pk)
    assert event.details == {"candidates": [donor_a.pid_display]}


def test_the_steward_decides_with_the_reason_recorded_on_the_decision(client, register, donor_a, steward_a):
    review = register(family_name="Schmitt", hospital_id="X-1", national_id="", email="").review
    client.force_login(steward_a)
    page = url("duplicate_review", review.pk)

    without = client.post(page, {"action": "decide", "decision": "same_person", "donor": str(donor_a.pk), "reason": ""})
    assert without.status_code == 200 and "reason" in without.context["form"].errors
    response = client.post(
        page, {"action": "decide", "decision": "same_person", "donor": str(donor_a.pk), "reason": REASON}, follow=True
    )

    review.refresh_from_db()
    assert review.status == "same_person" and review.donor == donor_a and Donor.objects.count() == 1
    assert response.redirect_chain[-1][0] == url("donor_detail", donor_a.pid_display)
    decided = AuditOutbox.objects.get(action="duplicate_review.decide")
    assert decided.reason == REASON and decided.actor_id == str(steward_a.pk)


def test_a_decision_without_a_real_reason_is_refused_and_nothing_is_decided(register, donor_a, steward_a):
    review = register(family_name="Schmitt", hospital_id="X-1", national_id="", email="").review

    with pytest.raises(DomainError, match="Reason: say in words") as refused:
        services.duplicate_review_decide(actor=steward_a, review=review, decision="different_person", reason="ok.")

    assert refused.value.field == "reason"
    review.refresh_from_db()
    assert review.is_pending and Donor.objects.count() == 1
    assert not AuditOutbox.objects.filter(action="duplicate_review.decide").exists()


def test_the_queue_is_for_officers_and_stewards_and_a_foreign_review_is_a_404(
    client, register, donor_a, auditor_a, steward_b
):
    review = register(family_name="Schmitt", hospital_id="X-1", national_id="", email="").review
    client.force_login(auditor_a)
    assert client.get(url("duplicate_list")).status_code == 403
    assert client.get(url("duplicate_review", review.pk)).status_code == 403
    client.force_login(steward_b)
    assert client.get(url("duplicate_review", review.pk, code="biobank-b")).status_code == 404
    assert client.get(url("duplicate_review", review.pk)).status_code == 404  # not a member of biobank A
