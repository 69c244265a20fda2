"""Reasons and notes that become permanent history are refused when they identify someone: a date, a long number,
an e-mail address or phone number, or one of the donor's own names or identifiers from the vault."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from biobank.accounts.choices import Role
from biobank.audit.models import AuditOutbox
from biobank.errors import DomainError
from consent import services
from consent.choices import ConsentStatus, DonorStatus
from consent.free_text import free_text_check
from consent.models import Consent
from tests.accounts.factories import make_member
from tests.consent.factories import make_catalogue, media_root, record  # noqa: F401

pytestmark = pytest.mark.django_db

DECIDING = "Deciding the possible duplicate held at enrolment"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Donor born 07.03.1970 asked to stop", "a date"),
        ("Letter of 2026-03-01", "a date"),
        ("Called on 7 March 2026", "a date"),
        ("Anruf am 3. März 2026", "a date"),
        ("Insurance number 123456789", "a long number"),
        ("MRN 0012 345", "a long number"),
        ("Write to jane.schmidt@example.org", "an e-mail address"),
        ("Call back on +49 30 1234567", "a phone number"),
    ],
)
def test_text_with_a_date_a_number_or_an_address_is_refused_naming_the_field(text, found):
    with pytest.raises(DomainError, match=re.escape(f"Reason: contains {found}")) as error:
        free_text_check(text)
    assert error.value.field == "reason"


@pytest.mark.parametrize(
    "text",
    ["Donor asked by telephone to stop the use of her samples", "Same person, second registration in ward 12", ""],
)
def test_plain_reasons_pass_stripped(text):
    assert free_text_check(f"  {text} ") == text


def test_the_donors_own_names_are_found_whatever_the_case_and_accents_but_only_as_whole_words(register):
    donor = register(given_names="Jürgen", family_name="Müller-Lüdenscheidt").donor

    for text in ("Mr MULLER called", "juergen? no: jurgen asked", "Lüdenscheidt family asked"):
        with pytest.raises(DomainError, match=r"contains .*the donor's"):
            free_text_check(text, field="note", donor=donor)
    assert free_text_check("Müllerei and Jürgensen are other words", donor=donor)


def test_the_names_signed_on_the_donors_consents_count_too(register, consent_officer_a, biobank_a):
    donor = register().donor
    template = make_catalogue(biobank_a, actor=consent_officer_a)
    record(
        consent_officer_a,
        donor,
        template,
        representative_name="Gustav Vormund",
        representative_relation="father",
        representative_legal_basis="parent",
    )

    with pytest.raises(DomainError, match="the name of the donor's representative"):
        free_text_check("Vormund phoned", donor=donor)


def test_a_merge_reason_naming_the_donor_is_refused_and_nothing_is_merged(register, consent_officer_a, steward_a):
    jane = register().donor
    again = register(hospital_id="MRN-999", national_id="", email="", given_names="Jane M.", phone="")
    other = services.duplicate_review_decide(
        actor=steward_a,
        reason=DECIDING,
        review=again.review,
        decision="different_person",
        note="Registered twice by mistake",
    )

    with pytest.raises(DomainError, match="Reason: contains the donor's family name"):
        services.donor_merge(actor=consent_officer_a, source=other, target=jane, reason="Both records are Ms Schmidt")

    other.refresh_from_db()
    assert other.status == DonorStatus.ACTIVE and not AuditOutbox.objects.filter(action="donor.merge").exists()


def test_a_duplicate_review_note_with_a_date_of_birth_is_refused(register, consent_officer_a, steward_a):
    register()
    held = register(family_name="Schmitt", hospital_id="X-1", national_id="", email="").review

    with pytest.raises(DomainError, match="Note: contains a date"):
        services.duplicate_review_decide(
            actor=steward_a,
            reason=DECIDING,
            review=held,
            decision="different_person",
            note="Other person, born 8.3.1970",
        )
    held.refresh_from_db()
    assert held.is_pending


def test_a_qc_rejection_note_naming_the_donor_is_refused_and_the_scan_stays_pending(
    register, consent_officer_a, biobank_a
):
    donor = register().donor
    template = make_catalogue(biobank_a, actor=consent_officer_a)
    scan = services.consent_scan_upload(
        actor=consent_officer_a,
        informed_by=consent_officer_a,
        informed_place="Outpatient clinic",
        donor=donor,
        template=template,
        language="en",
        choices={"data": "accepted"},
        signed_on=timezone.localdate(),
        file=ContentFile(b"%PDF-1.4 form", name="form.pdf"),
    )
    checker = make_member(biobank_a, Role.CONSENT_OFFICER, email="checker@example.org")

    with pytest.raises(DomainError, match="Note: contains one of the donor's given names"):
        services.consent_scan_qc(actor=checker, consent=scan, approve=False, note="Signature is not Jane's")

    assert Consent.objects.get(pk=scan.pk).status == ConsentStatus.PENDING_QC
    services.consent_scan_qc(actor=checker, consent=scan, approve=False, note="The signature field is empty")
    assert Consent.objects.get(pk=scan.pk).status == ConsentStatus.REJECTED


def test_a_same_person_note_repeating_the_name_typed_at_enrolment_is_refused(register, consent_officer_a, steward_a):
    jane = register().donor
    held = register(family_name="Schmitt", hospital_id="X-1", national_id="", email="").review

    with pytest.raises(DomainError, match="Note: contains the donor's family name"):
        services.duplicate_review_decide(
            actor=steward_a, reason=DECIDING, review=held, decision="same_person", donor=jane, note="Schmitt is a typo"
        )
    held.refresh_from_db()
    assert held.is_pending
    services.duplicate_review_decide(
        actor=steward_a,
        reason=DECIDING,
        review=held,
        decision="same_person",
        donor=jane,
        note="Typo in the family name",
    )
