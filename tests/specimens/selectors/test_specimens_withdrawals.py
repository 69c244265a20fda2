"""The disposal worklist and the shipments awaiting a decision are live reads over withdrawn donors."""

from __future__ import annotations

import pytest

from specimens.models import Specimen
from specimens.selectors.specimens import shipments_awaiting_decision, worklist
from specimens.services import AliquotPlan, specimens_ship
from specimens.services.withdrawals import shipment_decision_record
from tests.specimens.factories import consented_donor, make_collection, make_specimen
from tests.specimens.withdrawal_helpers import withdraw

pytestmark = pytest.mark.django_db


def _biobank_specimens(biobank):
    return Specimen.objects.filter(biobank=biobank)


def test_only_specimens_of_donors_who_withdrew_with_no_further_use_are_to_dispose(biobank_a):
    collection = make_collection(biobank_a)
    gone, kept, untouched = (consented_donor(biobank_a) for _ in range(3))
    primary = make_specimen(collection=collection, donor=gone, aliquots=AliquotPlan(2, "0.5", "mL"))
    blocked_only = make_specimen(collection=collection, donor=kept)
    other = make_specimen(collection=collection, donor=untouched)
    withdraw(gone, "no_further_use")
    withdraw(kept, "no_further_access")

    listed = set(worklist(_biobank_specimens(biobank_a), "to_dispose").values_list("pk", flat=True))

    assert listed == {primary.pk, *primary.children.values_list("pk", flat=True)}
    assert blocked_only.pk not in listed and other.pk not in listed
    assert Specimen.objects.get(pk=blocked_only.pk).status == "consent_blocked"


def test_a_specimen_registered_after_the_withdrawal_is_on_the_list_too(biobank_a):
    donor = consented_donor(biobank_a)
    collection = make_collection(biobank_a)
    make_specimen(collection=collection, donor=donor)
    withdraw(donor)

    later = make_specimen(collection=collection, donor=donor)

    assert later.status == "consent_blocked"
    assert later.pk in set(worklist(_biobank_specimens(biobank_a), "to_dispose").values_list("pk", flat=True))


def test_a_disposed_specimen_leaves_the_list(biobank_a):
    from specimens.services import specimens_dispose

    donor = consented_donor(biobank_a)
    specimen = make_specimen(collection=make_collection(biobank_a), donor=donor)
    withdraw(donor)
    specimens_dispose(actor=None, specimens=[specimen], reason="Withdrawal: no further use")

    assert not worklist(_biobank_specimens(biobank_a), "to_dispose").exists()


def test_a_shipped_specimen_of_a_withdrawn_donor_awaits_a_decision_until_one_is_recorded(biobank_a):
    donor, other = consented_donor(biobank_a), consented_donor(biobank_a)
    collection = make_collection(biobank_a)
    shipped = make_specimen(collection=collection, donor=donor)
    shipped_other = make_specimen(collection=collection, donor=other)
    specimens_ship(actor=None, specimens=[shipped, shipped_other], purpose="GRU", recipient="Lab X")
    assert not shipments_awaiting_decision(_biobank_specimens(biobank_a)).exists()

    withdraw(donor, "no_further_access")

    assert list(shipments_awaiting_decision(_biobank_specimens(biobank_a))) == [shipped]
    shipment_decision_record(actor=None, specimens=[shipped], decision="keep", note="Used in March, lawful")
    assert not shipments_awaiting_decision(_biobank_specimens(biobank_a)).exists()


def test_a_withdrawal_of_contact_only_flags_no_shipment(biobank_a):
    donor = consented_donor(biobank_a)
    shipped = make_specimen(collection=make_collection(biobank_a), donor=donor)
    specimens_ship(actor=None, specimens=[shipped], purpose="GRU", recipient="Lab X")

    withdraw(donor, "no_further_contact")

    assert not shipments_awaiting_decision(_biobank_specimens(biobank_a)).exists()
