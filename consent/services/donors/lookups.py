"""A PID typed into the global search is a sensitive look-up: recorded in the trail, found or not."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from biobank.accounts.principals import Actor
from biobank.pseudonyms.checkchar import display

from ...models import Donor
from .access import _audit


@transaction.atomic
def donor_search_record(*, actor: Actor, pid: str, donors: Sequence[Donor]) -> None:
    """One ``donor.search`` event: the canonical ``pid`` asked and the donors it found (the person sees them).

    Written whether anything was found or not, so a PID of a biobank the person does not see costs the same as a
    PID nobody has. One found donor names its biobank and is the event's object (the donor's history shows it).
    """
    details = {"pid": display(pid), "found": [donor.pid_display for donor in donors]}
    if len(donors) == 1:
        _audit(actor=actor, action="donor.search", obj=donors[0], details=details)
    else:
        _audit(actor=actor, action="donor.search", object_type="consent.donor", object_id="", details=details)
