"""The database refuses to change or delete audit events, whichever role asks."""

from __future__ import annotations

import os

import pytest
from django.db import DatabaseError, connection, transaction

from biobank.audit.models import AuditEvent
from tests.audit.factories import chain_of


@pytest.fixture
def chain(db):
    chain_of(3)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET reason = 'changed' WHERE seq = 2",
        "DELETE FROM audit_auditevent WHERE seq = 2",
        "DELETE FROM audit_auditevent WHERE false",
    ],
)
def test_update_and_delete_from_the_applications_role_fail(chain, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.count() == 3


def test_truncate_fails_outside_the_test_runners_flush(chain):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL biobank.audit_strict = 'on'")
        cursor.execute("TRUNCATE audit_auditevent")


def test_the_orm_cannot_update_or_delete_events_either(chain):
    """The manager refuses before the database has to (issue 9, item 11); the trigger above still stands behind."""
    with pytest.raises(TypeError, match="cannot be updated"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(reason="x")
    with pytest.raises(TypeError, match="cannot be deleted"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).delete()
    event = AuditEvent.objects.get(seq=1)
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


def test_a_role_with_every_table_privilege_still_cannot_change_the_log(chain):
    """The production role owns no superuser rights; even GRANT ALL does not get past the trigger."""
    role = f"audit_app_test_{os.getpid()}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT ALL ON audit_auditevent TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
        for sql in ("UPDATE audit_auditevent SET reason = 'x'", "DELETE FROM audit_auditevent"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(sql)
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        assert cursor.fetchone()[0] == 3
        transaction.set_rollback(True)  # drops the role again


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (lambda: AuditEvent.objects.bulk_create([AuditEvent(seq=99, action="x.y")]), "bulk-created"),
        (lambda: AuditEvent.objects.bulk_update(list(AuditEvent.objects.all()), ["reason"]), "bulk-updated"),
        (lambda: AuditEvent.objects.update(reason="x"), "updated"),
        (lambda: AuditEvent.objects.all().delete(), "deleted"),
        (lambda: AuditEvent.objects.update_or_create(seq=1, defaults={"reason": "x"}), "updated"),
    ],
)
def test_the_manager_refuses_bulk_writes_that_would_bypass_the_chain(chain, write, message):
    """Issue 9, item 11: ``bulk_create`` used to insert unchained rows, since it never calls ``save()``."""
    with pytest.raises(TypeError, match=f"cannot be {message}"), transaction.atomic():
        write()
    assert AuditEvent.objects.count() == 3
    assert not AuditEvent.objects.filter(seq=99).exists()
