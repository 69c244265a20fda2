"""A donor's withdrawal recorded by the consent officer and propagated at once (as the worker would after commit)."""

from __future__ import annotations

from django.utils import timezone

from consent import services as consent_services
from consent.models import Donor, WithdrawalPropagation
from consent.services.propagation import withdrawal_propagate
from tests.specimens.factories import consent_officer


def withdraw(donor: Donor, level: str = "no_further_use") -> WithdrawalPropagation:
    consent_services.donor_withdraw(
        actor=consent_officer(donor.biobank),
        donor=donor,
        level=level,
        effective=timezone.localdate(),
        reason="Letter of the donor",
    )
    row = WithdrawalPropagation.objects.filter(donor_ids__contains=[donor.pk]).latest("pk")
    withdrawal_propagate(propagation_id=row.pk)
    row.refresh_from_db()
    return row
