"""Verification results cannot be made to say "intact" (issue 9, item 13): each is signed and chained."""

from __future__ import annotations

from biobank.audit.models import AuditEvent, AuditVerification
from biobank.audit.selectors import latest_verification
from biobank.audit.services import audit_verification_run
from tests.audit.conftest import as_superuser
from tests.audit.factories import chain_of


def break_and_verify() -> AuditVerification:
    chain_of(6)
    as_superuser("UPDATE audit_auditevent SET reason = 'forged' WHERE seq = 3")
    audit_verification_run(actor="system:test")
    return AuditVerification.objects.latest()


def test_a_verification_is_stored_signed_and_chained(db):
    chain_of(4)
    result = audit_verification_run(actor="system:test")
    row = AuditVerification.objects.get()
    assert row.mac and row.authentic
    [event] = AuditEvent.objects.filter(action="audit.verified")
    assert event.details["verification_id"] == row.pk and event.details["ok"] is True
    assert event.details["count"] == result.count == 4
    assert latest_verification().tampered is False


def test_an_edited_result_is_shown_as_tampered_not_intact(db, client, auditor_a):
    row = break_and_verify()
    AuditVerification.objects.filter(pk=row.pk).update(ok=True, first_broken_seq=None, reason="", message="")
    assert latest_verification().tampered is True
    client.force_login(auditor_a)
    page = client.get("/audit/").content.decode()
    assert "Result tampered with" in page and "Intact" not in page


def test_a_deleted_newer_result_is_noticed(db):
    chain_of(3)
    audit_verification_run(actor="system:test")  # intact
    newest = break_and_verify()
    AuditVerification.objects.filter(pk=newest.pk).delete()
    assert AuditVerification.objects.latest().ok is True
    assert latest_verification().tampered is True


def test_deleting_every_result_does_not_read_as_never_verified(db):
    chain_of(3)
    audit_verification_run(actor="system:test")
    AuditVerification.objects.all().delete()
    shown = latest_verification()
    assert shown is not None and shown.tampered is True


def test_a_result_re_signed_with_another_key_is_tampered(db, settings, tmp_path):
    chain_of(2)
    audit_verification_run(actor="system:test")
    settings.AUDIT_HMAC_KEY_FILE = tmp_path / "other.key"
    assert latest_verification().tampered is True


def test_an_honest_failed_result_is_shown_as_broken(db, client, auditor_a):
    break_and_verify()
    client.force_login(auditor_a)
    page = client.get("/audit/").content.decode()
    assert "Broken" in page and "Result tampered with" not in page
