"""The periodic tasks: drain every minute, checkpoint every five, verify nightly and alert people when it fails."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.core import mail

from biobank.accounts.choices import Role
from biobank.audit import tasks
from biobank.audit.models import AuditEvent, AuditVerification
from biobank.audit.services import checkpoint_write
from tests.accounts.factories import make_member
from tests.audit.conftest import as_superuser
from tests.audit.factories import chain_of, record_events


def test_beat_runs_the_drain_the_checkpoint_and_the_nightly_verification():
    schedule = {entry["task"]: entry["schedule"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["audit.drain"] == 60.0
    assert schedule["audit.checkpoint"] == 60.0  # at least every minute while events arrive (issue 9, item 9)
    assert "audit.verify" in schedule


def test_the_drain_task_is_idempotent(db):
    record_events(5)
    assert tasks.drain.apply().get() == 5
    assert tasks.drain.apply().get() == 0
    assert AuditEvent.objects.count() == 5


def test_the_checkpoint_task_signs_the_head(db, settings):
    chain_of(3)
    assert tasks.checkpoint.apply().get() == 3


def test_the_nightly_verification_records_a_good_result_quietly(db, biobank_a):
    chain_of(4)
    checkpoint_write()
    assert tasks.verify.apply().get() is True
    verification = AuditVerification.objects.get()
    # the head it verified: its own result is chained after it (audit.verified, issue 9, item 13)
    head = AuditEvent.objects.exclude(action="audit.verified").order_by("-seq").first().seq
    assert (verification.ok, verification.triggered_by, verification.checkpoint_seq) == (
        True,
        "system:nightly-verify",
        head,
    )
    assert mail.outbox == []


def test_a_failed_nightly_verification_alerts_auditors_and_admins(db, biobank_a, biobank_b, admin_a, auditor_a):
    make_member(biobank_b, Role.TECHNICIAN, email="tech-b@example.org")
    chain_of(6)
    as_superuser("UPDATE audit_auditevent SET action = 'forged.action' WHERE seq = 4")
    assert tasks.verify.apply().get() is False
    verification = AuditVerification.objects.get()
    assert (verification.ok, verification.first_broken_seq, verification.reason) == (False, 4, "hash_mismatch")
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["admin-a@example.org", "auditor-a@example.org"]
    assert "FAILED at entry 4" in mail.outbox[0].subject
    assert "entry 4 was altered" in mail.outbox[0].body
