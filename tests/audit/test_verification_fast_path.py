"""The verifier reads most COPY lines on a fast path (no backslash but NULL markers) and the rest field by field:
any text verifies on whichever path it takes, and a change to it is found on either."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from biobank.audit.models import AuditEvent
from biobank.audit.services import audit_drain, audit_record, audit_verify
from tests.audit.conftest import as_superuser

pytestmark = pytest.mark.django_db

# backslashes, the letter of the NULL marker, what COPY escapes, and what JSON escapes
PIECES = ["\\", "N", "\\N", "\t", "\n", "\r", "\x01", "\x7f", '"', "a", "é", "数"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reason=TEXT, agent=TEXT, note=st.none() | TEXT)
def test_any_text_verifies_and_a_change_to_it_is_found(reason, agent, note):
    as_superuser("DELETE FROM audit_auditevent")  # each example its own chain (inside the test's transaction)
    with transaction.atomic():
        audit_record(
            actor="system:test", action="thing.touch", reason=reason or None, changes={"note": note},
            details={"agent": agent},
        )  # fmt: skip
        audit_record(actor="system:test", action="thing.touch", reason="second")
    audit_drain()

    result = audit_verify(checkpoint=[])
    assert result.ok and result.count == 2, result.message

    first = AuditEvent.objects.order_by("seq").first()
    assert first is not None
    as_superuser("UPDATE audit_auditevent SET reason = %s WHERE seq = %s", [(reason or "") + "\\N", first.seq])
    broken = audit_verify(checkpoint=[])
    assert (broken.ok, broken.reason, broken.broken_seq) == (False, "hash_mismatch", first.seq)
