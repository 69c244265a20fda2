"""Writes to the audit trail: recording events (outbox), chaining them (drain), checkpoints and verification runs.

Recording is part of the caller's transaction — a rolled-back change leaves no event, a committed one always has
one — and the drain is dispatched only after commit (``dispatch.py``). If the broker is down at that moment the event
simply waits in the outbox for the periodic drain (``tasks.drain``, every minute). Chaining lives in ``chaining.py``,
checkpoints in ``checkpoints.py``, verification in ``verification.py``; they are re-exported here.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from biobank.accounts.models import ApiToken, Biobank
from biobank.accounts.principals import TokenPrincipal

from .chaining import DEFAULT_BATCH_SIZE, DRAIN_LOCK_KEY, audit_drain
from .checkpoints import Checkpoint, checkpoint_write, checkpoints_read
from .choices import ActorType, AuditAction
from .context import current_request_context
from .dispatch import audit_dispatch_wait, schedule_drain
from .integrity import outbox_row_mac, subkey, verification_mac
from .models import AuditOutbox, AuditVerification
from .verification import VerifyResult, audit_verify

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DRAIN_LOCK_KEY",
    "Checkpoint",
    "VerifyResult",
    "audit_access_denied",
    "audit_dispatch_wait",
    "audit_drain",
    "audit_export_record",
    "audit_record",
    "audit_record_many",
    "audit_verification_run",
    "audit_verify",
    "changes_between",
    "checkpoint_write",
    "checkpoints_read",
    "mask_value",
]

logger = logging.getLogger(__name__)

_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# Values never written to the trail, only the fact that they changed.
SECRET_FIELDS = frozenset({"password", "secret", "token", "key", "key_hash", "api_key", "otp_secret"})
# Identifying data of people (donors first of all): shown masked, e.g. "J***" or "j***@example.org".
IDENTIFYING_FIELDS = frozenset(
    {
        "given_name",
        "family_name",
        "birth_name",
        "first_name",
        "last_name",
        "date_of_birth",
        "birth_date",
        "address",
        "street",
        "postal_code",
        "city",
        "phone",
        "national_id",
        "insurance_number",
        "mrn",
        "attempted_email",
    }
)


# --- who, what, where -------------------------------------------------------------------------------------------


def _actor_fields(actor: Any) -> tuple[str, str, str, int | None]:
    """(actor_type, actor_id, actor_label, biobank id implied by the actor) of a user, token, job name or nobody."""
    if isinstance(actor, TokenPrincipal):
        actor = actor.token
    if isinstance(actor, ApiToken):
        return ActorType.TOKEN, str(actor.pk), f"{actor.name} ({actor.key_prefix}…)", actor.biobank_id
    if isinstance(actor, str):
        job = actor.removeprefix("system:")
        if not job:
            raise ValueError("A system actor is named 'system:<job>', e.g. 'system:nightly-verify'.")
        return ActorType.SYSTEM, job[:64], f"system:{job}"[:254], None
    if actor is None:
        return ActorType.SYSTEM, "", "system", None
    if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) is not None:
        return ActorType.USER, str(actor.pk), getattr(actor, "email", "") or str(actor), None
    return ActorType.ANONYMOUS, "", "anonymous", None


def _object_fields(obj: models.Model | None, object_type: str | None, object_id: Any) -> tuple[str, str]:
    if obj is not None:
        return object_type or obj._meta.label_lower, str(obj.pk) if object_id is None else str(object_id)
    return object_type or "", "" if object_id is None else str(object_id)


def _biobank_id(biobank: Biobank | int | None, obj: models.Model | None, actor_biobank: int | None) -> int | None:
    if isinstance(biobank, Biobank):
        return biobank.pk
    if biobank is not None:
        return int(biobank)
    if isinstance(obj, Biobank):
        return obj.pk
    if obj is not None and (obj_biobank := getattr(obj, "biobank_id", None)) is not None:
        return int(obj_biobank)
    return actor_biobank


def mask_value(value: Any) -> Any:
    """Keep just enough to recognise a value: 'Jane' → 'J***', 'jane@x.org' → 'j***@x.org'; other types hidden."""
    if value is None or value == "":
        return value
    if isinstance(value, str):
        local, at, domain = value.partition("@")
        if at:
            return f"{local[:1]}***@{domain}"
        return f"{value[:1]}***"
    return "***"


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _clean_changes(changes: Mapping[str, Any] | None, identifying: Iterable[str]) -> dict | None:
    if not changes:
        return None
    masked = IDENTIFYING_FIELDS.union(identifying)
    out: dict[str, Any] = {}
    for field, pair in changes.items():
        old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        if field in SECRET_FIELDS:
            old, new = ("[redacted]" if old is not None else None), "[redacted]"
        elif field in masked:
            old, new = mask_value(old), mask_value(new)
        out[str(field)] = [_plain(old), _plain(new)]
    return out


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value differs."""
    return {f: [before.get(f), after.get(f)] for f in after if before.get(f) != after.get(f)}


def _host_address(value: str | None) -> str | None:
    """A client address as a bare host address, or ``None``: a netmask or garbage never reaches the trail (whose
    columns refuse it) and never fails the change being recorded."""
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        logger.warning("Client address %r is not a host address; recorded without one.", value)
        return None


def _text(value: Any, limit: int) -> str:
    return _CONTROL.sub("", str(value or ""))[:limit]


def _outbox_row(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None,
    object_type: str | None,
    object_id: Any,
    biobank: Biobank | int | None,
    changes: Mapping[str, Any] | None,
    details: Mapping[str, Any] | None,
    reason: str | None,
    on_behalf_of: Any,
    identifying: Iterable[str],
    now: datetime,
    request: tuple[str, str | None, str],
    key: bytes,
) -> AuditOutbox:
    if not _ACTION.match(action):
        raise ValueError(f"Audit action {action!r} must look like 'entity.verb' (lowercase letters, digits, _).")
    actor_type, actor_id, actor_label, actor_biobank = _actor_fields(actor)
    o_type, o_id = _object_fields(obj, object_type, object_id)
    if on_behalf_of is not None and not isinstance(on_behalf_of, str):
        on_behalf_of = _actor_fields(on_behalf_of)[2]
    request_id, client_ip, user_agent = request
    row = AuditOutbox(
        occurred_at=now,  # replaced by the database's statement time on INSERT (migration 0004)
        actor_type=actor_type,
        actor_id=actor_id,
        actor_label=_text(actor_label, 254),
        on_behalf_of=_text(on_behalf_of, 254),
        action=action,
        object_type=_text(o_type, 64),
        object_id=_text(o_id, 64),
        biobank_id=_biobank_id(biobank, obj, actor_biobank),
        changes=_clean_changes(changes, identifying),
        details=dict(details) if details else None,
        reason=_CONTROL.sub("", reason or ""),
        request_id=request_id[:128],
        client_ip=_host_address(client_ip),
        user_agent=_text(user_agent, 512),
        nonce=secrets.token_hex(16),
    )
    row.mac = outbox_row_mac(row, key)
    return row


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "audit_record() must run inside the service's transaction.atomic(), so that the event commits or rolls "
            "back with the change it records."
        )


# --- recording --------------------------------------------------------------------------------------------------


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    biobank: Biobank | int | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str | None = None,
    on_behalf_of: Any = None,
    details: Mapping[str, Any] | None = None,
    identifying: Iterable[str] = (),
) -> AuditOutbox:
    """Record one event in the outbox, in the current transaction (one INSERT), and drain it after commit.

    ``actor``: a ``User``, a ``TokenPrincipal`` (or ``ApiToken``), ``"system:<job>"``, or ``None`` (system).
    ``obj`` gives object type, id and biobank unless given explicitly. ``changes`` is ``{field: [old, new]}``;
    secrets are redacted and identifying fields (``IDENTIFYING_FIELDS`` plus ``identifying``) masked.
    """
    _require_transaction()
    row = _outbox_row(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        biobank=biobank,
        changes=changes,
        details=details,
        reason=reason,
        on_behalf_of=on_behalf_of,
        identifying=identifying,
        now=timezone.now(),
        request=current_request_context(),
        key=subkey("outbox"),
    )
    row.save(force_insert=True)
    schedule_drain()
    return row


def audit_record_many(
    *,
    actor: Any,
    action: str,
    entries: Iterable[Mapping[str, Any]],
    biobank: Biobank | int | None = None,
    reason: str | None = None,
    on_behalf_of: Any = None,
    identifying: Iterable[str] = (),
) -> int:
    """Record one event per entry with a single INSERT (imports, bulk moves): never one query or task per row.

    Each entry is a mapping with any of ``obj``, ``object_type``, ``object_id``, ``biobank``, ``changes``,
    ``details``, ``reason``; the keyword arguments are the defaults. Returns the number of events recorded.
    """
    _require_transaction()
    now, request, identifying = timezone.now(), current_request_context(), tuple(identifying)
    key = subkey("outbox")
    rows = [
        _outbox_row(
            actor=actor,
            action=action,
            obj=entry.get("obj"),
            object_type=entry.get("object_type"),
            object_id=entry.get("object_id"),
            biobank=entry.get("biobank", biobank),
            changes=entry.get("changes"),
            details=entry.get("details"),
            reason=entry.get("reason", reason),
            on_behalf_of=on_behalf_of,
            identifying=identifying,
            now=now,
            request=request,
            key=key,
        )
        for entry in entries
    ]
    if not rows:
        return 0
    AuditOutbox.objects.bulk_create(rows)  # one multi-row INSERT (PostgreSQL has no batch limit here)
    schedule_drain()
    return len(rows)


def audit_access_denied(*, actor: Any, method: str, path: str) -> None:
    """A refused request (HTTP 403), recorded by ``AuditContextMiddleware``."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            object_type="http.path",
            object_id=path[:64],
            details={"method": method, "path": path[:2000], "status": 403},
        )


# --- verification runs ------------------------------------------------------------------------------------------


def audit_verification_run(*, actor: Any, from_checkpoint: bool = False, checkpoint_path: Any = None) -> VerifyResult:
    """Verify the chain against the signed checkpoints, store the result signed, chain it as ``audit.verified``,
    and alert people if it is broken (issue 9, item 13: an edited result no longer reads as "intact")."""
    started = timezone.now()
    result = audit_verify(from_checkpoint=from_checkpoint, checkpoint_path=checkpoint_path)
    with transaction.atomic():
        row = AuditVerification.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            ok=result.ok,
            count=result.count,
            head_seq=result.last_seq,
            first_broken_seq=result.broken_seq,
            reason=result.reason,
            message=result.message,
            checkpoint_seq=result.checkpoint_seq,
            triggered_by=_actor_fields(actor)[2],
        )
        row.refresh_from_db()  # the MAC covers the stored values (timestamps as the database keeps them)
        row.mac = verification_mac(row)
        AuditVerification.objects.filter(pk=row.pk).update(mac=row.mac)
        audit_record(
            actor=actor,
            action=AuditAction.AUDIT_VERIFIED,
            obj=row,
            details={
                "verification_id": row.pk,
                "ok": result.ok,
                "count": result.count,
                "head_seq": result.last_seq,
                "first_broken_seq": result.broken_seq,
                "reason": result.reason,
                "checkpoint_seq": result.checkpoint_seq,
                "notes": result.notes,
            },
        )
    audit_drain()  # chained at once: the auditor's page compares the stored result with it
    if not result.ok:
        from .alerts import alert_verification_failed

        alert_verification_failed(result=result)
    return result


def audit_export_record(
    *, actor: Any, filters: Mapping[str, Any], biobanks: Iterable[Biobank], export_format: str = "csv"
) -> int:
    """An export of the audit trail is itself audited: one event per biobank whose events it may contain."""
    details = {"filters": {k: str(v) for k, v in filters.items() if v not in (None, "")}, "format": export_format}
    with transaction.atomic():
        return audit_record_many(
            actor=actor,
            action=AuditAction.AUDIT_EXPORT,
            entries=[
                {"object_type": "audit.auditevent", "biobank": biobank, "details": details} for biobank in biobanks
            ],
        )
