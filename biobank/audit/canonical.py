"""The canonical form of an audit entry, which its hash covers.

``hash = SHA-256(prev_hash ‖ canonical JSON)`` where the canonical JSON is the entry as one JSON object with keys
sorted, no whitespace, strings escaped as JSON requires (non-ASCII kept as UTF-8), timestamps as UTC ISO 8601 with
microseconds (``2025-01-31T12:00:00.000000Z``), ``changes``/``details`` as canonical JSON themselves, absent values as
``null``. It equals ``json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``; a test proves it.

The drain (outbox → chain) and the verifier read the same columns through ``CONTENT_SELECT``, so PostgreSQL renders
timestamps and addresses identically on both sides, and both build the text with ``canonical_entry``.

``client_ip`` enters as ``abbrev(client_ip)``: PostgreSQL's display text of the ``inet`` value, which is exactly what
the pages, the API and the CSV show (``host()`` dropped a netmask, so ``10.1.1.244/8`` was shown but not hashed). The
columns hold host addresses only (migration 0003), for which this text is the bare address, as it always was.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from json.encoder import encode_basestring as _s  # the C implementation: ~0.1 µs per string
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64
TIMESTAMP_SQL_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'

# Keys in sorted order; ``seq`` and ``chained_at`` are assigned by the drain, the rest come from the outbox row.
ENTRY_KEYS = (
    "action",
    "actor_id",
    "actor_label",
    "actor_type",
    "biobank_id",
    "chained_at",
    "changes",
    "client_ip",
    "details",
    "object_id",
    "object_type",
    "occurred_at",
    "on_behalf_of",
    "reason",
    "request_id",
    "seq",
    "user_agent",
)


def _ts(column: str) -> str:
    return f"to_char({column} AT TIME ZONE 'UTC', '{TIMESTAMP_SQL_FORMAT}')"


# Columns common to the outbox and the log, in the argument order of ``canonical_entry`` (after seq, chained_at).
CONTENT_SELECT = ", ".join(
    [
        "{t}action",
        "{t}actor_id",
        "{t}actor_label",
        "{t}actor_type",
        "{t}biobank_id",
        "{t}changes",
        "abbrev({t}client_ip)",  # the address as stored and shown: the netmask too, were there one (issue 9, 14)
        "{t}details",
        "{t}object_id",
        "{t}object_type",
        _ts("{t}occurred_at"),
        "{t}on_behalf_of",
        "{t}reason",
        "{t}request_id",
        "{t}user_agent",
    ]
)

_TEMPLATE = (
    '{"action":%s,"actor_id":%s,"actor_label":%s,"actor_type":%s,"biobank_id":%s,"chained_at":"%s","changes":%s,'
    '"client_ip":%s,"details":%s,"object_id":%s,"object_type":%s,"occurred_at":"%s","on_behalf_of":%s,"reason":%s,'
    '"request_id":%s,"seq":%s,"user_agent":%s}'
)


def content_select(table_alias: str = "") -> str:
    return CONTENT_SELECT.format(t=f"{table_alias}." if table_alias else "")


def canonical_json(value: Any) -> str:
    """Canonical JSON of a ``changes``/``details`` value (dates, decimals and UUIDs as Django serialises them)."""
    return json.dumps(
        value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def format_timestamp(moment: datetime) -> str:
    """The same text PostgreSQL renders with ``TIMESTAMP_SQL_FORMAT``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_entry(
    seq: int | str,
    chained_at: str,
    action: str,
    actor_id: str,
    actor_label: str,
    actor_type: str,
    biobank_id: int | str | None,
    changes: str | None,
    client_ip: str | None,
    details: str | None,
    object_id: str,
    object_type: str,
    occurred_at: str,
    on_behalf_of: str,
    reason: str,
    request_id: str,
    user_agent: str,
) -> str:
    """The canonical JSON text of one entry, from column values as ``CONTENT_SELECT`` returns them.

    ``changes`` and ``details`` are stored as canonical JSON text already and are embedded verbatim; timestamps come
    pre-rendered by PostgreSQL; ``seq``/``biobank_id`` are integers (or their digits).
    """
    return _TEMPLATE % (
        _s(action),
        _s(actor_id),
        _s(actor_label),
        _s(actor_type),
        "null" if biobank_id is None else biobank_id,
        chained_at,
        "null" if changes is None else changes,
        "null" if client_ip is None else _s(client_ip),
        "null" if details is None else details,
        _s(object_id),
        _s(object_type),
        occurred_at,
        _s(on_behalf_of),
        _s(reason),
        _s(request_id),
        seq,
        _s(user_agent),
    )


def entry_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()
