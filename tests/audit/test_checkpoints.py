"""Signed checkpoints: HMAC lines in a file outside the database (and syslog), a key created once with mode 0600."""

from __future__ import annotations

import json
import socket
import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from biobank.audit.checkpoints import CheckpointError, checkpoints_read, hmac_key
from biobank.audit.models import AuditEvent
from biobank.audit.services import checkpoint_write
from tests.audit.factories import chain_of


def test_a_checkpoint_signs_the_chain_head(db, settings):
    assert checkpoint_write() is None  # nothing to sign yet
    chain_of(4)
    written = checkpoint_write()
    head = AuditEvent.objects.get(seq=4)
    assert (written.seq, written.hash) == (4, head.hash)
    [line] = Path(settings.AUDIT_CHECKPOINT_PATH).read_text().splitlines()
    data = json.loads(line)
    assert data["seq"] == 4 and data["hash"] == head.hash and data["time"].endswith("Z") and len(data["mac"]) == 64
    assert checkpoints_read()[0].seq == 4


def test_the_key_is_created_once_and_readable_only_by_its_owner(db, settings):
    key = hmac_key()
    assert hmac_key() == key
    assert stat.S_IMODE(settings.AUDIT_HMAC_KEY_FILE.stat().st_mode) == 0o600


def test_production_refuses_to_invent_a_key(db, settings):
    settings.AUDIT_HMAC_KEY_AUTOCREATE = False
    with pytest.raises(ImproperlyConfigured, match="AUDIT_HMAC_KEY_FILE"):
        hmac_key()


def test_a_line_signed_with_another_key_is_rejected(db, settings, tmp_path):
    chain_of(2)
    checkpoint_write()
    settings.AUDIT_HMAC_KEY_FILE = tmp_path / "other.key"
    with pytest.raises(CheckpointError, match="invalid signature"):
        checkpoints_read()


def test_checkpoints_can_go_to_syslog_too(db, settings):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    settings.AUDIT_CHECKPOINT_SYSLOG = True
    settings.AUDIT_CHECKPOINT_SYSLOG_ADDRESS = f"127.0.0.1:{receiver.getsockname()[1]}"
    chain_of(2)
    written = checkpoint_write()
    message = receiver.recv(4096).decode()
    receiver.close()
    assert "biobank-audit-checkpoint" in message
    assert written.hash in message
