"""Sensitive reads of the donor registry: a PID typed into the global search (found or not) and an export of a
donor list, each recorded in the trail."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction

from biobank.accounts.models import Biobank
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


@transaction.atomic
def donors_export_record(*, actor: Actor, biobank: Biobank, filters: Mapping[str, str], export_format: str) -> None:
    """One ``donor.export`` event in the biobank's trail, before the first row of a donor list export leaves."""
    _audit(
        actor=actor,
        action="donor.export",
        object_type="consent.donor",
        object_id="",
        biobank=biobank,
        details={"filters": dict(filters), "format": export_format},
    )
