"""Adversarial review of issue 13 (branch ``review``): the disposal worklist and the material block against
re-consent. Each test reproduces a finding of the adversarial review; each is fixed; the test keeps it so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from biobank.errors import ConflictError
from consent.gate import decisions_for
from consent.withdrawal_effects import withdrawn_donor_ids
from specimens.models import Specimen
from specimens.selectors.specimens import shipments_awaiting_decision, worklist
from specimens.services import specimens_consent_unblock, specimens_ship
from tests.consent.clock import clock  # noqa: F401  (fixture)
from tests.consent.factories import record
from tests.specimens.factories import consent_officer, consented_donor, make_collection, make_specimen
from tests.specimens.withdrawal_helpers import withdraw

pytestmark = pytest.mark.django_db

ALL = {"use": "accepted", "transfer": "accepted", "recontact": "accepted"}


def _to_dispose(biobank) -> set[int]:
    return set(worklist(Specimen.objects.filter(biobank=biobank), "to_dispose").values_list("pk", flat=True))


def _resign(donor) -> None:
    from tests.specimens.factories import material_catalogue

    record(consent_officer(donor.biobank), donor, material_catalogue(donor.biobank), choices=ALL)


def test_no_further_access_after_a_lifted_no_further_use_does_not_put_material_on_the_disposal_list(
    biobank_a,
    clock,  # noqa: F811
):
    now = timezone.now()
    clock(now - timedelta(days=20))
    donor = consented_donor(biobank_a)
    specimen = make_specimen(collection=make_collection(biobank_a), donor=donor)
    clock(now - timedelta(days=15))
    withdraw(donor, "no_further_use")
    assert specimen.pk in _to_dispose(biobank_a)
    clock(now - timedelta(days=10))
    _resign(donor)  # the donor changes their mind and signs again
    clock(now - timedelta(days=9))
    assert specimen.pk not in _to_dispose(biobank_a)  # correct: the re-consent lifts the "no further use"
    clock(now - timedelta(days=5))
    withdraw(donor, "no_further_access")  # keep my samples, release nothing new
    clock(now)

    # "No further access" keeps the material: it must not be on the destruction list.
    assert specimen.pk not in _to_dispose(biobank_a)


def test_a_reconsent_on_the_day_of_the_withdrawal_lifts_the_block_as_the_gate_does(biobank_a):
    donor = consented_donor(biobank_a)
    specimen = make_specimen(collection=make_collection(biobank_a), donor=donor)
    withdraw(donor, "no_further_use")
    _resign(donor)  # same day: a mistaken click, then signed again

    assert decisions_for(donor=donor.pk, codes={"biomat-use"}, at=timezone.localdate())["biomat-use"].state == (
        "accepted"
    )
    problems = []
    if donor.pk in withdrawn_donor_ids([donor.pk]):
        problems.append("withdrawn_donor_ids still says withdrawn")
    if specimen.pk in _to_dispose(biobank_a):
        problems.append("still on the disposal worklist")
    try:
        specimens_consent_unblock(actor=None, specimens=[specimen], reason="Donor signed again")
    except ConflictError:
        problems.append("staff cannot unblock: 'the withdrawal still stands'")
    assert not problems, problems


def test_a_shipment_after_a_lifted_withdrawal_awaits_no_decision(biobank_a, clock):  # noqa: F811
    now = timezone.now()
    clock(now - timedelta(days=10))
    donor = consented_donor(biobank_a)
    specimen = make_specimen(collection=make_collection(biobank_a), donor=donor)
    clock(now - timedelta(days=9))
    withdraw(donor, "no_further_access")
    clock(now - timedelta(days=5))
    _resign(donor)
    clock(now)
    specimens_consent_unblock(actor=None, specimens=[specimen], reason="Donor signed again")
    specimens_ship(actor=None, specimens=[specimen], purpose="GRU", recipient="Lab X", reason="Study Z")

    assert specimen.pk not in set(
        shipments_awaiting_decision(Specimen.objects.filter(biobank=biobank_a)).values_list("pk", flat=True)
    )
