"""A consent recorded in error is invalidated by two people (gICS INVALIDATED, FHIR entered-in-error): it counts for
no time, as known from the decision on."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from biobank.accounts.choices import Role
from biobank.errors import ConflictError, DomainError
from consent import gate, services
from consent.gate import Answer
from consent.models import ConsentInvalidation
from tests.accounts.factories import make_member
from tests.consent.factories import make_donor, media_root  # noqa: F401
from tests.consent.timeline_helpers import BIOMATERIAL_ONLY, day, now, paper, withdraw

pytestmark = pytest.mark.django_db

FEB1, MAR3 = day(150), day(120)


@pytest.fixture
def second(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="second@example.org")


@pytest.fixture
def signed_jan(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    return donor, paper(officer, checker, donor, catalogue["broad"], signed_on=day(200), choices=BIOMATERIAL_ONLY)


def test_an_invalidated_consent_counts_for_no_time_as_known_from_the_decision_on(signed_jan, checker, second):
    donor, consent = signed_jan
    request = services.consent_invalidation_request(actor=checker, consent=consent, reason="Wrong donor selected")
    before = now()
    assert gate.permitted(donor=donor, policy="biomat-use", at=FEB1).answer == Answer.PERMITTED  # asked, not decided

    services.consent_invalidation_decide(actor=second, invalidation=request, approve=True)

    after = gate.permitted(donor=donor, policy="biomat-use", at=FEB1)
    assert (after.answer, after.code, after.allowed) == (Answer.UNKNOWN, "no_consent", False)
    as_before = gate.permitted(donor=donor, policy="biomat-use", at=FEB1, as_known_at=before)
    assert as_before.answer == Answer.PERMITTED
    consent.refresh_from_db()
    assert consent.status == "invalidated"


def test_the_recorder_cannot_invalidate_alone(signed_jan, officer, checker):
    donor, consent = signed_jan
    request = services.consent_invalidation_request(actor=checker, consent=consent, reason="Wrong donor selected")

    with pytest.raises(DomainError, match="second person") as recorder:
        services.consent_invalidation_decide(actor=officer, invalidation=request, approve=True)
    with pytest.raises(DomainError, match="second person"):
        services.consent_invalidation_decide(actor=checker, invalidation=request, approve=True)

    assert recorder.value.code == "same_person"
    assert ConsentInvalidation.objects.get(pk=request.pk).status == "pending"
    assert gate.permitted(donor=donor, policy="biomat-use").answer == Answer.PERMITTED


def test_the_database_refuses_the_same_person_deciding_and_a_changed_decision(signed_jan, checker, second):
    _, consent = signed_jan
    request = services.consent_invalidation_request(actor=checker, consent=consent, reason="Wrong donor selected")

    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentInvalidation.objects.filter(pk=request.pk).update(
            status="approved", decided_by=checker, decided_at=now()
        )
    services.consent_invalidation_decide(actor=second, invalidation=request, approve=False, note="It was right")
    with pytest.raises(IntegrityError, match="final"), transaction.atomic():
        ConsentInvalidation.objects.filter(pk=request.pk).update(status="approved")


def test_rejecting_needs_a_note_and_a_second_request_waits_for_the_first(signed_jan, checker, second):
    _, consent = signed_jan
    request = services.consent_invalidation_request(actor=checker, consent=consent, reason="Wrong donor selected")

    with pytest.raises(ConflictError, match="already waiting"):
        services.consent_invalidation_request(actor=second, consent=consent, reason="Wrong donor")
    with pytest.raises(DomainError, match="why") as raised:
        services.consent_invalidation_decide(actor=second, invalidation=request, approve=False)
    assert raised.value.field == "note"


def test_a_withdrawal_the_donor_made_stays_when_the_form_it_was_recorded_through_is_invalidated(
    biobank_a, officer, checker, second, catalogue
):
    donor = make_donor(biobank_a)
    first = paper(officer, checker, donor, catalogue["broad"], signed_on=day(200), choices=BIOMATERIAL_ONLY)
    paper(officer, checker, donor, catalogue["samples"], signed_on=day(199), choices={"biomaterial": "accepted"})
    withdraw(officer, first, "biomaterial", on=day(100))
    request = services.consent_invalidation_request(actor=checker, consent=first, reason="Signed twice")

    services.consent_invalidation_decide(actor=second, invalidation=request, approve=True)

    assert gate.permitted(donor=donor, policy="biomat-use", at=day(50)).code == "withdrawn"
    assert gate.permitted(donor=donor, policy="biomat-use", at=day(150)).answer == Answer.PERMITTED  # second form
