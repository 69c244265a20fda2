"""The audit trail: an outbox written inside each service's transaction, the append-only hash-chained log it is
drained into, and the results of verifying that log.

The log's integrity rules live in the database: a trigger (migration 0002) refuses UPDATE, DELETE and TRUNCATE, and
``seq`` is the primary key, assigned consecutively by the one drainer holding the chain lock.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank

from .canonical import canonical_json, format_timestamp
from .choices import ActorType, BreakReason, audit_action_label


class CanonicalJSONField(models.TextField):
    """JSON stored as its canonical text (sorted keys, no whitespace), not ``jsonb``.

    The hash covers exactly these bytes, so nothing between the drain and the verifier re-serialises the value
    (``jsonb`` would reorder keys and normalise numbers).
    """

    # django-stubs: the Python value is any JSON value, not the text it is stored as
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> str | None:
        return None if value is None else canonical_json(value)


class AuditEntry(models.Model):
    """The content of an audit entry, shared by the outbox and the log."""

    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    actor_type = models.CharField(_("actor type"), max_length=16, choices=ActorType.choices)
    actor_id = models.CharField(_("actor id"), max_length=64, blank=True)
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # No database constraint: the trail outlives biobanks and never blocks or cascades a deletion. No index of its
    # own either: the log's (biobank, -seq) index serves every biobank filter, and the outbox is only drained.
    biobank = models.ForeignKey(
        Biobank,
        verbose_name=_("biobank"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    changes = CanonicalJSONField(_("changes"), null=True, blank=True, help_text=_("{field: [old, new]}"))
    details = CanonicalJSONField(_("details"), null=True, blank=True, help_text=_("Context of reads and denials"))
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=128, blank=True)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)

    class Meta:
        abstract = True


class AuditOutbox(AuditEntry):
    """An event written in the caller's transaction, waiting to be chained (see ``chaining.audit_drain``).

    Insert-only (migration 0004): the database sets ``occurred_at`` to the statement's time and refuses UPDATE, and
    only the drain (holding the chain lock) may delete. ``mac`` signs the content and ``nonce`` with the audit key
    (``integrity.outbox_mac``); the drain quarantines a row whose MAC fails instead of chaining it.
    """

    id = models.BigAutoField(primary_key=True)
    nonce = models.CharField(_("nonce"), max_length=32)
    mac = models.CharField(_("signature"), max_length=64)

    class Meta:
        ordering = ["id"]
        # A constraint, not ``unique=True``: that would add a second, pattern-matching index nothing uses, and every
        # audited write pays for each index of the outbox (docs/performance.md, "Audit trail").
        constraints = [models.UniqueConstraint(fields=["nonce"], name="audit_outbox_nonce_unique")]

    def __str__(self) -> str:
        return f"pending #{self.pk}: {self.action}"


# What an auditor reads of an entry, in this order: the API, the pages and the CSV export all show these columns.
AUDIT_EVENT_COLUMNS: tuple[str, ...] = (
    "seq",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_label",
    "on_behalf_of",
    "action",
    "object_type",
    "object_id",
    "biobank",
    "changes",
    "details",
    "reason",
    "request_id",
    "client_ip",
    "user_agent",
)


class AppendOnlyQuerySet(models.QuerySet):
    """The ORM refuses every bulk write on the log, before the database trigger has to (issue 9, item 11).

    ``Model.save``/``delete`` raise on an instance; these are the paths that bypass them: ``bulk_create`` inserts
    rows without the chain (no ``prev_hash`` taken under the drain lock), ``update``/``bulk_update``/``delete`` would
    rewrite history. Only ``services.audit_drain`` inserts, with its own SQL.
    """

    def _refuse(self, what: str) -> Any:
        raise TypeError(f"Audit events cannot be {what} through the ORM; use audit_record() to record one.")

    def bulk_create(self, *args: Any, **kwargs: Any) -> Any:
        return self._refuse("bulk-created")

    def bulk_update(self, *args: Any, **kwargs: Any) -> Any:
        return self._refuse("bulk-updated")

    def update(self, *args: Any, **kwargs: Any) -> Any:
        return self._refuse("updated")

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        return self._refuse("updated")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._refuse("deleted")

    delete.queryset_only = True  # type: ignore[attr-defined]  # as Django's own: not copied onto the manager

    def _raw_delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._refuse("deleted")


class AuditEvent(AuditEntry):
    """One entry of the append-only, hash-chained audit log.

    ``hash = SHA-256(prev_hash ‖ canonical JSON of the entry)`` (``canonical.py``); ``seq`` runs 1, 2, 3… with no gap.
    Rows are only ever inserted by ``services.audit_drain``; the database refuses any UPDATE, DELETE or TRUNCATE.
    """

    APPEND_ONLY = True  # the application's database role may only INSERT and SELECT (``manage.py db_roles``)

    seq = models.BigIntegerField(_("sequence number"), primary_key=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    # HMAC of ``hash`` with the audit key (``integrity.event_mac``), written by the drain: the database cannot compute
    # it, so a forged, rewritten or renumbered entry is reported at its seq. Empty for entries chained before 0004.
    mac = models.CharField(_("signature"), max_length=64, blank=True, default="")
    chained_at = models.DateTimeField(_("chained at"))

    objects = models.Manager.from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["-seq"]
        default_permissions = ()
        indexes = [
            # the auditor's filters, each newest first (cursor pagination on seq)
            models.Index(fields=["biobank", "-seq"], name="audit_event_biobank_seq"),
            models.Index(fields=["object_type", "object_id", "-seq"], name="audit_event_object_seq"),
            models.Index(fields=["actor_label", "-seq"], name="audit_event_actor_seq"),
            models.Index(fields=["actor_type", "actor_id", "-seq"], name="audit_event_actor_id_seq"),
            models.Index(fields=["action", "-seq"], name="audit_event_action_seq"),
            models.Index(fields=["occurred_at"], name="audit_event_occurred_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="audit_event_seq_positive"),
            # 64 lower-case hex digits, written as a length and a ``*`` regex: PostgreSQL's regex engine spends about
            # 10 µs on ``{64}`` per value, a third of the drain's time per entry (docs/performance.md, "Audit drain").
            models.CheckConstraint(
                condition=models.Q(
                    Exact(Length("hash"), 64),
                    Exact(Length("prev_hash"), 64),
                    hash__regex=r"^[0-9a-f]*$",
                    prev_hash__regex=r"^[0-9a-f]*$",
                ),
                name="audit_event_hashes_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id} by {self.actor_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("Audit events are written only by audit_drain(); use audit_record() to record one.")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("Audit events are never deleted.")

    @property
    def action_label(self) -> str:
        """The action in words (the core's and the apps' registered actions), or as stored if nobody registered it."""
        return audit_action_label(self.action)

    @property
    def occurred_at_utc(self) -> str:
        """The moment in UTC, ISO 8601, as the chain and the exports carry it (the page shows local time)."""
        return format_timestamp(self.occurred_at)

    @property
    def change_rows(self) -> list[tuple[str, Any, Any]]:
        """``changes`` as (field, old, new) rows for the history timeline."""
        if not isinstance(self.changes, dict):
            return []
        rows = []
        for field, pair in sorted(self.changes.items()):
            old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
            rows.append((field, old, new))
        return rows


class AuditVerification(models.Model):
    """The result of one run of ``audit_verify`` (nightly task or ``manage.py verify_audit_chain``)."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    ok = models.BooleanField(_("intact"))
    count = models.BigIntegerField(_("entries verified"))
    head_seq = models.BigIntegerField(_("last sequence number"), null=True, blank=True)
    first_broken_seq = models.BigIntegerField(_("first broken sequence number"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=32, choices=BreakReason.choices, blank=True)
    message = models.TextField(_("message"), blank=True)
    checkpoint_seq = models.BigIntegerField(_("latest checkpoint"), null=True, blank=True)
    triggered_by = models.CharField(_("run by"), max_length=254, blank=True)
    # HMAC of every field above and the id with the audit key (``integrity.verification_mac``): an edited result does
    # not verify, and the auditor's page says so instead of "intact" (issue 9, item 13).
    mac = models.CharField(_("signature"), max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'FAILED'} ({self.count})"

    @property
    def authentic(self) -> bool:
        """The stored result is the one the verification wrote (its signature verifies with the audit key)."""
        from .integrity import mac_matches, verification_mac

        return bool(self.mac) and mac_matches(self.mac, verification_mac(self))


class AuditOutboxQuarantine(AuditEntry):
    """A pending event whose MAC failed at the drain: set aside, never chained, kept for the people alerted.

    Each quarantine is itself recorded in the chain (``audit.outbox_tampered``) and e-mailed to the auditors.
    """

    outbox_id = models.BigIntegerField(_("outbox id"))
    nonce = models.CharField(_("nonce"), max_length=32, blank=True)
    mac = models.CharField(_("signature"), max_length=64, blank=True)
    quarantined_at = models.DateTimeField(_("quarantined at"))

    class Meta:
        ordering = ["-quarantined_at"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"quarantined outbox #{self.outbox_id}: {self.action}"
