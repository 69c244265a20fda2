"""Possible duplicates at enrolment: exact and near matches are held for review instead of creating a second donor;
a review decides "same person" (no new donor) or "different person" (the donor is registered then)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from biobank.audit.models import AuditOutbox
from biobank.errors import ConflictError, DomainError
from consent import services
from consent.choices import DuplicateReviewStatus
from consent.models import Donor, DuplicateReview, IdentityRecord

pytestmark = pytest.mark.django_db

DECIDING = "Deciding the possible duplicate held at enrolment"

OTHER_IDS = {"hospital_id": "MRN-999", "national_id": "", "email": ""}


def held(registration):
    assert registration.donor is None and registration.review is not None
    return registration.review


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"given_names": "Someone", "family_name": "Else", "date_of_birth": date(1990, 1, 1)}, "exact"),  # same MRN
        ({**OTHER_IDS, "national_id": "de-t22000129"}, "exact"),  # same national ID, other spelling
        ({**OTHER_IDS}, "exact"),  # same name and birth date
        ({**OTHER_IDS, "family_name": "Schmitt"}, "near"),  # typo in the family name
        ({**OTHER_IDS, "given_names": "Jnae Marie"}, "near"),  # swapped letters in the given name
        ({**OTHER_IDS, "date_of_birth": date(1970, 7, 3)}, "near"),  # day and month transposed
        ({**OTHER_IDS, "family_name": "Schmitt", "date_of_birth": date(1970, 7, 3)}, "near"),  # typo + transposed
        ({**OTHER_IDS, "date_of_birth": date(1970, 3, 8)}, "near"),  # a typo in the day, same name
        ({**OTHER_IDS, "date_of_birth": date(1979, 3, 7)}, "near"),  # a typo in the year, same name
        ({**OTHER_IDS, "given_names": "Schmidt", "family_name": "Jane Marie"}, "near"),  # names swapped
    ],
)
def test_a_possible_duplicate_is_held_for_review_and_no_second_donor_is_made(register, donor_a, changes, kind):
    review = held(register(**changes))
    assert Donor.objects.count() == 1 and IdentityRecord.objects.count() == 1
    [candidate] = review.candidates.all()
    assert candidate.donor == donor_a
    assert candidate.kind == kind
    assert review.status == DuplicateReviewStatus.PENDING


def test_a_clearly_different_person_is_registered_without_review(register, donor_a):
    registration = register(given_names="Peter", family_name="Schulz", **OTHER_IDS)  # same birth date
    assert registration.donor is not None and not DuplicateReview.objects.exists()
    registration = register(
        given_names="Jane", family_name="Meyer", date_of_birth=date(1985, 5, 5), **{**OTHER_IDS, "hospital_id": "X-2"}
    )
    assert registration.donor is not None and Donor.objects.count() == 3


def test_the_pending_identity_is_stored_encrypted_and_nothing_identifying_is_audited(register, donor_a):
    review = held(register(**OTHER_IDS, family_name="Schmitt"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT family_name, hospital_id FROM consent_duplicatereview WHERE id = %s", [review.pk])
        row = cursor.fetchone()
    assert all(value.startswith("v1:") for value in row) and "Schmitt" not in str(row) and "MRN-999" not in str(row)
    assert services.identity_of(review).family_name == "Schmitt"
    event = AuditOutbox.objects.get(action="duplicate_review.create")
    assert event.changes["family_name"] == [None, "S***"]
    assert event.details["candidates"] == [
        {"pid": donor_a.pid_display, "kind": "near", "score": pytest.approx(0.98, abs=0.02)}
    ]
    assert "Schmitt" not in str(event.changes) + str(event.details)


def test_same_person_links_the_registration_to_the_existing_donor(register, donor_a, consent_officer_a, steward_a):
    review = held(register(**OTHER_IDS, family_name="Schmitt"))
    donor = services.duplicate_review_decide(
        actor=steward_a,
        reason=DECIDING,
        review=review,
        decision="same_person",
        donor=donor_a,
        note="Same patient, typo.",
    )
    review.refresh_from_db()
    assert donor == donor_a and review.donor == donor_a and review.status == "same_person"
    assert review.family_name is None and review.hospital_id_index is None  # pending identity cleared
    assert Donor.objects.count() == 1
    assert AuditOutbox.objects.get(action="duplicate_review.decide").changes["status"] == ["pending", "same_person"]


def test_different_person_registers_the_donor_with_the_identity_typed_at_enrolment(
    register, donor_a, consent_officer_a, steward_a
):
    review = held(register(**OTHER_IDS, family_name="Schmitt"))
    donor = services.duplicate_review_decide(
        actor=steward_a, reason=DECIDING, review=review, decision="different_person"
    )
    assert donor != donor_a and donor.subject_ref == review.subject_ref and Donor.objects.count() == 2
    assert services.identity_of(IdentityRecord.objects.get(donor=donor)).family_name == "Schmitt"
    assert AuditOutbox.objects.filter(action="donor.register", object_id=str(donor.pk)).exists()


def test_a_review_is_decided_once_and_only_for_one_of_its_candidates(register, donor_a, consent_officer_a, steward_a):
    review = held(register(**OTHER_IDS, family_name="Schmitt"))
    stranger = register(
        given_names="Peter", family_name="Schulz", date_of_birth=date(1960, 1, 1), **{**OTHER_IDS, "hospital_id": "X-3"}
    ).donor
    with pytest.raises(DomainError, match="not one of the candidates"):
        services.duplicate_review_decide(
            actor=steward_a, reason=DECIDING, review=review, decision="same_person", donor=stranger
        )
    with pytest.raises(DomainError, match="same_person or different_person"):
        services.duplicate_review_decide(actor=steward_a, reason=DECIDING, review=review, decision="maybe")
    services.duplicate_review_decide(actor=steward_a, reason=DECIDING, review=review, decision="different_person")
    with pytest.raises(ConflictError, match="already decided"):
        services.duplicate_review_decide(actor=steward_a, reason=DECIDING, review=review, decision="different_person")
    assert Donor.objects.count() == 3


def test_only_identity_stewards_decide_because_deciding_needs_the_candidates(register, donor_a, consent_officer_a):
    review = held(register(**OTHER_IDS, family_name="Schmitt"))
    with pytest.raises(PermissionDenied, match="view_identity"):
        services.duplicate_review_decide(
            actor=consent_officer_a, review=review, decision="different_person", reason=DECIDING
        )
    assert Donor.objects.count() == 1


def test_a_match_on_a_merged_donor_points_at_the_donor_it_was_merged_into(register, donor_a, consent_officer_a):
    other = register(given_names="Peter", family_name="Schulz", date_of_birth=date(1960, 1, 1), **OTHER_IDS).donor
    services.donor_merge(actor=consent_officer_a, source=donor_a, target=other, reason="Same person (test).")
    review = held(register(hospital_id="MRN-0012345", national_id="", email=""))
    assert [c.donor for c in review.candidates.all()] == [other]
