"""The client address of an audit event is hashed exactly as it is stored and shown (issue 9, item 14).

The hash used to cover ``host(client_ip)`` while pages, API and CSV show the column itself: a superuser could store
``10.1.1.244/8`` for ``10.1.1.244`` and verification still said "intact". Now the canonical form carries the address
as PostgreSQL displays it, and the database stores host addresses only.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from biobank.audit.canonical import canonical_entry, content_select
from biobank.audit.context import reset_request_context, set_request_context
from biobank.audit.models import AuditEvent
from biobank.audit.services import audit_drain, audit_record, audit_verify
from tests.audit.conftest import as_superuser

pytestmark = pytest.mark.django_db


def record_from(address: str) -> AuditEvent:
    token = set_request_context(client_ip=address, user_agent="Firefox/120")
    try:
        with transaction.atomic():
            audit_record(actor="system:test", action="collection.update", object_type="catalog.collection")
    finally:
        reset_request_context(token)
    audit_drain()
    return AuditEvent.objects.order_by("-seq").first()


def canonical_of(seq: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT seq, to_char(chained_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
            f"{content_select()} FROM audit_auditevent WHERE seq = %s",
            [seq],
        )
        return canonical_entry(*cursor.fetchone())


def test_the_stored_client_address_is_part_of_the_hashed_canonical_form(db):
    event = record_from("10.1.1.244")
    assert event.client_ip == "10.1.1.244"
    assert '"client_ip":"10.1.1.244"' in canonical_of(event.seq)


def test_changing_the_client_address_of_an_event_is_detected(db):
    event = record_from("10.1.1.244")
    record_from("10.1.1.245")
    as_superuser("UPDATE audit_auditevent SET client_ip = '192.0.2.7' WHERE seq = %s", [event.seq])

    result = audit_verify()

    assert (result.ok, result.broken_seq, result.reason) == (False, event.seq, "hash_mismatch")


def test_a_netmask_added_to_the_shown_address_is_detected(db):
    """Only by someone who first drops the database's rule (below): the hash now covers what the pages show."""
    event = record_from("10.1.1.244")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DROP CONSTRAINT IF EXISTS audit_event_client_ip_host")
    as_superuser("UPDATE audit_auditevent SET client_ip = '10.1.1.244/8' WHERE seq = %s", [event.seq])
    assert AuditEvent.objects.get(seq=event.seq).client_ip == "10.1.1.244/8"  # what the auditor is shown

    result = audit_verify()

    assert (result.ok, result.broken_seq, result.reason) == (False, event.seq, "hash_mismatch")


@pytest.mark.parametrize("table", ["audit_auditevent", "audit_auditoutbox"])
def test_the_database_refuses_a_client_address_with_a_netmask(db, table):
    event = record_from("2001:db8::1")
    assert '"client_ip":"2001:db8::1"' in canonical_of(event.seq)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        if table == "audit_auditevent":
            cursor.execute("UPDATE audit_auditevent SET client_ip = '10.1.1.244/8' WHERE seq = %s", [event.seq])
        else:
            cursor.execute(
                "INSERT INTO audit_auditoutbox (occurred_at, actor_type, actor_id, actor_label, on_behalf_of, action,"
                " object_type, object_id, reason, request_id, client_ip, user_agent, nonce, mac) VALUES (now(),"
                " 'system', '', 'system', '', 'collection.update', '', '', '', '', '10.1.1.244/8', '', 'n1',"
                " repeat('a', 64))"
            )


def test_a_recorded_address_with_a_netmask_or_garbage_is_stored_as_nothing_rather_than_failing_the_change(db):
    assert record_from("10.1.1.244/8").client_ip is None
    assert record_from("not an address").client_ip is None
