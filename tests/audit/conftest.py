"""Fixtures of the audit-trail tests: a private checkpoint file and key, helpers to tamper like a superuser would."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from biobank.audit.services import audit_drain, audit_record


@pytest.fixture(autouse=True)
def _private_checkpoints(settings, tmp_path):
    """Each test signs into its own checkpoint file with its own key, never into var/."""
    settings.AUDIT_CHECKPOINT_PATH = str(tmp_path / "audit-checkpoints.log")
    settings.AUDIT_HMAC_KEY_FILE = tmp_path / "keys" / "audit-hmac.key"
    settings.AUDIT_HMAC_KEY_AUTOCREATE = True
    settings.AUDIT_CHECKPOINT_SYSLOG = False


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


def as_superuser(sql: str, params: list | None = None) -> None:
    """Run SQL on the log with its trigger disabled, as a database superuser could (inside the test transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params or [])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
