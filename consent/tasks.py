"""Thin Celery tasks of the consent app: ids over JSON, late acknowledgement, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="consent.vault_rotate", acks_late=True, ignore_result=True)
def vault_rotate(*, batch_size: int = 500) -> int:
    """Re-encrypt the identity vault under the current key (after ``keys_add``); repeatable, batch by batch."""
    from .services.identity import identity_vault_rotate

    return identity_vault_rotate(actor="system:vault-rotate", batch_size=batch_size)
