"""A withdrawal's propagation: recorded in the withdrawal's transaction, carried out by the registered effects.

``withdrawal_propagation_record`` writes the outbox row and queues ``consent.propagate_withdrawal`` after commit.
``withdrawal_propagate`` runs every registered effect that has not run yet, each in its own transaction with the
mark that it ran (so a crash between two effects repeats neither), and closes the row when all ran. A broker that
is down at commit loses nothing: the beat task ``consent.propagations_pending`` picks up rows still pending.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from biobank.accounts.principals import Actor, person_or_none
from biobank.audit.services import audit_record
from biobank.ops.after_commit import after_commit

from ..choices import PropagationKind, PropagationStatus, WithdrawalLevel
from ..models import Donor, Policy, WithdrawalPropagation
from ..withdrawal_effects import Withdrawal, blocks_material_of, withdrawal_effects

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "system:withdrawal-propagation"


def withdrawal_propagation_record(
    *,
    actor: Actor,
    donor: Donor,
    family_ids: Iterable[int],
    kind: str,
    effective: date,
    reason: str,
    policies: Iterable[Policy],
    level: str = "",
    module_code: str = "",
    by_donor: bool = False,
) -> WithdrawalPropagation:
    """Record what a withdrawal must make happen elsewhere; call inside the withdrawal's transaction."""
    policies = list(policies)
    row = WithdrawalPropagation.objects.create(
        biobank_id=donor.biobank_id,
        donor=donor,
        donor_ids=sorted(set(family_ids)),
        kind=kind,
        level=level,
        module_code=module_code,
        policy_codes=sorted({p.code for p in policies}),
        blocks_material=blocks_material_of(level, policies),
        destroys_material=level == WithdrawalLevel.NO_FURTHER_USE,
        effective=effective,
        reason=reason,
        by_donor=by_donor,
        recorded_by=person_or_none(actor),
    )
    from ..tasks import propagate_withdrawal

    after_commit(propagate_withdrawal, propagation_id=row.pk)
    return row


def _withdrawal(row: WithdrawalPropagation) -> Withdrawal:
    return Withdrawal(
        donor_ids=frozenset(row.donor_ids),
        current_donor_id=row.donor_id,
        level=row.level,
        effective=row.effective,
        reason=row.reason,
        blocks_material=row.blocks_material,
        destroys_material=row.destroys_material,
        kind=row.kind,
        module_code=row.module_code,
        policy_codes=tuple(row.policy_codes),
        propagation_id=row.pk,
        by_donor=row.by_donor,
    )


def _locked(propagation_id: int) -> WithdrawalPropagation | None:
    return (
        WithdrawalPropagation.objects.select_for_update(skip_locked=True)
        .filter(pk=propagation_id, status=PropagationStatus.PENDING)
        .first()
    )


def withdrawal_propagate(*, propagation_id: int) -> bool:
    """Run the effects still to do for one withdrawal; ``True`` when the propagation is complete now.

    ``False`` when it was complete already, another worker holds it, or an effect failed (recorded in
    ``last_error``; the catch-up tries again, and the effects that ran are not repeated).
    """
    for name, effect in withdrawal_effects():
        with transaction.atomic():
            row = _locked(propagation_id)
            if row is None:
                return False
            if name in row.steps:
                continue
            try:
                with transaction.atomic():  # the effect's writes and its mark commit together, or neither
                    result = effect(actor=SYSTEM_ACTOR, withdrawal=_withdrawal(row))
                    row.steps = {**row.steps, name: {"at": timezone.now().isoformat(), "result": result}}
                    row.save(update_fields=["steps"])
            except Exception as error:  # recorded; the catch-up runs the remaining effects again
                row.attempts += 1
                row.last_error = f"{name}: {type(error).__name__}: {error}"[:2000]
                row.save(update_fields=["attempts", "last_error"])
                logger.exception("Withdrawal propagation %s: effect %s failed", propagation_id, name)
                return False
    with transaction.atomic():
        row = _locked(propagation_id)
        if row is None:
            return False
        row.status, row.completed_at, row.last_error = PropagationStatus.DONE, timezone.now(), ""
        row.attempts += 1
        row.save(update_fields=["status", "completed_at", "last_error", "attempts"])
        audit_record(
            actor=SYSTEM_ACTOR,
            action="donor.withdrawal_propagated",
            obj=row.donor,
            details={
                "propagation": row.pk,
                "kind": row.kind,
                "level": row.level,
                "module": row.module_code,
                "effective": row.effective.isoformat(),
                "steps": {name: step.get("result") for name, step in row.steps.items()},
            },
        )
    return True


def withdrawal_propagations_catch_up(*, older_than: timedelta, limit: int = 100) -> int:
    """Propagate the withdrawals still pending ``older_than`` after they were recorded (their dispatch was lost,
    or an effect failed); returns how many completed now."""
    ids = list(
        WithdrawalPropagation.objects.filter(
            status=PropagationStatus.PENDING, created_at__lt=timezone.now() - older_than
        )
        .order_by("attempts", "created_at", "pk")  # one that keeps failing never holds back the others
        .values_list("pk", flat=True)[:limit]
    )
    return sum(withdrawal_propagate(propagation_id=pk) for pk in ids)


__all__ = [
    "PropagationKind",
    "withdrawal_propagate",
    "withdrawal_propagation_record",
    "withdrawal_propagations_catch_up",
]
