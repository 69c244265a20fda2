"""Chaining: moving pending outbox events into the hash chain, one batch per transaction, by one drainer at a time.

Each batch holds the chain lock, reads the head and the batch in one query, checks every outbox row's MAC, hashes
and signs the entries in Python, and moves the batch with one statement. A row whose MAC fails is not chained: it
is moved to the quarantine (``AuditOutboxQuarantine``), an ``audit.outbox_tampered`` event is recorded and people
are alerted (issue 9, item 10). The database accepts chain rows only from a transaction holding the chain lock that
extends the head consecutively (migration 0004).

Durability (issue 9, item 12): the batch commits with ``synchronous_commit`` on, so a head that any other session
can see — the checkpoint in particular — is already flushed to disk; a crash can no longer lose a head that a
checkpoint signed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from biobank.pg import planner_settings

from .canonical import GENESIS_HASH, canonical_entry, content_select, entry_hash, format_timestamp
from .integrity import checkpoint_clock, event_mac, mac_matches, outbox_mac, subkey

logger = logging.getLogger(__name__)

DRAIN_LOCK_KEY = 0x61756469_74000001  # pg_advisory_xact_lock key of the chain ("audit" + 1); migration 0004 knows it
DEFAULT_BATCH_SIZE = 20000
MOVE_CHUNK = 5000  # rows per move statement: small enough that hashing the next chunk overlaps the move of this one
FIRST_CHUNK = 1000  # the first chunk of a batch is hashed while nothing moves: it is small, and each next one doubles
DRAIN_ACTOR = "system:audit-drain"

# The head rides along as scalar subqueries (evaluated once), so one round trip reads the head and the batch.
_PENDING_SQL = (
    "SELECT (SELECT seq FROM audit_auditevent ORDER BY seq DESC LIMIT 1), "  # noqa: S608
    "(SELECT hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1), "
    f"id, {content_select()}, nonce, mac FROM audit_auditoutbox ORDER BY id LIMIT %s"
)
# Moving a batch is one statement: the outbox rows are deleted and their content inserted with the new hashes. Each
# column of the chunk travels as one comma-joined text split by the server: psycopg2's ``ARRAY['…', …]`` literal of
# 5,000 values costs about 7 µs per value to quote and parse, ``string_to_array`` of one text about 1.5 µs
# (docs/performance.md, "Fifth pass"). Ids are integers and hashes and signatures hex, so no value holds a comma; the
# seqs run on from the first one (``WITH ORDINALITY``).
_MOVE_SQL = """
WITH moved AS (
    DELETE FROM audit_auditoutbox WHERE id = ANY(string_to_array(%(ids)s, ',')::bigint[]) RETURNING *
)
INSERT INTO audit_auditevent (
    seq, prev_hash, hash, mac, chained_at, occurred_at, actor_type, actor_id, actor_label, on_behalf_of, action,
    object_type, object_id, biobank_id, changes, details, reason, request_id, client_ip, user_agent
)
SELECT %(first_seq)s + h.n - 1, h.prev_hash, h.hash, h.mac, %(chained_at)s, o.occurred_at, o.actor_type, o.actor_id,
       o.actor_label, o.on_behalf_of, o.action, o.object_type, o.object_id, o.biobank_id, o.changes, o.details,
       o.reason, o.request_id, o.client_ip, o.user_agent
FROM unnest(
    string_to_array(%(ids)s, ',')::bigint[], string_to_array(%(prevs)s, ','), string_to_array(%(hashes)s, ','),
    string_to_array(%(macs)s, ',')
) WITH ORDINALITY AS h(outbox_id, prev_hash, hash, mac, n)
JOIN moved o ON o.id = h.outbox_id
"""
_QUARANTINE_SQL = """
WITH bad AS (
    DELETE FROM audit_auditoutbox WHERE id = ANY(%s) RETURNING *
)
INSERT INTO audit_auditoutboxquarantine (
    outbox_id, nonce, mac, quarantined_at, occurred_at, actor_type, actor_id, actor_label, on_behalf_of, action,
    object_type, object_id, biobank_id, changes, details, reason, request_id, client_ip, user_agent
)
SELECT id, nonce, mac, %s, occurred_at, actor_type, actor_id, actor_label, on_behalf_of, action, object_type,
       object_id, biobank_id, changes, details, reason, request_id, client_ip, user_agent
FROM bad
"""
# Columns of a pending row: 0 head seq, 1 head hash, 2 id, 3..17 content (``content_select``), 18 nonce, 19 mac.
_OCCURRED_AT = 13


def _row_mac(row: tuple, key: bytes) -> str:
    (action, actor_id, actor_label, actor_type, biobank_id, changes, client_ip, details, object_id, object_type) = row[
        3:13
    ]
    on_behalf_of, reason, request_id, user_agent = row[14:18]
    return outbox_mac(
        nonce=row[18] or "",
        action=action,
        actor_id=actor_id,
        actor_label=actor_label,
        actor_type=actor_type,
        biobank_id=biobank_id,
        changes=changes,
        client_ip=client_ip,
        details=details,
        object_id=object_id,
        object_type=object_type,
        on_behalf_of=on_behalf_of,
        reason=reason,
        request_id=request_id,
        user_agent=user_agent,
        key=key,
    )


def _quarantine(cursor: object, rows: list[tuple]) -> None:
    """Set tampered rows aside (never chained, never lost), record that it happened, and alert people."""
    from .services import audit_record

    ids = [row[2] for row in rows]
    cursor.execute(_QUARANTINE_SQL, [ids, timezone.now()])  # type: ignore[attr-defined]
    logger.error("Audit outbox rows %s failed their MAC: quarantined, not chained.", ids)
    audit_record(
        actor=DRAIN_ACTOR,
        action="audit.outbox_tampered",
        object_type="audit.auditoutboxquarantine",
        details={
            "outbox_ids": ids,
            "count": len(ids),
            "actions": sorted({str(row[3]) for row in rows}),
            "problem": "MAC does not verify: edited, forged, or written outside audit_record",
        },
    )
    from .alerts import alert_outbox_tampered

    alert_outbox_tampered(outbox_ids=ids)  # the e-mails are queued after commit (``biobank.ops.after_commit``)


def _drain_batch(batch_size: int) -> tuple[int, int]:
    """One batch: (entries chained, outbox rows quarantined)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # One chain, one writer at a time: concurrent drainers queue here; each then reads the head it extends
        # (READ COMMITTED: the next statement sees everything the previous holder committed).
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DRAIN_LOCK_KEY])
        # Durable before visible: a checkpoint may only sign a head that survives a crash (issue 9, item 12), and
        # PostgreSQL makes a synchronous commit visible to other sessions only after its WAL is flushed.
        # And the batch is the outbox's first rows by id, read through its primary key: an outbox just filled (an
        # import records a million events at once) has no statistics yet; estimated at a few hundred rows, the
        # planner scanned and sorted all of it on disk for every batch, which made a drain quadratic in its backlog.
        # (synchronous_commit stays set until the commit it is for; the planner setting only for this read.)
        cursor.execute("SET LOCAL synchronous_commit TO on")
        with planner_settings(cursor, enable_seqscan="off"):
            cursor.execute(_PENDING_SQL, [batch_size])
            pending = cursor.fetchall()
        if not pending:
            return 0, 0
        outbox_key, event_key = subkey("outbox"), subkey("event")
        seq, prev = pending[0][0] or 0, pending[0][1] or GENESIS_HASH
        chained_at = timezone.now()
        chained_text = format_timestamp(chained_at)
        chained, bad = 0, []
        # The batch moves in chunks, and hashing one chunk overlaps the database's move of the one before: the next
        # link needs only the previous hash, and psycopg2 lets go of the GIL while the server works. The moves stay
        # in this transaction, one at a time and in order (one mover thread); the trigger checks each against the
        # head the previous one left. A batch of one chunk (the drain after a request) moves in this thread.
        with _mover(many=len(pending) > min(FIRST_CHUNK, MOVE_CHUNK)) as mover:  # more than one chunk
            moving: Future[int] | None = None
            for chunk_rows in _chunks(pending):
                ids, prevs, hashes, macs = [], [], [], []
                first_seq = seq + 1
                for row in chunk_rows:
                    if not mac_matches(row[19], _row_mac(row, outbox_key)):
                        bad.append(row)
                        continue
                    seq += 1
                    digest = entry_hash(prev, canonical_entry(seq, chained_text, *row[3:18]))
                    ids.append(str(row[2]))
                    prevs.append(prev)
                    hashes.append(digest)
                    macs.append(event_mac(digest, event_key))
                    prev = digest
                if moving is not None:
                    chained += moving.result()
                chunk = {
                    "ids": ",".join(ids),
                    "first_seq": first_seq,
                    "chained_at": chained_at,
                    "prevs": ",".join(prevs),
                    "hashes": ",".join(hashes),
                    "macs": ",".join(macs),
                }
                moving = mover.submit(_move, cursor, chunk, len(ids)) if ids else None
            if moving is not None:
                chained += moving.result()
        if bad:
            _quarantine(cursor, bad)
    return chained, len(bad)


def _chunks(rows: list[tuple]) -> Iterator[list[tuple]]:
    """The batch in chunks of FIRST_CHUNK, twice that, … up to MOVE_CHUNK rows: while the first chunk is hashed the
    mover has nothing to do, and a move takes longer than hashing the same rows, so the next chunk may be larger."""
    start, size = 0, min(FIRST_CHUNK, MOVE_CHUNK)
    while start < len(rows):
        yield rows[start : start + size]
        start, size = start + size, min(size * 2, MOVE_CHUNK)


class _InlineMover:
    """A mover that moves at once, in the calling thread: no thread to start for a batch of one chunk."""

    def submit(self, move: Any, *args: Any) -> Future[int]:
        future: Future[int] = Future()
        future.set_result(move(*args))
        return future


@contextmanager
def _mover(*, many: bool) -> Iterator[Any]:
    """One mover thread sharing this connection for a batch of several chunks, else an inline mover."""
    if not many:
        yield _InlineMover()
        return
    connection.inc_thread_sharing()
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-move") as pool:
            yield pool
    finally:
        connection.dec_thread_sharing()


def _move(cursor: Any, chunk: dict[str, Any], count: int) -> int:
    """Move one chunk of hashed outbox rows into the log (in the mover thread); the number moved."""
    cursor.execute(_MOVE_SQL, chunk)
    if cursor.rowcount != count:
        raise RuntimeError(f"Audit drain moved {cursor.rowcount} of {count} events; rolled back.")
    return count


def audit_drain(*, batch_size: int = DEFAULT_BATCH_SIZE, max_batches: int | None = None) -> int:
    """Move pending outbox events into the chain, a batch per transaction, until the outbox is empty.

    Safe to run concurrently and twice: each batch holds the chain lock (``pg_advisory_xact_lock``), reads the head
    and the batch in one query, hashes in Python, and moves the batch with one statement (``DELETE … RETURNING`` of
    the outbox rows feeding a multi-row ``INSERT … SELECT``), all in one transaction. When something was chained
    and this process's last checkpoint is a minute old, the new head is signed at once (``CheckpointClock``).
    Returns the number chained.
    """
    total = batches = 0
    while True:
        chained, quarantined = _drain_batch(batch_size)
        total += chained
        batches += 1
        if chained + quarantined < batch_size and not quarantined:
            break
        if max_batches is not None and batches >= max_batches:
            break
    if total and checkpoint_clock.chained():
        checkpoint_due()
    return total


def checkpoint_due() -> None:
    """Sign the head now; a failure is logged, never raised into a drain whose work has committed."""
    from .checkpoints import checkpoint_write

    try:
        checkpoint_write()
    except Exception:
        logger.exception("Audit checkpoint not written; the next drain or the beat task will sign the head.")
