"""Registering a donor: a PID in the biobank's domain, the identity in the vault, an audit event with masked values,
and clear errors (naming the field) that leave nothing behind."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from biobank.audit.models import AuditOutbox
from biobank.errors import DomainError
from biobank.pseudonyms.checkchar import is_valid
from biobank.pseudonyms.models import Pseudonym, PseudonymDomain
from consent import services
from consent.models import Donor, DuplicateReview, IdentityRecord
from tests.consent.donor_fixtures import JANE

pytestmark = pytest.mark.django_db


def test_registering_mints_a_pid_in_the_biobank_domain_created_on_first_use(register, biobank_a):
    donor = register().donor
    domain = PseudonymDomain.objects.get(biobank=biobank_a)
    assert domain.code == "pid-biobank-a"
    assert is_valid(donor.pid) and len(donor.pid) == 11
    assert Pseudonym.objects.get(domain=domain, subject=str(donor.subject_ref)).pseudonym == donor.pid
    assert (donor.birth_year, donor.birth_month, donor.sex, donor.status) == (1970, 3, "female", "active")
    second = register(
        given_names="Paul",
        family_name="Weber",
        date_of_birth=date(1981, 11, 2),
        hospital_id="",
        national_id="",
        email="",
    ).donor
    assert PseudonymDomain.objects.filter(biobank=biobank_a).count() == 1
    assert second.pid != donor.pid


def test_the_vault_row_belongs_to_the_donor_and_reads_back(register):
    donor = register().donor
    record = IdentityRecord.objects.get(donor=donor)
    assert record.subject_ref == donor.subject_ref
    identity = services.identity_of(record)
    assert identity.family_name == "Schmidt" and identity.date_of_birth == date(1970, 3, 7)
    assert identity.hospital_id == "MRN-0012345" and identity.email == "jane.schmidt@example.org"


def test_the_audit_event_masks_every_identifying_value(register, consent_officer_a):
    donor = register().donor
    event = AuditOutbox.objects.get(action="donor.register")
    assert event.object_id == str(donor.pk) and event.actor_label == consent_officer_a.email
    assert event.changes["pid"] == [None, donor.pid_display]
    assert event.changes["family_name"] == [None, "S***"]
    assert event.changes["email"] == [None, "j***@example.org"]
    assert event.changes["hospital_id"] == [None, "M***"]
    text = str(event.changes) + str(event.details)
    for secret in ("Schmidt", "Jane", "MRN-0012345", "1970-03-07", "Hauptstraße", "1234567", "T22000129"):
        assert secret not in text


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"family_name": "  "}, "family_name", "enter the donor's family name"),
        ({"given_names": ""}, "given_names", "enter the donor's given names"),
        ({"date_of_birth": None}, "date_of_birth", "enter the donor's date of birth"),
        ({"date_of_birth": "07.03.1970"}, "date_of_birth", "use YYYY-MM-DD"),
        ({"date_of_birth": timezone.localdate() + timedelta(days=1)}, "date_of_birth", "in the future"),
        ({"date_of_birth": date(1899, 12, 31)}, "date_of_birth", "before 1900"),
        ({"email": "jane-at-example"}, "email", "not a valid e-mail address"),
        ({"phone": "call me"}, "phone", "digits"),
        ({"hospital_id": "X" * 65}, "hospital_id", "at most 64 characters"),
        ({"sex": "robot"}, "sex", "choose one of female, male"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(register, changes, field, words):
    with pytest.raises(DomainError) as raised:
        register(**changes)
    assert raised.value.field == field and words in raised.value.message
    assert not Donor.objects.exists() and not IdentityRecord.objects.exists() and not DuplicateReview.objects.exists()
    assert not AuditOutbox.objects.filter(action__startswith="donor").exists()
    assert not PseudonymDomain.objects.exists()


def test_only_people_who_manage_consent_may_register(register, technician_a, steward_a):
    for person in (technician_a, steward_a):
        with pytest.raises(PermissionDenied):
            register(actor=person)
    assert not Donor.objects.exists()


def test_a_consent_officer_of_another_biobank_may_not_register_here(register, consent_officer_b):
    with pytest.raises(PermissionDenied):
        register(actor=consent_officer_b)


def test_the_same_person_in_two_biobanks_is_two_unlinkable_donors(register, biobank_b, consent_officer_b):
    a = register().donor
    b = register(actor=consent_officer_b, biobank=biobank_b).donor
    assert a.biobank_id != b.biobank_id and a.pid != b.pid
    assert not DuplicateReview.objects.exists()
    assert JANE["family_name"]  # the same identity in both
