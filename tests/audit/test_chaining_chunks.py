"""The drain moves a batch in chunks that start small and double: every row once, in order, the chain gap-free."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from biobank.audit import chaining
from biobank.audit.models import AuditEvent, AuditOutbox, AuditOutboxQuarantine
from biobank.audit.services import audit_drain, audit_verify
from tests.audit.factories import record_events
from tests.audit.test_models_outbox_protection import as_superuser_on_outbox


def test_chunks_start_at_the_first_size_and_double_up_to_the_move_size(monkeypatch):
    monkeypatch.setattr(chaining, "FIRST_CHUNK", 2)
    monkeypatch.setattr(chaining, "MOVE_CHUNK", 5)

    sizes = [len(chunk) for chunk in chaining._chunks([(n,) for n in range(20)])]

    assert sizes == [2, 4, 5, 5, 4]


@given(rows=st.integers(0, 400), first=st.integers(1, 50), most=st.integers(1, 120))
def test_chunks_hold_every_row_once_in_order_and_none_is_larger_than_a_move(rows, first, most):
    original = chaining.FIRST_CHUNK, chaining.MOVE_CHUNK
    chaining.FIRST_CHUNK, chaining.MOVE_CHUNK = first, most
    try:
        chunks = list(chaining._chunks([(n,) for n in range(rows)]))
    finally:
        chaining.FIRST_CHUNK, chaining.MOVE_CHUNK = original

    assert [row for chunk in chunks for row in chunk] == [(n,) for n in range(rows)]
    # every chunk but the last is full: first, twice that, four times, ... never more than a move's rows
    full = [min(first * 2**number, most) for number in range(len(chunks))]
    assert [len(chunk) for chunk in chunks[:-1]] == full[:-1]
    assert all(0 < len(chunk) <= full[-1] for chunk in chunks[-1:])


@pytest.mark.django_db
def test_a_drain_in_growing_chunks_chains_every_honest_row_in_order(biobank_a, monkeypatch):
    """Batches of 11 in chunks of 1, 2, 4, 4: a tampered row in the first chunk of a batch and one in a later chunk
    are quarantined; the seqs of each chunk run on from the previous chunk's, and the chain verifies."""
    monkeypatch.setattr(chaining, "FIRST_CHUNK", 1)
    monkeypatch.setattr(chaining, "MOVE_CHUNK", 4)
    base = audit_drain()
    record_events(30, biobank=biobank_a)
    ids = list(AuditOutbox.objects.order_by("id").values_list("id", flat=True))
    tampered = [ids[11], ids[16]]  # batch 2: its first row (chunk 1), and its sixth (chunk 3)
    as_superuser_on_outbox("UPDATE audit_auditoutbox SET reason = 'edited' WHERE id = ANY(%s)", [tampered])

    chained = audit_drain(batch_size=11)

    events = list(AuditEvent.objects.filter(seq__gt=base).order_by("seq").values_list("seq", "object_id", "action"))
    assert [seq for seq, _, _ in events] == list(range(base + 1, base + chained + 1))
    honest = [object_id for _, object_id, action in events if action != "audit.outbox_tampered"]
    assert honest == [str(n) for n in range(30) if ids[n] not in tampered]
    assert sorted(AuditOutboxQuarantine.objects.values_list("outbox_id", flat=True)) == tampered
    assert not AuditOutbox.objects.exists()
    assert audit_verify().ok
