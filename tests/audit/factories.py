"""Factories of the audit app (biobank/audit/): events recorded through the real service, and drained into the chain."""

from __future__ import annotations

from django.db import transaction

from biobank.audit.services import audit_drain, audit_record


def record_events(count: int, *, action: str = "collection.update", biobank=None) -> None:
    """``count`` events in one transaction, straight into the outbox."""
    with transaction.atomic():
        for number in range(count):
            audit_record(
                actor="system:test",
                action=action,
                object_type="catalog.collection",
                object_id=number,
                biobank=biobank,
                changes={"name": [f"old {number}", f"new {number}"]},
            )


def chain_of(count: int, **kwargs) -> None:
    record_events(count, **kwargs)
    audit_drain()
