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
