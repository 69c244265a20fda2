"""``manage.py verify_audit_chain``: the count verified, and on tamper the first broken seq, with exit status 1."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from biobank.audit.models import AuditVerification
from biobank.audit.services import checkpoint_write
from tests.audit.conftest import as_superuser
from tests.audit.factories import chain_of, record_events


def test_an_intact_chain_exits_zero_and_prints_the_count(db, capsys):
    chain_of(12)
    checkpoint_write()
    record_events(3)  # pending events are chained first
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "OK: 15 entries verified (seq 1 to 15), consistent with the checkpoint at seq 12" in out
    assert AuditVerification.objects.get().ok


def test_a_tampered_chain_exits_one_and_names_the_first_broken_seq(db, capsys):
    chain_of(12)
    as_superuser("UPDATE audit_auditevent SET object_id = '999' WHERE seq = 9")
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit_chain")
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert "Verified 8 entries before the break." in captured.out
    assert "TAMPERED at seq 9 (hash_mismatch)" in captured.err
    verification = AuditVerification.objects.get()
    assert (verification.ok, verification.first_broken_seq) == (False, 9)


def test_from_checkpoint_without_a_checkpoint_exits_two(db, capsys):
    chain_of(2)
    with pytest.raises(CommandError, match="no signed checkpoint") as error:
        call_command("verify_audit_chain", "--from-checkpoint")
    assert error.value.returncode == 2  # the exit status of manage.py


def test_from_checkpoint_verifies_only_the_new_entries(db, capsys):
    chain_of(20)
    checkpoint_write()
    chain_of(4)
    call_command("verify_audit_chain", "--from-checkpoint")
    assert "OK: 5 entries verified (seq 20 to 24)" in capsys.readouterr().out


def test_without_a_checkpoint_the_command_warns_that_a_rewrite_would_go_unnoticed(db, capsys):
    chain_of(1)
    call_command("verify_audit_chain")
    assert "no signed checkpoint" in capsys.readouterr().err
