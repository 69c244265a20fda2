"""Recording events: one per change, none for a rolled-back change, set-based for bulk, masked where it must be."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from biobank.audit.canonical import canonical_entry
from biobank.audit.models import AuditEvent, AuditOutbox
from biobank.audit.services import audit_drain, audit_record, audit_record_many
from catalog import services as catalog_services


@pytest.fixture
def collection(biobank_a):
    return catalog_services.collection_create(actor=None, biobank=biobank_a, code="crc", name="CRC")


def test_a_change_makes_exactly_one_event(collection, admin_a):
    catalog_services.collection_update(actor=admin_a, collection=collection, name="Colorectal cancer")
    audit_drain()
    events = list(AuditEvent.objects.filter(action="collection.update"))
    assert len(events) == 1
    assert events[0].changes == {"name": ["CRC", "Colorectal cancer"]}
    assert events[0].actor_label == "admin-a@example.org"
    assert events[0].biobank_id == collection.biobank_id
    assert AuditOutbox.objects.count() == 0


def test_a_rolled_back_change_makes_no_event(collection, admin_a):
    before = AuditOutbox.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        catalog_services.collection_update(actor=admin_a, collection=collection, name="Never saved")
        raise RuntimeError("the caller's transaction fails after the service")
    assert AuditOutbox.objects.count() == before
    audit_drain()
    assert not AuditEvent.objects.filter(action="collection.update").exists()


def test_an_update_that_changes_nothing_records_nothing(collection, admin_a):
    before = AuditOutbox.objects.count()
    catalog_services.collection_update(actor=admin_a, collection=collection, name="CRC")
    assert AuditOutbox.objects.count() == before


def test_a_bulk_record_of_n_rows_makes_n_outbox_rows_in_one_statement(biobank_a, django_assert_num_queries):
    entries = [
        {"object_type": "specimens.specimen", "object_id": n, "changes": {"box": [None, "B1"]}} for n in range(500)
    ]
    with transaction.atomic(), django_assert_num_queries(1):
        count = audit_record_many(actor="system:import", action="specimen.import", entries=entries, biobank=biobank_a)
    assert count == 500
    assert AuditOutbox.objects.filter(action="specimen.import", biobank=biobank_a).count() == 500
    assert audit_drain() >= 500
    assert AuditEvent.objects.filter(action="specimen.import").count() == 500


def test_the_drain_is_scheduled_once_per_transaction(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for number in range(3):
            audit_record(actor=None, action="thing.touch", object_type="x.thing", object_id=number)
    assert len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        audit_record(actor=None, action="thing.touch")


def test_an_action_must_be_entity_dot_verb(db):
    with pytest.raises(ValueError, match=r"entity\.verb"), transaction.atomic():
        audit_record(actor=None, action="Did Something")


def test_secrets_are_redacted_and_identifying_values_masked(db):
    with transaction.atomic():
        row = audit_record(
            actor="system:test",
            action="donor.update",
            changes={"password": ["old-secret", "new-secret"], "family_name": ["Smith", "Jones"], "note": ["a", "b"]},
            identifying=["note"],
        )
    row.refresh_from_db()
    assert row.changes == {
        "family_name": ["S***", "J***"],
        "note": ["a***", "b***"],
        "password": ["[redacted]", "[redacted]"],
    }
    assert "secret" not in json.dumps(row.changes)


def test_actors_are_named_by_kind(admin_a, biobank_a):
    from biobank.accounts.models import ApiToken
    from biobank.accounts.principals import TokenPrincipal
    from tests.accounts.factories import make_token

    make_token(biobank_a, "view_biobank", name="LIS")
    token = ApiToken.objects.get(name="LIS")
    with transaction.atomic():
        rows = [
            audit_record(actor=admin_a, action="thing.touch"),
            audit_record(actor=TokenPrincipal(token), action="thing.touch"),
            audit_record(actor="system:nightly-verify", action="thing.touch"),
            audit_record(actor=None, action="thing.touch", on_behalf_of=admin_a),
        ]
    assert [(r.actor_type, r.actor_id, r.actor_label) for r in rows] == [
        ("user", str(admin_a.pk), "admin-a@example.org"),
        ("token", str(token.pk), f"LIS ({token.key_prefix}…)"),
        ("system", "nightly-verify", "system:nightly-verify"),
        ("system", "", "system"),
    ]
    assert rows[1].biobank_id == biobank_a.pk  # a token acts within its biobank
    assert rows[3].on_behalf_of == "admin-a@example.org"


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


@given(
    action=text,
    label=text,
    reason=text,
    changes=st.none() | st.dictionaries(text, st.lists(st.none() | text | st.integers(), min_size=2, max_size=2)),
    biobank_id=st.none() | st.integers(min_value=1, max_value=2**62),
)
def test_the_canonical_entry_is_json_with_sorted_keys_and_no_whitespace(action, label, reason, changes, biobank_id):
    changes_text = (
        None if changes is None else json.dumps(changes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    )
    entry = {
        "seq": 42,
        "chained_at": "2025-01-31T12:00:00.000001Z",
        "action": action,
        "actor_id": "7",
        "actor_label": label,
        "actor_type": "user",
        "biobank_id": biobank_id,
        "changes": changes,
        "client_ip": "2001:db8::1",
        "details": None,
        "object_id": "x\ty",
        "object_type": "catalog.collection",
        "occurred_at": "2025-01-31T11:59:59.999999Z",
        "on_behalf_of": "",
        "reason": reason,
        "request_id": "abc",
        "user_agent": 'Mozilla "quoted" \\ back',
    }
    expected = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    args = {**entry, "changes": changes_text}
    seq, chained_at = args.pop("seq"), args.pop("chained_at")
    assert canonical_entry(seq, chained_at, **args) == expected
