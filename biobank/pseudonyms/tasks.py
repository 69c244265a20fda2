"""Background work on pseudonyms: thin tasks that take ids and call one service."""

from __future__ import annotations

from celery import shared_task

from . import services

BATCHES_PER_TASK = 20  # 20 batches of 5,000 subjects, then the task hands over to a fresh one


@shared_task(acks_late=True, max_retries=5, default_retry_delay=60, autoretry_for=(OSError,))
def repseudonymise_domain(*, domain_id: int, key_version: int) -> None:
    """Re-pseudonymise a domain's subjects into ``key_version`` after a rotation; safe to run twice."""
    for _ in range(BATCHES_PER_TASK):
        if not services.domain_repseudonymise_batch(domain_id=domain_id, key_version=key_version):
            return
    repseudonymise_domain.delay(domain_id=domain_id, key_version=key_version)


@shared_task(name="pseudonyms.repseudonymise_pending", acks_late=True, ignore_result=True)
def repseudonymise_pending(*, older_than_seconds: int = 600) -> int:
    """Periodic catch-up: re-queue the job of every domain still unfinished some time after its rotation.

    The rotation is recorded (the domain's ``current_key_version``); a job whose dispatch was lost (broker down at
    commit) or that died leaves subjects holding only pseudonyms of an older version. The job is idempotent, so
    queuing it for a domain whose job is merely slow costs one pass over nothing.
    """
    from biobank.ops.after_commit import publish

    pending = services.domains_awaiting_repseudonymisation(older_than_seconds=older_than_seconds)
    for domain_id, key_version in pending:
        publish(repseudonymise_domain, domain_id=domain_id, key_version=key_version)
    return len(pending)
