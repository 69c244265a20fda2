"""Status changes: the consent gate decides what can leave; a withdrawal blocks the donor's specimens."""

from __future__ import annotations

import pytest
from django.utils import timezone

from biobank.audit.models import AuditOutbox
from biobank.errors import ConflictError, DomainError
from consent import services as consent_services
from specimens.models import Specimen, SpecimenEvent
from specimens.services import (
    AliquotPlan,
    specimens_aliquot,
    specimens_consent_unblock,
    specimens_consume,
    specimens_dispose,
    specimens_release_reservation,
    specimens_reserve,
    specimens_return,
    specimens_ship,
)
from tests.accounts.factories import make_biobank
from tests.specimens.factories import consented_donor, make_collection, make_specimen

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection():
    return make_collection(make_biobank())


def _specimen(collection, **choices):
    return make_specimen(collection=collection, donor=consented_donor(collection.biobank, **choices))


def test_a_reservation_the_consent_permits_records_the_gates_answer_on_the_event(collection):
    specimen = _specimen(collection)
    specimens_reserve(actor=None, specimens=[specimen], purpose="GRU", reason="Study 7")
    specimen.refresh_from_db()
    assert specimen.status == "reserved"
    event = SpecimenEvent.objects.get(specimen=specimen, type="reserved")
    assert event.details["gate"]["answer"] == "permitted"
    assert event.details["gate"]["consents"]
    assert AuditOutbox.objects.filter(action="specimen.status", object_id=str(specimen.pk)).exists()


def test_a_reservation_the_consent_does_not_permit_reserves_nothing(collection):
    allowed = _specimen(collection)
    declined = _specimen(collection, use="declined")
    with pytest.raises(DomainError) as error:
        specimens_reserve(actor=None, specimens=[allowed, declined], purpose="GRU", reason="Study 7")
    assert error.value.code == "consent"
    assert declined.barcode in str(error.value)
    assert set(Specimen.objects.filter(pk__in=[allowed.pk, declined.pk]).values_list("status", flat=True)) == {
        "available"
    }


def test_a_donor_without_any_consent_is_denied(collection):
    specimen = make_specimen(collection=collection)
    with pytest.raises(DomainError):
        specimens_reserve(actor=None, specimens=[specimen], purpose="GRU", reason="x")


def test_a_shipment_asks_about_transfer_not_use(collection):
    no_transfer = _specimen(collection, transfer="declined")
    specimens_reserve(actor=None, specimens=[no_transfer], purpose="GRU", reason="x")
    with pytest.raises(DomainError) as error:
        specimens_ship(actor=None, specimens=[no_transfer], purpose="GRU", recipient="Lab B")
    assert error.value.code == "consent"
    ok = _specimen(collection)
    specimens_ship(actor=None, specimens=[ok], purpose="GRU", recipient="Lab B")
    ok.refresh_from_db()
    assert ok.status == "distributed"
    assert SpecimenEvent.objects.get(specimen=ok, type="shipped").details["recipient"] == "Lab B"


def test_a_shipped_specimen_comes_back_available_and_a_reservation_can_be_released(collection):
    specimen = _specimen(collection)
    specimens_ship(actor=None, specimens=[specimen], purpose="GRU", recipient="Lab B")
    specimens_return(actor=None, specimens=[specimen])
    specimen.refresh_from_db()
    assert specimen.status == "available"
    specimens_reserve(actor=None, specimens=[specimen], purpose="GRU", reason="x")
    specimens_release_reservation(actor=None, specimens=[specimen], reason="study cancelled")
    specimen.refresh_from_db()
    assert specimen.status == "available"


def test_a_withdrawal_blocks_every_specimen_of_the_donor_aliquots_included(
    collection, django_capture_on_commit_callbacks
):
    donor = consented_donor(collection.biobank)
    primary = make_specimen(
        collection=collection, donor=donor, quantity="5", aliquots=AliquotPlan(count=3, quantity=1, unit="mL")
    )
    with django_capture_on_commit_callbacks(execute=True):  # the propagation runs after commit
        consent_services.donor_withdraw(
            actor=None, donor=donor, level="no_further_use", effective=timezone.localdate(), reason="Letter of 1 Dec"
        )
    statuses = set(Specimen.objects.filter(donor=donor).values_list("status", flat=True))
    assert statuses == {"consent_blocked"}
    assert SpecimenEvent.objects.filter(specimen__donor=donor, type="consent_blocked").count() == 4
    with pytest.raises(ConflictError):
        specimens_reserve(actor=None, specimens=[primary], purpose="GRU", reason="x")
    with pytest.raises(DomainError):
        specimens_aliquot(actor=None, parent=primary, count=1, quantity=1, unit="mL")


def test_a_withdrawal_of_contact_only_blocks_nothing(collection, django_capture_on_commit_callbacks):
    donor = consented_donor(collection.biobank)
    specimen = make_specimen(collection=collection, donor=donor)
    with django_capture_on_commit_callbacks(execute=True):
        consent_services.donor_withdraw(
            actor=None, donor=donor, level="no_further_contact", effective=timezone.localdate(), reason="Phone call"
        )
    specimen.refresh_from_db()
    assert specimen.status == "available"


def test_a_specimen_registered_after_a_withdrawal_is_blocked_from_the_start(collection):
    donor = consented_donor(collection.biobank)
    consent_services.donor_withdraw(
        actor=None, donor=donor, level="no_further_access", effective=timezone.localdate(), reason="Letter"
    )
    assert make_specimen(collection=collection, donor=donor).status == "consent_blocked"


def test_a_block_stays_while_the_withdrawal_stands(collection):
    donor = consented_donor(collection.biobank)
    specimen = make_specimen(collection=collection, donor=donor)
    consent_services.donor_withdraw(
        actor=None, donor=donor, level="no_further_use", effective=timezone.localdate(), reason="Letter"
    )
    with pytest.raises(ConflictError):
        specimens_consent_unblock(actor=None, specimens=[specimen], reason="mistake?")


def test_disposal_and_consumption_need_a_reason_and_are_final(collection):
    specimen = make_specimen(collection=collection)
    with pytest.raises(DomainError):
        specimens_dispose(actor=None, specimens=[specimen], reason=" ")
    specimens_dispose(actor=None, specimens=[specimen], reason="tube cracked")
    specimen.refresh_from_db()
    assert specimen.status == "destroyed"
    with pytest.raises(ConflictError):
        specimens_consume(actor=None, specimens=[specimen], reason="assay")
