"""A staff decision about a specimen shipped before its donor withdrew: an event and an audit record, all or none."""

from __future__ import annotations

import pytest

from biobank.accounts.choices import Role
from biobank.audit.models import AuditOutbox
from biobank.errors import ConflictError, DomainError, ForbiddenError
from specimens.models import Specimen, SpecimenEvent
from specimens.services import specimens_ship
from specimens.services.withdrawals import shipment_decision_record
from tests.accounts.factories import make_member
from tests.specimens.factories import consented_donor, make_collection, make_specimen
from tests.specimens.withdrawal_helpers import withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(biobank_a):
    donor = consented_donor(biobank_a)
    collection = make_collection(biobank_a)
    specimens = [make_specimen(collection=collection, donor=donor) for _ in range(2)]
    specimens_ship(actor=None, specimens=specimens, purpose="GRU", recipient="Lab X")
    withdraw(donor)
    return specimens


def test_the_decision_is_an_event_of_each_specimen_with_its_audit_record(biobank_a, shipped):
    technician = make_member(biobank_a, Role.TECHNICIAN, email="tech@example.org")

    shipment_decision_record(actor=technician, specimens=shipped, decision="recall", note="Asked Lab X by phone")

    events = SpecimenEvent.objects.filter(type="withdrawal_decision").order_by("specimen_id")
    assert [e.specimen_id for e in events] == [s.pk for s in shipped]
    assert all(e.details == {"decision": "recall"} and e.note == "Asked Lab X by phone" for e in events)
    assert AuditOutbox.objects.filter(action="specimen.withdrawal_decision").count() == 2
    assert set(Specimen.objects.filter(pk__in=[s.pk for s in shipped]).values_list("status", flat=True)) == {
        "distributed"
    }


@pytest.mark.parametrize(
    ("decision", "note", "field"),
    [("burn", "note", "decision"), ("keep", "  ", "note")],
)
def test_an_unknown_decision_or_a_missing_note_is_refused_at_its_field(shipped, decision, note, field):
    with pytest.raises(DomainError) as error:
        shipment_decision_record(actor=None, specimens=shipped, decision=decision, note=note)
    assert error.value.field == field
    assert not SpecimenEvent.objects.filter(type="withdrawal_decision").exists()


def test_no_specimen_is_refused(shipped):
    with pytest.raises(DomainError, match="at least one specimen"):
        shipment_decision_record(actor=None, specimens=[], decision="keep", note="n")


def test_a_specimen_not_shipped_is_a_conflict_and_nothing_is_recorded(biobank_a, shipped):
    here = make_specimen(collection=make_collection(biobank_a))
    with pytest.raises(ConflictError, match="not shipped"):
        shipment_decision_record(actor=None, specimens=[*shipped, here], decision="destroy", note="n")
    assert not SpecimenEvent.objects.filter(type="withdrawal_decision").exists()


def test_someone_who_may_not_change_specimens_is_forbidden(biobank_a, shipped):
    officer = make_member(biobank_a, Role.CONSENT_OFFICER, email="officer2@example.org")
    with pytest.raises(ForbiddenError):
        shipment_decision_record(actor=officer, specimens=shipped, decision="keep", note="n")
