"""Fixtures of the audit-trail tests: a private checkpoint file and key, a helper to tamper like a superuser would
(events to tamper with: tests/audit/factories.py)."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _private_checkpoints(settings, tmp_path):
    """Each test signs into its own checkpoint file with its own key, never into var/."""
    settings.AUDIT_CHECKPOINT_PATH = str(tmp_path / "audit-checkpoints.log")
    settings.AUDIT_HMAC_KEY_FILE = tmp_path / "keys" / "audit-hmac.key"
    settings.AUDIT_HMAC_KEY_AUTOCREATE = True
    settings.AUDIT_CHECKPOINT_SYSLOG = False


def as_superuser(sql: str, params: list | None = None) -> None:
    """Run SQL on the log with its trigger disabled, as a database superuser could (inside the test transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params or [])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
