"""Reception at the lab, scanned on the "received today" worklist: the ``received`` event, and the reception time
recorded on the specimen when it had none (so the specimen shows on today's list)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from biobank.accounts.principals import Actor

from ..choices import EventType
from ..models import Specimen, SpecimenEvent
from .processing import specimen_event_record, specimen_update


@transaction.atomic
def specimen_receive(*, actor: Actor, specimen: Specimen) -> SpecimenEvent:
    """One ``received`` event now (audited by ``specimen_event_record``); ``received_at`` set if it was empty
    (audited by ``specimen_update``). The reception time is not part of the SPREC code, which stays as it is."""
    now = timezone.now()
    event = specimen_event_record(actor=actor, specimen=specimen, type=EventType.RECEIVED, occurred_at=now)
    if specimen.received_at is None:
        specimen_update(actor=actor, specimen=specimen, received_at=now)
    return event
