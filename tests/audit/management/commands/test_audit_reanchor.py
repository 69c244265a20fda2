"""Durable checkpoints and the procedure after a restore (issue 9, item 12): a checkpoint only names a head that is
already on disk, and after a restore an operator re-anchors the chain — signed, reasoned, audited, reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from biobank.audit.checkpoints import checkpoints_read
from biobank.audit.models import AuditEvent
from biobank.audit.services import audit_drain, audit_verify, checkpoint_write
from tests.audit.conftest import as_superuser
from tests.audit.factories import chain_of, record_events

REASON = "Restored from the nightly backup of 5 December after the disk failure"


def test_the_drain_commits_durably_even_where_the_server_commits_asynchronously(db):
    """A checkpoint reads the head another session can see; PostgreSQL shows a synchronous commit to others only
    after its WAL is flushed. So a crash right after a checkpoint can no longer lose the head it names."""
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")  # e.g. the server's default, for speed
        cursor.execute("CREATE TABLE durability_seen (setting text)")
        cursor.execute(
            "CREATE FUNCTION durability_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO durability_seen VALUES (current_setting('synchronous_commit')); RETURN NULL; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER durability_note AFTER INSERT ON audit_auditevent "
            "FOR EACH STATEMENT EXECUTE FUNCTION durability_note()"
        )
    chain_of(3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM durability_seen")
        assert [row[0] for row in cursor.fetchall()] == ["on"]


def restore_to(seq: int) -> None:
    """What a restore from a backup taken at head ``seq`` leaves: the later entries are gone."""
    as_superuser("DELETE FROM audit_auditevent WHERE seq > %s", [seq])


@pytest.fixture
def restored(db):
    """Checkpoints at 10 and 15, then a restore from a backup taken at 12, then two new events chained."""
    chain_of(10)
    checkpoint_write()
    chain_of(5)
    checkpoint_write()
    restore_to(12)
    chain_of(2, action="specimen.move")  # the portal carries on: seq 13 and 14, unlike what the checkpoint signed


def test_after_a_restore_verification_fails_until_an_operator_re_anchors(restored, capsys):
    before = audit_verify()
    assert (before.ok, before.reason) == (False, "missing_rows")

    call_command("audit_reanchor", "--reason", REASON, "--operator", "ops-oncall")

    out = capsys.readouterr().out
    assert "Re-anchored at seq 15" in out and "above seq 10 set aside (1)" in out
    [event] = AuditEvent.objects.filter(action="audit.reanchor")
    assert event.seq == 15 and event.reason == REASON and event.on_behalf_of == "ops-oncall"
    assert event.details["after_seq"] == 10 and event.details["checkpoints_set_aside"] == [15]
    assert event.details["broken"]["reason"] == "missing_rows"
    anchor = checkpoints_read()[-1]
    assert (anchor.kind, anchor.seq, anchor.after, anchor.by, anchor.reason) == ("anchor", 15, 10, "ops-oncall", REASON)

    after = audit_verify()
    assert after.ok, after.message
    assert any("re-anchored at seq 15" in note and REASON in note for note in after.notes)
    chain_of(3)
    checkpoint_write()
    assert audit_verify().ok  # and it stays so


def test_the_anchor_does_not_excuse_tampering_before_it(restored):
    call_command("audit_reanchor", "--reason", REASON, "--operator", "ops-oncall")
    as_superuser("UPDATE audit_auditevent SET reason = 'changed' WHERE seq = 4")
    assert (audit_verify().broken_seq, audit_verify().reason) == (4, "hash_mismatch")


def test_the_reason_of_an_anchor_cannot_be_edited(restored, settings):
    call_command("audit_reanchor", "--reason", REASON, "--operator", "ops-oncall")
    path = Path(settings.AUDIT_CHECKPOINT_PATH)
    lines = path.read_text().splitlines()
    edited = json.loads(lines[-1]) | {"reason": "Routine maintenance, nothing to see"}
    path.write_text("\n".join([*lines[:-1], json.dumps(edited)]) + "\n")
    result = audit_verify()
    assert (result.ok, result.reason) == (False, "bad_checkpoint")


@pytest.mark.parametrize("reason", ["", ".", "restore", "\u200b"])
def test_re_anchoring_needs_a_reason_in_words(restored, reason):
    with pytest.raises(CommandError, match="Reason"):
        call_command("audit_reanchor", "--reason", reason, "--operator", "ops-oncall")
    assert not AuditEvent.objects.filter(action="audit.reanchor").exists()


def test_an_intact_chain_is_not_re_anchored(db):
    chain_of(4)
    checkpoint_write()
    with pytest.raises(CommandError, match="nothing to re-anchor"):
        call_command("audit_reanchor", "--reason", REASON, "--operator", "ops-oncall")
    assert not AuditEvent.objects.filter(action="audit.reanchor").exists()


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_auditevent SET reason = 'changed' WHERE seq = 12",  # an altered entry
        "DELETE FROM audit_auditevent WHERE seq = 11",  # a deleted one
    ],
)
def test_a_tampered_chain_is_not_re_anchored(restored, tamper):
    as_superuser(tamper)
    with pytest.raises(CommandError, match="would hide it"):
        call_command("audit_reanchor", "--reason", REASON, "--operator", "ops-oncall")
    assert checkpoints_read()[-1].kind == "checkpoint"
    assert not audit_verify().ok


def test_a_restore_that_lost_only_unsigned_work_needs_no_anchor(db):
    """A restore newer than the last checkpoint loses nothing a checkpoint signed: verification passes as is."""
    chain_of(6)
    checkpoint_write()
    record_events(3)
    audit_drain()
    restore_to(7)
    assert audit_verify().ok
