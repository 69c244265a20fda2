"""Without a broker, `make run` chains audit events in a background thread: the request does not wait for it."""

import pytest
from django.db import transaction

from biobank.audit.models import AuditEvent, AuditOutbox
from biobank.audit.services import audit_dispatch_wait, audit_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_committed_change_is_chained_by_the_background_thread(settings):
    settings.AUDIT_DRAIN_INLINE = False

    with transaction.atomic():
        audit_record(actor="system:test", action="test.background", object_type="test.thing", object_id=1)

    assert audit_dispatch_wait(10.0)
    assert AuditEvent.objects.filter(action="test.background").count() == 1
    assert not AuditOutbox.objects.exists()


def test_a_rolled_back_change_leaves_nothing_for_the_thread(settings):
    settings.AUDIT_DRAIN_INLINE = False

    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor="system:test", action="test.rollback", object_type="test.thing", object_id=2)
        raise RuntimeError("the service failed")

    assert audit_dispatch_wait(10.0)
    assert not AuditEvent.objects.filter(action="test.rollback").exists()
    assert not AuditOutbox.objects.exists()
