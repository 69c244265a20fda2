"""A drain reads the log through its primary key, never scanning it: its cost must not grow with the log's depth.

Before audit migration 0008 the append trigger asked ``EXISTS (… WHERE seq > hi)``; PL/pgSQL ran it with a generic
plan, a sequential scan of the whole log that never finds a row, on every drained batch — the drain after each
request took 1 ms on an empty log, 24 ms at 100,000 entries and 62 ms at 300,000 (docs/performance.md, "Fifth
pass"). Timings are not asserted here; the scans are counted instead (``pg_stat_xact_user_tables``, this
transaction's own counters), with PL/pgSQL made to use its generic plans from the first call.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from biobank.audit.services import audit_drain
from tests.audit.factories import record_events

pytestmark = pytest.mark.django_db


def _log_scans() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(seq_scan, 0), coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables "
            "WHERE relname = 'audit_auditevent'"
        )
        return cursor.fetchone()


def test_drains_after_single_writes_never_scan_the_log(biobank_a):
    record_events(3000, biobank=biobank_a)
    audit_drain()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")  # as PL/pgSQL soon plans on its own
    seq_before, index_before = _log_scans()

    for _write in range(8):
        with transaction.atomic():
            record_events(1, biobank=biobank_a)
        assert audit_drain() == 1

    seq_after, index_after = _log_scans()
    assert seq_after == seq_before, "a drain scanned the whole audit log"
    assert index_after > index_before  # the head was read, by key
