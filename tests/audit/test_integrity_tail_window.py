"""The tail window is closed (issue 9, item 9): nothing after the latest checkpoint can be forged, rewritten,
renumbered or cut off unnoticed, and the head is signed within a minute, with or without a broker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from biobank.audit import integrity
from biobank.audit.canonical import canonical_entry, content_select, entry_hash
from biobank.audit.chaining import DRAIN_LOCK_KEY
from biobank.audit.checkpoints import checkpoints_read
from biobank.audit.integrity import checkpoint_clock
from biobank.audit.models import AuditEvent
from biobank.audit.services import audit_dispatch_wait, audit_drain, audit_record, audit_verify, checkpoint_write
from tests.audit.conftest import as_superuser
from tests.audit.factories import chain_of, record_events

_TS = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"


def forged_successor(*, action: str = "consent.withdraw") -> dict:
    """A well-formed next entry, as someone with the database's password but not the audit key would build it:
    seq = head + 1, linked to the head's hash, its own hash computed correctly, a signature made up."""
    head = AuditEvent.objects.order_by("-seq").first()
    seq, chained_at = head.seq + 1, "2030-01-01T00:00:00.000000Z"
    canon = canonical_entry(
        seq, chained_at, action, "", "system", "system", None, None, None, None, "", "", chained_at, "", "", "", ""
    )
    return {"seq": seq, "prev": head.hash, "hash": entry_hash(head.hash, canon), "action": action, "at": chained_at}


def insert(row: dict, *, mac: str = "ab" * 32, lock: bool = False) -> None:
    with connection.cursor() as cursor:
        if lock:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DRAIN_LOCK_KEY])
        cursor.execute(
            "INSERT INTO audit_auditevent (seq, prev_hash, hash, mac, chained_at, occurred_at, actor_type, actor_id,"
            " actor_label, on_behalf_of, action, object_type, object_id, reason, request_id, user_agent)"
            " VALUES (%s, %s, %s, %s, %s, %s, 'system', '', 'system', '', %s, '', '', '', '', '')",
            [row["seq"], row["prev"], row["hash"], mac, row["at"], row["at"], row["action"]],
        )


@pytest.mark.django_db(transaction=True)  # the drain's transaction ends (and releases the chain lock) as in life
def test_a_plain_insert_of_a_forged_event_is_refused():
    chain_of(5)
    with pytest.raises(DatabaseError, match="only by the drain"), transaction.atomic():
        insert(forged_successor())
    assert AuditEvent.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_the_chain_lock_held_shared_does_not_let_a_session_append():
    """One writer at a time: many sessions can hold the key's lock shared, so only the exclusive lock counts."""
    chain_of(3)
    with pytest.raises(DatabaseError, match="only by the drain"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [DRAIN_LOCK_KEY])
        insert(forged_successor())
    assert AuditEvent.objects.count() == 3


def test_a_forged_event_that_gets_past_the_database_is_reported_at_its_seq(db):
    """Holding the (public) lock number and computing the hash right is not enough: the signature needs the key."""
    chain_of(5)
    checkpoint_write()
    insert(forged_successor(), lock=True)
    result = audit_verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, 6, "mac_mismatch")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seq": 8}, "consecutively"),  # skips seq 6 and 7
        ({"prev": "0" * 64}, "link to the previous"),
    ],
)
def test_an_entry_that_does_not_extend_the_head_is_refused(db, change, message):
    chain_of(5)
    with pytest.raises(DatabaseError, match=message), transaction.atomic():
        insert({**forged_successor(), **change}, lock=True)


def test_an_unsigned_entry_is_refused(db):
    chain_of(3)
    with pytest.raises(DatabaseError, match="signature"), transaction.atomic():
        insert(forged_successor(), mac="", lock=True)


def test_an_entry_cannot_fill_a_hole_below_the_head(db):
    chain_of(6)
    row = AuditEvent.objects.filter(seq=3).values("seq", "prev_hash", "hash", "action").get()
    as_superuser("DELETE FROM audit_auditevent WHERE seq = 3")
    with pytest.raises(DatabaseError, match="consecutively"), transaction.atomic():
        insert(
            {"seq": 3, "prev": row["prev_hash"], "hash": row["hash"], "action": "x.y", "at": "2030-01-01"}, lock=True
        )


def renumber_from(seq: int, *, rehash: bool) -> None:
    """Delete entry ``seq`` and move every later entry down by one, as a superuser would to hide the deletion."""
    as_superuser("DELETE FROM audit_auditevent WHERE seq = %s", [seq])
    # Out of the way first, then down: one "seq - 1" would collide with a row not yet moved whenever the heap does
    # not hold the rows in seq order (the primary key is checked row by row).
    as_superuser("UPDATE audit_auditevent SET seq = seq + 999999 WHERE seq > %s", [seq])
    as_superuser("UPDATE audit_auditevent SET seq = seq - 1000000 WHERE seq > 1000000")
    if not rehash:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT hash FROM audit_auditevent WHERE seq = %s", [seq - 1])
        prev = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT seq, {_TS.format('chained_at')}, {content_select()} FROM audit_auditevent WHERE seq >= %s"
            " ORDER BY seq",
            [seq],
        )
        rows = cursor.fetchall()
    for row in rows:
        digest = entry_hash(prev, canonical_entry(*row))
        as_superuser("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, digest, row[0]])
        prev = digest


@pytest.mark.parametrize("rehash", [False, True])
def test_a_renumbered_chain_is_reported_at_the_first_renumbered_seq(db, rehash):
    chain_of(12)
    renumber_from(5, rehash=rehash)
    result = audit_verify(checkpoint=[])  # no checkpoint needed: within the tail window too
    assert (result.ok, result.broken_seq) == (False, 5)
    assert result.reason == ("mac_mismatch" if rehash else "prev_hash_mismatch")


def test_a_rewrite_with_recomputed_hashes_between_checkpoints_is_reported_at_its_first_seq(db):
    from tests.audit.test_integrity_tamper import rewrite_chain_from

    for _ in range(3):
        chain_of(10)
        checkpoint_write()  # at 10, 20, 30
    as_superuser("UPDATE audit_auditevent SET reason = 'covering my tracks' WHERE seq = 14")
    rewrite_chain_from(14)
    result = audit_verify()
    assert (result.broken_seq, result.reason) == (14, "mac_mismatch")
    as_superuser("UPDATE audit_auditevent SET mac = '' WHERE seq >= 14")  # posing as entries signed by no one
    result = audit_verify()
    # 11 to 13 still carry their signatures; from 14 on nothing vouches for the entries the checkpoint at 20 denies
    assert (result.broken_seq, result.reason) == (14, "checkpoint_mismatch")
    assert "checkpoint signed at" in result.message and "after seq 13" in result.message


def test_a_truncated_tail_is_reported_at_the_first_missing_seq(db):
    chain_of(10)
    checkpoint_write()
    chain_of(10)
    checkpoint_write()
    as_superuser("DELETE FROM audit_auditevent WHERE seq > 16")
    result = audit_verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, 17, "missing_rows")


def test_entries_signed_by_no_one_and_covered_by_no_checkpoint_are_reported(db):
    """Entries chained before signatures existed verify only up to a checkpoint that covers them."""
    chain_of(8)
    as_superuser("UPDATE audit_auditevent SET mac = ''")
    assert (audit_verify().broken_seq, audit_verify().reason) == (1, "unsigned")
    checkpoint_write()
    assert audit_verify().ok
    chain_of(2)
    as_superuser("UPDATE audit_auditevent SET mac = '' WHERE seq = 10")
    assert (audit_verify().broken_seq, audit_verify().reason) == (10, "unsigned")


# --- how often the head is signed ---------------------------------------------------------------------------------


@pytest.fixture
def every(settings):
    def configure(seconds: float) -> None:
        settings.AUDIT_CHECKPOINT_EVERY = seconds
        checkpoint_clock.reset()

    yield configure
    checkpoint_clock.reset()


def lines(settings) -> list:
    return checkpoints_read() if Path(settings.AUDIT_CHECKPOINT_PATH).exists() else []


@pytest.mark.django_db(transaction=True)
def test_the_drain_signs_the_head_at_once_and_then_at_most_once_a_minute(settings, every, monkeypatch):
    every(60)
    record_events(3)  # drained inline after commit
    assert [c.seq for c in lines(settings)] == [3]
    record_events(2)
    assert [c.seq for c in lines(settings)] == [3]  # within the minute: owed, not yet written
    assert 0 < checkpoint_clock.seconds_until_due() <= 60
    later = time.monotonic() + 61
    monkeypatch.setattr(integrity.time, "monotonic", lambda: later)
    record_events(1)
    assert [c.seq for c in lines(settings)] == [3, 6]


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_background_thread_signs_what_it_chained_within_the_interval(settings, every):
    """No broker, no beat: the publisher thread itself is the timer (`make run`)."""
    settings.AUDIT_DRAIN_INLINE = False
    every(0.5)
    with transaction.atomic():
        audit_record(actor="system:test", action="test.first")
    assert audit_dispatch_wait(10.0)
    first = [c.seq for c in lines(settings)]
    with transaction.atomic():
        audit_record(actor="system:test", action="test.second")
    assert audit_dispatch_wait(10.0)
    head = AuditEvent.objects.order_by("-seq").first().seq
    deadline = time.monotonic() + 10
    while head not in [c.seq for c in lines(settings)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert first == [head - 1]
    assert [c.seq for c in lines(settings)] == [head - 1, head]
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_process_that_exits_signs_what_it_chained_since_its_last_checkpoint(settings, every):
    from biobank.audit.dispatch import _audit_at_exit

    every(60)
    record_events(2)
    record_events(3)  # a short command (seed_demo): the minute is not up when it ends
    assert [c.seq for c in lines(settings)] == [2]
    _audit_at_exit()
    assert [c.seq for c in lines(settings)] == [2, 5]


def test_the_drain_writes_no_checkpoint_when_checkpoints_are_left_to_the_tests(db, settings):
    settings.AUDIT_CHECKPOINT_EVERY = None
    chain_of(2)
    audit_drain()
    assert lines(settings) == []
