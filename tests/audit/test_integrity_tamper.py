"""Tampering is detected: an altered row at its exact seq, a deleted row, a rewritten chain, a truncated tail."""

from __future__ import annotations

from django.db import connection

from biobank.audit.canonical import GENESIS_HASH, canonical_entry, content_select, entry_hash
from biobank.audit.models import AuditEvent
from biobank.audit.services import audit_verify, checkpoint_write
from tests.audit.conftest import as_superuser
from tests.audit.factories import chain_of


def rewrite_chain_from(seq: int) -> None:
    """What an attacker with superuser rights would do: alter an entry and recompute every hash after it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT hash FROM audit_auditevent WHERE seq = %s", [seq - 1])
        prev = cursor.fetchone()[0] if seq > 1 else GENESIS_HASH
        cursor.execute(
            f"SELECT seq, to_char(chained_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
            f"{content_select()} FROM audit_auditevent WHERE seq >= %s ORDER BY seq",
            [seq],
        )
        rows = cursor.fetchall()
    for row in rows:
        digest = entry_hash(prev, canonical_entry(*row))
        as_superuser("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, digest, row[0]])
        prev = digest


def test_an_intact_chain_verifies(db):
    chain_of(30)
    checkpoint_write()
    result = audit_verify()
    assert result.ok, result.message
    assert (result.count, result.first_seq, result.last_seq, result.checkpoint_seq) == (30, 1, 30, 30)


def test_a_row_altered_through_raw_sql_is_detected_at_its_exact_seq(db):
    chain_of(40)
    as_superuser("UPDATE audit_auditevent SET changes = %s WHERE seq = 23", ['{"name":["old 22","forged"]}'])
    result = audit_verify()
    assert not result.ok
    assert (result.broken_seq, result.reason, result.count) == (23, "hash_mismatch", 22)
    assert "entry 23 was altered" in result.message


def test_an_altered_row_with_a_recomputed_hash_is_reported_at_its_own_seq(db):
    chain_of(10)
    as_superuser("UPDATE audit_auditevent SET actor_label = 'someone-else' WHERE seq = 4")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT seq, to_char(chained_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
            f"{content_select()}, prev_hash FROM audit_auditevent WHERE seq = 4"
        )
        row = cursor.fetchone()
    as_superuser(
        "UPDATE audit_auditevent SET hash = %s WHERE seq = 4", [entry_hash(row[-1], canonical_entry(*row[:-1]))]
    )
    result = audit_verify()
    # its signature covers the old hash (issue 9, item 9: the first bad seq, not the next link)
    assert (result.broken_seq, result.reason) == (4, "mac_mismatch")


def test_a_deleted_row_is_detected(db):
    chain_of(20)
    as_superuser("DELETE FROM audit_auditevent WHERE seq = 11")
    result = audit_verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, 11, "gap")
    assert "entry 11 is missing" in result.message


def test_a_deleted_first_row_is_detected(db):
    chain_of(5)
    as_superuser("DELETE FROM audit_auditevent WHERE seq = 1")
    assert (audit_verify().broken_seq, audit_verify().reason) == (1, "gap")


def test_a_rewrite_of_the_whole_chain_is_detected_against_the_checkpoint(db):
    chain_of(30)
    checkpoint_write()
    chain_of(10)
    as_superuser("UPDATE audit_auditevent SET reason = 'covering my tracks' WHERE seq = 12")
    rewrite_chain_from(12)
    # the recomputed hashes carry the old signatures: the first rewritten entry is reported, checkpoint or not
    assert (audit_verify(checkpoint=[]).broken_seq, audit_verify(checkpoint=[]).reason) == (12, "mac_mismatch")
    result = audit_verify()
    assert not result.ok
    assert (result.broken_seq, result.reason) == (12, "mac_mismatch")
    # blanking the signatures too (posing as entries chained before they existed) meets the checkpoint
    as_superuser("UPDATE audit_auditevent SET mac = '' WHERE seq >= 12")
    result = audit_verify()
    assert (result.broken_seq, result.reason) == (12, "checkpoint_mismatch")
    assert "rewritten after seq 11" in result.message


def test_cutting_off_the_tail_is_detected_against_the_checkpoint(db):
    chain_of(15)
    checkpoint_write()
    as_superuser("DELETE FROM audit_auditevent WHERE seq > 12")
    result = audit_verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, 13, "missing_rows")


def test_emptying_the_log_is_detected_against_the_checkpoint(db):
    chain_of(3)
    checkpoint_write()
    as_superuser("DELETE FROM audit_auditevent")
    assert audit_verify().reason == "missing_rows"


def test_verifying_from_the_checkpoint_checks_only_the_entries_after_it(db):
    chain_of(25)
    checkpoint_write()
    chain_of(5)
    result = audit_verify(from_checkpoint=True)
    assert result.ok, result.message
    assert (result.first_seq, result.count) == (25, 6)
    as_superuser("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 28")
    assert audit_verify(from_checkpoint=True).broken_seq == 28


def test_a_forged_checkpoint_line_fails_verification(db, settings):
    chain_of(5)
    checkpoint_write()
    with open(settings.AUDIT_CHECKPOINT_PATH, "a") as handle:
        handle.write(
            '{"hash":"' + "f" * 64 + '","kid":"x","mac":"' + "0" * 64 + '","seq":5,"time":"2030-01-01T00:00:00Z"}\n'
        )
    result = audit_verify()
    assert (result.ok, result.reason, result.broken_seq) == (False, "bad_checkpoint", None)
    assert "line 2" in result.message


def test_values_with_tabs_backslashes_and_unicode_verify(db):
    from django.db import transaction

    from biobank.audit.services import audit_drain, audit_record

    with transaction.atomic():
        audit_record(
            actor="system:test",
            action="thing.touch",
            reason='tab\there, newline\nthere, back\\slash, "quotes", \\N, ümlaut, 数据, emoji 🧪',
            changes={"note": ["a\tb", "c\\d"]},
        )
    audit_drain()
    assert AuditEvent.objects.count() == 1
    result = audit_verify()
    assert result.ok, result.message
    assert result.count == 1
