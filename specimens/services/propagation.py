"""The specimens app's part of a withdrawal's propagation (``consent.services.propagation``), besides the block
itself (``status.specimens_consent_block``): the facts of the donor's collections are recomputed, and the numbers
of shipped specimens that need a staff decision and of specimens to destroy are recorded on the propagation (the
worklists themselves are live queries over the donors' withdrawals, so material processed later appears on them).
"""

from __future__ import annotations

from biobank.accounts.principals import Actor
from consent.withdrawal_effects import Withdrawal

from ..catalog_facts import facts_changed
from ..choices import SpecimenStatus
from ..models import Specimen

S = SpecimenStatus
# Still in the biobank, so still to be destroyed after "no further use".
PHYSICALLY_HERE = (S.AVAILABLE, S.RESERVED, S.CONSENT_BLOCKED)


def specimens_catalogue_facts(*, actor: Actor, withdrawal: Withdrawal) -> dict[str, int]:
    """Mark the facts of every collection holding the donor's specimens as out of date and have them recomputed
    after commit: the public counts no longer include material that may not be used."""
    from catalog.facts.engine import mark_stale

    collections = sorted(
        set(
            Specimen.objects.filter(donor_id__in=withdrawal.donor_ids, collection__isnull=False).values_list(
                "collection_id", flat=True
            )
        )
    )
    if collections:
        mark_stale(collections)
        facts_changed()
    return {"collections": len(collections)}


def specimens_withdrawal_worklists(*, actor: Actor, withdrawal: Withdrawal) -> dict[str, int]:
    """How many of the donor's specimens the technicians must destroy ("no further use") and how many shipped ones
    wait for a staff decision (material blocked while at a recipient)."""
    mine = Specimen.objects.filter(donor_id__in=withdrawal.donor_ids)
    to_dispose = mine.filter(status__in=PHYSICALLY_HERE).count() if withdrawal.destroys_material else 0
    shipped = mine.filter(status=S.DISTRIBUTED).count() if withdrawal.blocks_material else 0
    return {"to_dispose": to_dispose, "shipments_to_decide": shipped}
