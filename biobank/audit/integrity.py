"""Signatures that the database cannot compute: per-row MACs of the outbox, the chain and the verification results.

The audit key (``AUDIT_HMAC_KEY_FILE``, outside the database) signs three things besides the checkpoints, each with
its own key derived from it (``HMAC(key, purpose)``), so a value signed for one purpose never verifies for another:

- ``outbox_mac``: the content of a pending outbox row plus a random nonce, computed by ``audit_record``; the drain
  recomputes it and quarantines a row that fails (edited, forged, or written outside ``audit_record``);
- ``event_mac``: the hash of a chained entry, computed by the drain; the verifier checks it on every row, so a rewrite
  that recomputed the hashes, a forged INSERT and a renumbering are reported at their first seq (issue 9, item 9);
- ``verification_mac``: a stored verification result, so the auditor's page can tell an edited result (item 13).

Someone who can write to the database but cannot read the key file — the application's database role through SQL
injection, a stolen database password, a database superuser — can therefore not produce a row that verifies.
Whoever runs the application with its key can; that is the trust boundary (docs/security.md).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import threading
import time
from typing import Any

from django.conf import settings

from .canonical import canonical_json
from .checkpoints import hmac_key

_keys: dict[tuple[str, int, str], bytes] = {}
_keys_lock = threading.Lock()


def subkey(purpose: str) -> bytes:
    """The key for one purpose, derived from the audit key; re-read when the key file changes."""
    path = str(settings.AUDIT_HMAC_KEY_FILE)
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        stamp = -1
    cache_key = (path, stamp, purpose)
    key = _keys.get(cache_key)
    if key is None:
        key = hmac.digest(hmac_key(), f"biobank-audit/{purpose}".encode(), "sha256")
        with _keys_lock:
            if stamp != -1:
                _keys[cache_key] = key
    return key


class Hmac256:
    """HMAC-SHA256 with the key's inner and outer states computed once (RFC 2104): per message two state copies and
    two short hashes, about a fifth of what a one-shot ``hmac.digest`` costs under OpenSSL 3 — it runs once per
    entry in the drain and in the verifier."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def hexdigest(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


_hmacs: dict[bytes, Hmac256] = {}


def hmac256(key: bytes) -> Hmac256:
    found = _hmacs.get(key)
    if found is None:
        found = _hmacs[key] = Hmac256(key)
    return found


def _mac(key: bytes, message: str) -> str:
    return hmac256(key).hexdigest(message.encode())


def mac_matches(mac: str | None, expected: str) -> bool:
    return isinstance(mac, str) and hmac.compare_digest(mac, expected)


# --- the chain --------------------------------------------------------------------------------------------------


def event_mac(chain_hash: str, key: bytes | None = None) -> str:
    """The MAC of a chained entry: over its hash, which covers its seq, its content and the previous hash."""
    return _mac(key or subkey("event"), chain_hash)


# --- the outbox -------------------------------------------------------------------------------------------------


def _address(value: str | None) -> str | None:
    """One spelling of an address on both sides: what ``audit_record`` stores and what the drain reads back."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.split("/", 1)[0]))
    except ValueError:
        return value


def outbox_mac(
    *,
    nonce: str,
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
    on_behalf_of: str,
    reason: str,
    request_id: str,
    user_agent: str,
    key: bytes | None = None,
) -> str:
    """The MAC of a pending event: every content column (``changes``/``details`` as their stored canonical text)
    and the row's nonce. ``occurred_at`` is not covered: the database sets it and refuses to change it."""
    message = json.dumps(
        [
            nonce,
            action,
            actor_id,
            actor_label,
            actor_type,
            None if biobank_id is None else int(biobank_id),
            changes,
            _address(client_ip),
            details,
            object_id,
            object_type,
            on_behalf_of,
            reason,
            request_id,
            user_agent,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return _mac(key or subkey("outbox"), message)


def outbox_row_mac(row: Any, key: bytes | None = None) -> str:
    """``outbox_mac`` of an ``AuditOutbox`` about to be inserted, over exactly the text the drain will read back."""
    return outbox_mac(
        nonce=row.nonce,
        action=row.action,
        actor_id=row.actor_id,
        actor_label=row.actor_label,
        actor_type=row.actor_type,
        biobank_id=row.biobank_id,
        changes=None if row.changes is None else canonical_json(row.changes),
        client_ip=row.client_ip,
        details=None if row.details is None else canonical_json(row.details),
        object_id=row.object_id,
        object_type=row.object_type,
        on_behalf_of=row.on_behalf_of,
        reason=row.reason,
        request_id=row.request_id,
        user_agent=row.user_agent,
        key=key,
    )


# --- verification results ---------------------------------------------------------------------------------------

VERIFICATION_FIELDS = (
    "pk",
    "started_at",
    "finished_at",
    "ok",
    "count",
    "head_seq",
    "first_broken_seq",
    "reason",
    "message",
    "checkpoint_seq",
    "triggered_by",
)


def verification_mac(row: Any, key: bytes | None = None) -> str:
    """The MAC of a stored verification result (``AuditVerification``), its id included."""
    values = {}
    for name in VERIFICATION_FIELDS:
        value = getattr(row, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return _mac(key or subkey("verification"), json.dumps(values, sort_keys=True, separators=(",", ":")))


# --- how often the head is signed -------------------------------------------------------------------------------


class CheckpointClock:
    """When this process owes a checkpoint: at once after chaining if its last one is ``AUDIT_CHECKPOINT_EVERY``
    seconds old, otherwise that long after the last one. So a chained event is signed within a minute, with or
    without a broker (the drain and the publisher thread ask it; beat's ``audit.checkpoint`` runs every minute too).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_written = float("-inf")
        self._pending = False

    @staticmethod
    def interval() -> float | None:
        return getattr(settings, "AUDIT_CHECKPOINT_EVERY", 60.0)

    def chained(self) -> bool:
        """Events were chained: True if a checkpoint is due now (the caller writes it), else remember it."""
        every = self.interval()
        if every is None:
            return False
        with self._lock:
            if time.monotonic() - self._last_written >= every:
                self._last_written = time.monotonic()
                self._pending = False
                return True
            self._pending = True
            return False

    def seconds_until_due(self) -> float | None:
        """None when nothing chained waits for a signature; else how long until its checkpoint is due (≥ 0)."""
        every = self.interval()
        with self._lock:
            if not self._pending or every is None:
                return None
            return max(0.0, self._last_written + every - time.monotonic())

    def take_due(self) -> bool:
        """True (and reset) if the pending checkpoint is due now."""
        every = self.interval()
        with self._lock:
            if not self._pending or every is None or time.monotonic() - self._last_written < every:
                return False
            self._pending = False
            self._last_written = time.monotonic()
            return True

    def take_pending(self) -> bool:
        """True (and reset) if something chained still waits for its checkpoint, due or not (process exit)."""
        with self._lock:
            pending, self._pending = self._pending, False
            if pending:
                self._last_written = time.monotonic()
            return pending

    def reset(self) -> None:
        with self._lock:
            self._last_written = float("-inf")
            self._pending = False


checkpoint_clock = CheckpointClock()
