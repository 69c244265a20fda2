"""A withdrawal's propagation (issue 13): through the outbox, to every specimen, count and the donor — once.

The end-to-end case of the issue: after a "no further use" withdrawal made in the donor portal, none of the donor's
specimens (aliquots and derivatives included, also those made later) is available, the disposal worklist lists
them, and the donor is absent from every new count and release; a withdrawal made while the broker is down
propagates fully when it is back.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from biobank.audit.models import AuditOutbox
from catalog.facts.engine import recompute
from catalog.facts.selectors import collection_sizes
from consent import gate, tasks
from consent.choices import PropagationStatus
from consent.models import DonorMessage, WithdrawalPropagation
from consent.services.portal import donor_self_withdraw
from consent.services.propagation import withdrawal_propagate
from consent.withdrawal_effects import register_withdrawal_effect, withdrawal_effects, withdrawn_donor_ids
from specimens.choices import EventType, SpecimenStatus
from specimens.models import Specimen, SpecimenEvent
from specimens.selectors.specimens import worklist
from specimens.services import AliquotPlan, specimen_derive, specimens_reserve, specimens_ship
from tests.consent.factories import record, texts
from tests.specimens.factories import make_collection, make_specimen

pytestmark = pytest.mark.django_db

S = SpecimenStatus


@pytest.fixture
def inventory(jane, biobank_a, consent_officer_a):
    """Jane's material: a primary with 3 aliquots and a derivative; one aliquot reserved, one shipped."""
    record(consent_officer_a, jane.donor, transfer_template(biobank_a), choices={"transfer": "accepted"})
    collection = make_collection(biobank_a)
    primary = make_specimen(
        collection=collection,
        donor=jane.donor,
        sample_type="BLD",
        quantity="9",
        aliquots=AliquotPlan(count=3, quantity="1", unit="mL"),
    )
    derivative = specimen_derive(
        actor=None, parent=primary, sample_type="PL1", used_quantity="2", used_unit="mL", quantity="1", unit="mL"
    )
    aliquots = list(Specimen.objects.filter(parent=primary, lineage="aliquot").order_by("pk"))
    specimens_reserve(actor=None, specimens=[aliquots[0]], purpose="GRU", reason="Study X")
    specimens_ship(actor=None, specimens=[aliquots[1]], purpose="GRU", recipient="Lab Y", reason="Study Y")
    return collection, primary, derivative, aliquots


def transfer_template(biobank):
    """A one-module form: sending biomaterial to other institutions (GRU), besides Jane's broad consent."""
    from consent import services

    policy = services.policy_create(
        actor=None,
        biobank=biobank,
        code="biomat-transfer",
        name="Send biomaterial",
        action="transfer",
        data_class="biomaterial",
        duo_terms=["GRU"],
    )
    module = services.module_create(
        actor=None, biobank=biobank, code="transfer", texts=texts("Transfer", "We may send samples."), policies=[policy]
    )
    template = services.template_create(
        actor=None,
        biobank=biobank,
        code="transfer",
        version_label="v1",
        texts={"en": {"title": "Transfer", "text": "Sending samples."}},
        modules=[module],
        consent_validity="P30Y",
    )
    return services.template_activate(actor=None, template=template)


def donors_specimens(jane):
    return Specimen.objects.filter(donor=jane.donor)


def test_after_no_further_use_nothing_of_the_donor_is_available_and_all_is_on_the_disposal_worklist(
    jane, inventory, biobank_a, django_capture_on_commit_callbacks
):
    collection, primary, derivative, aliquots = inventory
    recompute([collection.pk])
    assert collection_sizes([collection.pk], exact=True)[collection.pk][1] == 1  # one donor counted

    with django_capture_on_commit_callbacks(execute=True):
        donor_self_withdraw(account=jane.account, level="no_further_use", words="Please stop")

    row = WithdrawalPropagation.objects.get(donor=jane.donor)
    assert row.status == PropagationStatus.DONE
    assert set(row.steps) == {name for name, _effect in withdrawal_effects()}  # jsonb keeps no order
    assert row.steps["specimens.consent_block"]["result"] == {"blocked": 4, "reservations_cancelled": 1}
    assert row.steps["specimens.worklists"]["result"] == {"to_dispose": 4, "shipments_to_decide": 1}

    statuses = dict(donors_specimens(jane).values_list("pk", "status"))
    assert S.AVAILABLE not in statuses.values() and S.RESERVED not in statuses.values()
    assert statuses[aliquots[1].pk] == S.DISTRIBUTED  # at the recipient: a staff decision, not a status
    assert SpecimenEvent.objects.filter(specimen=aliquots[0], type=EventType.RESERVATION_RELEASED).exists()

    # a specimen registered for the donor after the withdrawal is blocked from the start
    late = make_specimen(collection=collection, donor=jane.donor)
    assert late.status == S.CONSENT_BLOCKED
    to_dispose = set(worklist(Specimen.objects.filter(biobank=biobank_a), "to_dispose").values_list("pk", flat=True))
    here = set(donors_specimens(jane).exclude(status=S.DISTRIBUTED).values_list("pk", flat=True))
    assert here == {primary.pk, derivative.pk, aliquots[0].pk, aliquots[2].pk, late.pk}
    assert here <= to_dispose

    # absent from every new count and release: the gate denies every use, the facts drop the donor
    today = timezone.localdate()
    for ask in (
        {"duo_purpose": "GRU", "data_class": "material", "action": "use"},
        {"duo_purpose": "GRU", "data_class": "material", "action": "transfer"},
        {"duo_purpose": "HMB", "data_class": "data", "action": "use"},
    ):
        assert not gate.permitted_many(donors=[jane.donor.pk], at=today, **ask)[jane.donor.pk].allowed, ask
    assert withdrawn_donor_ids([jane.donor.pk]) == {jane.donor.pk}
    recompute([collection.pk])
    assert collection_sizes([collection.pk], exact=True).get(collection.pk, (0, 0))[1] == 0

    # the donor is told, in the portal and by e-mail, and it is all in the audit trail
    assert DonorMessage.objects.filter(account=jane.account, kind="withdrawal_confirmation").count() == 1
    actions = set(AuditOutbox.objects.values_list("action", flat=True))
    assert {"donor.withdraw", "donor.portal_withdraw", "donor.withdrawal_propagated", "specimen.consent_block"} <= (
        actions
    )


def test_a_withdrawal_made_while_the_broker_is_down_propagates_when_it_is_back(
    jane, inventory, django_capture_on_commit_callbacks, caplog
):
    down = mock.patch.object(
        tasks.propagate_withdrawal, "delay", side_effect=OperationalError("[Errno 111] Connection refused")
    )
    with down as delay, django_capture_on_commit_callbacks(execute=True):
        donor_self_withdraw(account=jane.account, level="no_further_access")
    assert delay.call_count == 1 and "not queued" in caplog.text
    row = WithdrawalPropagation.objects.get(donor=jane.donor)
    assert row.status == PropagationStatus.PENDING and row.steps == {}
    # committed: the gate already denies, even before the specimens' statuses follow
    assert not gate.permitted(donor=jane.donor, duo_purpose="GRU", data_class="material", action="use").allowed
    assert donors_specimens(jane).filter(status=S.AVAILABLE).exists()

    assert tasks.propagations_pending.delay(older_than_seconds=0).get() == 1  # the broker is back: the beat runs
    assert tasks.propagations_pending.delay(older_than_seconds=0).get() == 0
    row.refresh_from_db()
    assert row.status == PropagationStatus.DONE
    assert not donors_specimens(jane).filter(status__in=[S.AVAILABLE, S.RESERVED]).exists()
    assert DonorMessage.objects.filter(account=jane.account, kind="withdrawal_confirmation").count() == 1


def test_a_failing_effect_is_retried_and_the_effects_that_ran_are_not_repeated(jane, inventory):
    calls = []

    def flaky(*, actor, withdrawal):
        calls.append(withdrawal.propagation_id)
        if len(calls) == 1:
            raise RuntimeError("the other system is down")
        return {"ok": True}

    register_withdrawal_effect(flaky, name="test.flaky", order=15)
    try:
        donor_self_withdraw(account=jane.account, level="no_further_use")
        row = WithdrawalPropagation.objects.get(donor=jane.donor)
        assert withdrawal_propagate(propagation_id=row.pk) is False
        row.refresh_from_db()
        assert list(row.steps) == ["specimens.consent_block"]  # done before the failure, kept
        assert "the other system is down" in row.last_error and row.attempts == 1
        blocked = SpecimenEvent.objects.filter(specimen__donor=jane.donor, type=EventType.CONSENT_BLOCKED).count()

        assert withdrawal_propagate(propagation_id=row.pk) is True
        assert withdrawal_propagate(propagation_id=row.pk) is False  # done: a third run does nothing
        row.refresh_from_db()
        assert row.status == PropagationStatus.DONE and row.last_error == ""
        assert row.steps["test.flaky"]["result"] == {"ok": True}
        assert SpecimenEvent.objects.filter(specimen__donor=jane.donor, type=EventType.CONSENT_BLOCKED).count() == (
            blocked
        )
        assert len(calls) == 2
    finally:
        from consent import withdrawal_effects

        withdrawal_effects._EFFECTS.pop("test.flaky", None)


def test_a_no_further_contact_withdrawal_leaves_the_material_in_use(
    jane, inventory, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        donor_self_withdraw(account=jane.account, level="no_further_contact")
    row = WithdrawalPropagation.objects.get(donor=jane.donor)
    assert row.status == PropagationStatus.DONE and not row.blocks_material
    assert donors_specimens(jane).filter(status=S.AVAILABLE).exists()
    assert gate.permitted(donor=jane.donor, duo_purpose="GRU", data_class="material", action="use").allowed
    assert not gate.permitted(donor=jane.donor, policy="recontact").allowed


def test_staff_recording_a_withdrawal_by_letter_propagates_the_same_way(
    jane, inventory, consent_officer_a, django_capture_on_commit_callbacks
):
    from consent import services

    with django_capture_on_commit_callbacks(execute=True):
        services.donor_withdraw(
            actor=consent_officer_a,
            donor=jane.donor,
            level="no_further_use",
            effective=timezone.localdate(),
            reason="Letter of today",
        )
    row = WithdrawalPropagation.objects.get(donor=jane.donor)
    assert row.status == PropagationStatus.DONE and not row.by_donor and row.recorded_by == consent_officer_a
    assert not donors_specimens(jane).filter(status__in=[S.AVAILABLE, S.RESERVED]).exists()
