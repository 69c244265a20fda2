"""Several processes, each with its own database connection, writing and draining at once make one linear chain."""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connections, transaction

from biobank.audit.models import AuditEvent, AuditOutbox
from biobank.audit.services import audit_drain, audit_record, audit_verify

PROCESSES = 4
WRITES = 40


def _writer(number: int) -> None:
    connections.close_all()  # never share the parent's socket
    for write in range(WRITES):
        with transaction.atomic():
            audit_record(actor=f"system:writer-{number}", action="thing.touch", object_type="x.thing", object_id=write)
        if write % 5 == 0:
            audit_drain(batch_size=7)  # besides the drain each commit runs (eager tasks in tests)
    audit_drain(batch_size=3)
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_drainers_produce_one_gap_free_chain():
    connections.close_all()
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_writer, args=(number,)) for number in range(PROCESSES)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [process.exitcode for process in processes] == [0] * PROCESSES

    audit_drain()
    assert AuditOutbox.objects.count() == 0
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, PROCESSES * WRITES + 1))
    for number in range(PROCESSES):
        assert AuditEvent.objects.filter(actor_id=f"writer-{number}").count() == WRITES
    result = audit_verify()
    assert result.ok, result.message
    assert result.count == PROCESSES * WRITES
