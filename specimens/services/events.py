"""Recording chain-of-custody events: one row per step, never changed (the database refuses UPDATE/DELETE)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone

from biobank.accounts.principals import Actor, principal_of

from ..models import Specimen, SpecimenEvent


def actor_label(actor: Actor) -> str:
    """How an event names who acted: the person's e-mail/username, the token's name, or the system job."""
    if isinstance(actor, str):
        return actor
    principal = principal_of(actor)
    if principal is None:
        return "system"
    return str(principal.get_username() if hasattr(principal, "get_username") else principal)[:254]


def event_add(
    *,
    actor: Actor,
    specimen: Specimen,
    type: str,
    occurred_at: datetime | None = None,
    details: Mapping[str, Any] | None = None,
    note: str = "",
) -> SpecimenEvent:
    """Append one event to ``specimen``'s timeline (the caller's transaction records the audit event)."""
    return SpecimenEvent.objects.create(
        specimen=specimen,
        biobank_id=specimen.biobank_id,
        type=type,
        occurred_at=occurred_at or timezone.now(),
        actor_label=actor_label(actor),
        details=dict(details or {}),
        note=note,
    )


def events_add_many(
    *,
    actor: Actor,
    specimens: Iterable[Specimen],
    type: str,
    occurred_at: datetime | None = None,
    details: Mapping[str, Any] | None = None,
    details_of: Mapping[int, Mapping[str, Any]] | None = None,
    note: str = "",
) -> int:
    """The same event for many specimens in one INSERT (bulk moves, blocks, aliquots)."""
    when, label = occurred_at or timezone.now(), actor_label(actor)
    rows = [
        SpecimenEvent(
            specimen=specimen,
            biobank_id=specimen.biobank_id,
            type=type,
            occurred_at=when,
            actor_label=label,
            details={**(details or {}), **((details_of or {}).get(specimen.pk) or {})},
            note=note,
        )
        for specimen in specimens
    ]
    SpecimenEvent.objects.bulk_create(rows)
    return len(rows)
