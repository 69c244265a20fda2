"""The outbox is protected like the chain (issue 9, item 10): insert-only, time set by the database, every row signed
by ``audit_record`` and checked by the drain, which quarantines and reports a row that fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from biobank.audit.models import AuditEvent, AuditOutbox, AuditOutboxQuarantine
from biobank.audit.services import audit_drain, audit_record, audit_verify
from tests.accounts.factories import make_member
from tests.audit.factories import record_events


def as_superuser_on_outbox(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditoutbox DISABLE TRIGGER USER")
        cursor.execute(sql, params or [])
        cursor.execute("ALTER TABLE audit_auditoutbox ENABLE TRIGGER USER")


def pending(action: str = "consent.withdraw", **kwargs) -> AuditOutbox:
    with transaction.atomic():
        return audit_record(actor="system:test", action=action, object_type="consent.consent", object_id=7, **kwargs)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditoutbox SET reason = 'nothing happened'",
        "UPDATE audit_auditoutbox SET occurred_at = occurred_at - interval '30 days'",
    ],
)
def test_a_pending_event_cannot_be_edited_or_back_dated(db, sql):
    pending()
    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic(), connection.cursor() as c:
        c.execute(sql)


def test_a_pending_event_cannot_be_deleted_except_by_the_drain(db):
    row = pending()
    with pytest.raises(DatabaseError, match="removed only by the drain"), transaction.atomic():
        AuditOutbox.objects.filter(pk=row.pk).delete()
    assert audit_drain() == 1
    assert not AuditOutbox.objects.exists()


def test_the_database_sets_the_time_of_a_pending_event(db):
    row = pending()
    copy = {
        f: getattr(row, f)
        for f in ("actor_type", "actor_id", "actor_label", "on_behalf_of", "action", "object_type", "object_id")
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditoutbox (occurred_at, actor_type, actor_id, actor_label, on_behalf_of, action, "
            "object_type, object_id, reason, request_id, user_agent, nonce, mac) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', '', '', 'other-nonce', %s) RETURNING occurred_at",
            [timezone.now() - timedelta(days=400), *copy.values(), row.mac],
        )
        stored = cursor.fetchone()[0]
    assert abs(stored - timezone.now()) < timedelta(minutes=1)


def test_a_copy_of_a_pending_event_is_refused(db):
    row = pending()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditoutbox (occurred_at, actor_type, actor_id, actor_label, on_behalf_of, action,"
            " object_type, object_id, reason, request_id, user_agent, nonce, mac)"
            " SELECT occurred_at, actor_type, actor_id, actor_label, on_behalf_of, action, object_type, object_id,"
            " reason, request_id, user_agent, nonce, mac FROM audit_auditoutbox WHERE id = %s",
            [row.pk],
        )


def test_an_unsigned_pending_event_is_refused(db):
    with pytest.raises(DatabaseError, match="only by audit_record"), transaction.atomic(), connection.cursor() as c:
        c.execute(
            "INSERT INTO audit_auditoutbox (occurred_at, actor_type, actor_id, actor_label, on_behalf_of, action,"
            " object_type, object_id, reason, request_id, user_agent, nonce, mac)"
            " VALUES (now(), 'system', '', 'system', '', 'consent.withdraw', '', '', '', '', '', 'n', '')"
        )


def test_a_row_without_a_time_gets_the_statements_time(db):
    """The import's COPY leaves ``occurred_at`` out: the column's default is the statement's time, which is what
    the stamping trigger gives (its function is then skipped: specimens migration 0006)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp() - interval '1 second'")
        before = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO audit_auditoutbox (actor_type, actor_id, actor_label, on_behalf_of, action, object_type,"
            " object_id, reason, request_id, user_agent, nonce, mac)"
            " SELECT 'system', '', 'system', '', 'consent.withdraw', '', '', '', '', '', 'n' || g, repeat('ab', 32)"
            " FROM generate_series(1, 3) g RETURNING occurred_at, statement_timestamp()"
        )
        stamped = cursor.fetchall()
    assert {occurred for occurred, _statement in stamped} == {stamped[0][1]}
    assert stamped[0][1] > before


@pytest.mark.parametrize(
    "mac",
    [None, "", "AB" * 32, "ab" * 31, "ab" * 31 + "a", "g" * 64, "ab" * 31 + "a\n", "é" + "a" * 63, " " + "a" * 63],
)
def test_a_malformed_signature_is_refused_whether_the_time_is_given_or_not(db, mac):
    for columns, time in (("", ""), ("occurred_at, ", "now(), ")):
        with (
            pytest.raises(DatabaseError, match=r"only by audit_record|null value"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                f"INSERT INTO audit_auditoutbox ({columns}actor_type, actor_id, actor_label, on_behalf_of, action,"
                " object_type, object_id, reason, request_id, user_agent, nonce, mac)"
                f" VALUES ({time}'system', '', 'system', '', 'consent.withdraw', '', '', '', '', '', 'n', %s)",
                [mac],
            )


@pytest.fixture
def auditor(biobank_a):
    from biobank.accounts.choices import Role

    return make_member(biobank_a, Role.AUDITOR, email="auditor-outbox@example.org")


@pytest.mark.parametrize(
    ("tamper", "params"),
    [
        ("UPDATE audit_auditoutbox SET action = 'consent.record' WHERE id = %s", None),  # edited content
        ("UPDATE audit_auditoutbox SET mac = repeat('0', 64) WHERE id = %s", None),  # forged signature
        ("UPDATE audit_auditoutbox SET biobank_id = NULL WHERE id = %s", None),  # moved out of a biobank's view
    ],
)
def test_a_tampered_pending_event_is_quarantined_reported_and_never_chained(
    db, auditor, biobank_a, django_capture_on_commit_callbacks, tamper, params
):
    record_events(2, biobank=biobank_a)
    victim = pending(biobank=biobank_a)
    record_events(1, biobank=biobank_a)
    as_superuser_on_outbox(tamper, [victim.pk])

    with django_capture_on_commit_callbacks(execute=True):
        audit_drain()

    assert not AuditOutbox.objects.exists()
    assert not AuditEvent.objects.filter(object_type="consent.consent").exists()
    assert AuditEvent.objects.filter(action="collection.update").count() == 3  # the honest neighbours are chained
    [kept] = AuditOutboxQuarantine.objects.all()
    assert kept.outbox_id == victim.pk
    [report] = AuditEvent.objects.filter(action="audit.outbox_tampered")
    assert report.details["outbox_ids"] == [victim.pk]
    assert [m.to for m in mail.outbox] == [[auditor.email]]
    assert "quarantined" in mail.outbox[0].subject
    assert audit_verify().ok


def test_an_honest_pending_event_keeps_everything_it_recorded(db):
    row = pending(
        reason="tab\there, ümlaut, 数据",
        details={"note": "x", "when": timezone.now().date()},
        changes={"status": ["active", "withdrawn"]},
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT occurred_at FROM audit_auditoutbox WHERE id = %s", [row.pk])
        occurred_at = cursor.fetchone()[0]
    assert audit_drain() == 1
    event = AuditEvent.objects.get()
    assert (event.reason, event.occurred_at) == (row.reason, occurred_at)
    assert not AuditOutboxQuarantine.objects.exists()


def test_a_batch_moved_in_chunks_chains_every_honest_row_in_order_around_tampered_ones(
    db, auditor, biobank_a, django_capture_on_commit_callbacks, monkeypatch
):
    """The drain moves a batch in chunks while it hashes the next one (``MOVE_CHUNK``): with chunks of 3 and batches
    of 7, 20 events span several chunks and batches; two tampered rows in the middle — one the first of a chunk,
    one inside another — are quarantined, and the 18 honest ones are chained gap-free in the order recorded."""
    from biobank.audit import chaining

    monkeypatch.setattr(chaining, "MOVE_CHUNK", 3)
    base = audit_drain()  # what the fixtures recorded
    record_events(20, biobank=biobank_a)
    ids = list(AuditOutbox.objects.order_by("id").values_list("id", flat=True))
    tampered = [ids[6], ids[11]]  # batch 1, chunk 1, first row; batch 2, chunk 2, second row
    as_superuser_on_outbox("UPDATE audit_auditoutbox SET reason = 'edited' WHERE id = ANY(%s)", [tampered])

    with django_capture_on_commit_callbacks(execute=True):
        chained = audit_drain(batch_size=7)

    actions = list(AuditEvent.objects.filter(seq__gt=base).order_by("seq").values_list("action", flat=True))
    assert actions[:18] == ["collection.update"] * 18, actions
    assert actions.count("audit.outbox_tampered") == 2, actions  # one report per batch that found a tampered row
    assert sorted(AuditOutboxQuarantine.objects.values_list("outbox_id", flat=True)) == tampered
    events = list(AuditEvent.objects.filter(seq__gt=base).order_by("seq").values_list("seq", "object_id", "action"))
    assert chained == len(events) and [seq for seq, _, _ in events] == list(range(base + 1, base + chained + 1))
    honest = [object_id for _, object_id, action in events if action != "audit.outbox_tampered"]
    assert honest == [str(n) for n in range(20) if ids[n] not in tampered]
    assert not AuditOutbox.objects.exists()
    assert audit_verify().ok
