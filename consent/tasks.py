"""Thin Celery tasks of the consent app: ids over JSON, late acknowledgement, safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .choices import ConsentSource


@shared_task(name="consent.receipt_generate", acks_late=True, ignore_result=True, max_retries=5, default_retry_delay=60)
def receipt_generate(*, consent_id: int) -> str:
    """Make the PDF receipt of one consent (queued after the consent's transaction commits)."""
    from .services.consents import consent_receipt_generate

    return consent_receipt_generate(consent_id=consent_id).receipt_sha256


@shared_task(name="consent.receipts_missing", acks_late=True, ignore_result=True)
def receipts_missing(*, older_than_seconds: int = 60, limit: int = 500) -> int:
    """Periodic catch-up: receipts whose dispatch was lost (broker down at commit) are made here, in one batch."""
    from .models import Consent
    from .services.consents import consent_receipt_generate

    ids = list(
        Consent.objects.filter(
            source__in=[ConsentSource.ELECTRONIC, ConsentSource.DONOR_PORTAL],
            receipt_sha256="",
            recorded_at__lt=timezone.now() - timedelta(seconds=older_than_seconds),
        ).values_list("pk", flat=True)[:limit]
    )
    for consent_id in ids:
        consent_receipt_generate(consent_id=consent_id)
    return len(ids)


@shared_task(name="consent.vault_rotate", acks_late=True, ignore_result=True)
def vault_rotate(*, batch_size: int = 500) -> int:
    """Re-encrypt the identity vault under the current key (after ``keys_add``); repeatable, batch by batch."""
    from .services.identity import identity_vault_rotate

    return identity_vault_rotate(actor="system:vault-rotate", batch_size=batch_size)


@shared_task(
    name="consent.propagate_withdrawal", acks_late=True, ignore_result=True, max_retries=5, default_retry_delay=60
)
def propagate_withdrawal(*, propagation_id: int) -> bool:
    """Carry one recorded withdrawal to specimens, reservations, facts, requests and the donor (after commit)."""
    from .services.propagation import withdrawal_propagate

    return withdrawal_propagate(propagation_id=propagation_id)


@shared_task(name="consent.propagations_pending", acks_late=True, ignore_result=True)
def propagations_pending(*, older_than_seconds: int = 30, limit: int = 100) -> int:
    """Periodic catch-up: withdrawals whose propagation was not dispatched (broker down) or did not finish."""
    from .services.propagation import withdrawal_propagations_catch_up

    return withdrawal_propagations_catch_up(older_than=timedelta(seconds=older_than_seconds), limit=limit)
