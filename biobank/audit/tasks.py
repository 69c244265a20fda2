"""Thin Celery tasks of the audit trail: JSON arguments, late acknowledgement, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="audit.drain", acks_late=True, ignore_result=True)
def drain(*, batch_size: int = services.DEFAULT_BATCH_SIZE) -> int:
    """Chain pending outbox events. Queued after each commit that recorded events, and every minute by beat."""
    return services.audit_drain(batch_size=batch_size, max_batches=200)


@shared_task(name="audit.checkpoint", acks_late=True, ignore_result=True)
def checkpoint() -> int | None:
    """Sign the chain head into the checkpoint sink (every minute; the drain signs too when a minute has passed)."""
    written = services.checkpoint_write()
    return written.seq if written else None


@shared_task(name="audit.verify", acks_late=True, ignore_result=True)
def verify() -> bool:
    """Nightly: verify the whole chain against the checkpoints, store the result, alert people when it is broken."""
    services.audit_drain()
    return services.audit_verification_run(actor="system:nightly-verify").ok
