"""The clocks of the consent tests: the portal's (``timezone.now``) and the database's (``consent_clock()``).

The database, not the client, sets ``recorded_at`` on history rows (docs/consent.md, "Database guards"); a test that
moves the portal's clock must move the database's too. ``clock`` is a fixture of every consent test (conftest.py).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.utils import timezone

__all__ = ["clock", "set_database_clock"]


def set_database_clock(when: datetime | None) -> None:
    """Set the database's clock for history rows (``consent_clock()``, see docs/consent.md "Database guards").

    The database, not the client, sets ``recorded_at``; a test that moves the portal's clock must move this one too.
    The function is replaced inside the test's transaction (rolled back with it); ``None`` restores the real clock.
    Only the owner of the schema can do this, never the application's role.
    """
    body = "SELECT statement_timestamp()" if when is None else f"SELECT timestamptz '{when.isoformat()}'"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION consent_clock() RETURNS timestamptz AS $$ {body} $$ LANGUAGE sql STABLE"
        )


@pytest.fixture
def clock(monkeypatch, db):
    """Set the portal's clock and the database's: ``clock(aware datetime)``."""

    def set_to(when: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: when)
        set_database_clock(when)

    yield set_to
    if not connection.in_atomic_block:  # a transactional test: nothing rolls the replaced function back
        set_database_clock(None)
