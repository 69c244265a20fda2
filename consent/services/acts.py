"""Acts staff record on the donor's behalf: withdrawals (of a module, or of the donor at a level) and invalidations.

A withdrawal is about the person, not about the document it is recorded on: its acts deny the policies for the whole
merge family, on every form in force (the gate folds by effective date). It takes effect on the day the donor made it
— the date of the letter or the call — which is never later than today and never before the consent it withdraws
took effect (GDPR Art 7(3): it stops further use and does not undo lawful use before it). An invalidation removes a
consent recorded in error; two people decide it (four eyes).
"""

from __future__ import annotations

from datetime import date

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.models import User
from biobank.accounts.principals import Actor, person_or_none
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError

from ..choices import (
    ActOrigin,
    ConsentStatus,
    InvalidationStatus,
    PolicyAction,
    PolicyDataClass,
    PolicyStateValue,
    PropagationKind,
    TemplateType,
    WithdrawalLevel,
)
from ..free_text import free_text_check
from ..gate import donor_families
from ..models import Consent, ConsentInvalidation, Donor, Module, Policy, PolicyState
from .consents.signing import _template_modules, nested_in
from .permissions import require_manage_consent
from .propagation import withdrawal_propagation_record

__all__ = [
    "WITHDRAWAL_LEVEL_POLICIES",
    "consent_invalidation_decide",
    "consent_invalidation_request",
    "consent_withdraw_module",
    "donor_withdraw",
    "donor_withdrawal_write",
    "module_withdrawal_write",
]


def _user_or_none(actor: Actor) -> User | None:
    return person_or_none(actor)


def _reason(reason: str, *, field: str = "reason", donor: Donor | None = None) -> str:
    """A reason that becomes permanent history: required, and free of identifying values (``free_text_check``)."""
    text = (reason or "").strip()
    if not text:
        raise DomainError(
            _("Record the reason or the donor's words (without names, dates of birth or identifiers)."),
            field=field,
            code="required",
        )
    return free_text_check(text, field=field, donor=donor)


def _check_effective(effective: date, *, today: date, earliest: date | None) -> None:
    if effective > today:
        raise DomainError(
            _(
                "A withdrawal takes effect on the day the donor made it, which cannot be after today (%(today)s); "
                "%(effective)s lies in the future. Record it on the day it is made."
            )
            % {"today": today, "effective": effective},
            field="effective",
            code="effective_future",
        )
    if earliest is not None and effective < earliest:
        raise DomainError(
            _(
                "The withdrawal cannot take effect on %(effective)s, before the consent it withdraws was signed "
                "(%(earliest)s)."
            )
            % {"effective": effective, "earliest": earliest},
            field="effective",
            code="effective_before_consent",
        )


def _recorded_already(member_ids: set[int], codes: set[str], effective: date) -> set[str]:
    """The codes that already have a staff-recorded withdrawal of this family effective on exactly ``effective``,
    with no form signed after it about that code.

    Only that is a duplicate (a second click on the same letter). A withdrawal is written whatever the policy's
    current state: a decline or an earlier withdrawal may later be invalidated, a late paper form may be approved,
    and the fold needs the donor's withdrawal to be there when it is. A donor who withdraws, signs again and
    withdraws again on one day (the donor portal allows it) withdraws twice.
    """
    withdrawn = dict(
        PolicyState.objects.filter(
            donor_id__in=member_ids, origin=ActOrigin.WITHDRAWAL, valid_from=effective, policy__code__in=codes
        )
        .values_list("policy__code")
        .annotate(last=models.Max("recorded_at"))
    )
    if not withdrawn:
        return set()
    signed = dict(
        PolicyState.objects.filter(
            donor_id__in=member_ids, origin=ActOrigin.SIGNATURE, policy__code__in=list(withdrawn)
        )
        .values_list("policy__code")
        .annotate(last=models.Max("recorded_at"))
    )
    return {code for code, last in withdrawn.items() if code not in signed or signed[code] <= last}


def _write_withdrawals(
    *,
    actor: Actor,
    donor_id: int,
    policies: list[Policy],
    effective: date,
    reason: str,
    consent: Consent | None = None,
    module_of: dict[int, int] | None = None,
    level: str = "",
) -> list[PolicyState]:
    rows = [
        PolicyState(
            consent=consent,
            donor_id=donor_id,
            module_id=(module_of or {}).get(policy.pk),
            policy=policy,
            origin=ActOrigin.WITHDRAWAL,
            withdrawal_level=level,
            state=PolicyStateValue.WITHDRAWN,
            valid_from=effective,
            recorded_at=timezone.now(),
            recorded_by=_user_or_none(actor),
            reason=reason,
        )
        for policy in policies
    ]
    return PolicyState.objects.bulk_create(rows)


@transaction.atomic
def consent_withdraw_module(
    *, actor: Actor, consent: Consent, module: Module, effective: date, reason: str
) -> list[PolicyState]:
    """The donor withdraws one module (and the modules nested in it), recorded through the consent that carries it.

    Writes one withdrawal act per policy of those modules, effective ``effective``: the policies are denied for the
    donor's whole merge family from that day on, whichever form in force also carries them. The propagation
    (``consent.services.propagation``) follows after commit.
    """
    require_manage_consent(actor, consent.biobank)
    return module_withdrawal_write(actor=actor, consent=consent, module=module, effective=effective, reason=reason)


def module_withdrawal_write(
    *, actor: Actor, consent: Consent, module: Module, effective: date, reason: str, by_donor: bool = False
) -> list[PolicyState]:
    """``consent_withdraw_module`` without the staff permission check: the donor portal calls it for the donor's
    own consent (``consent.services.portal``). Call inside a transaction."""
    # One withdrawal of a person at a time (two forms of the family carry the same module: lock the person first).
    root = donor_families([consent.donor_id])[consent.donor_id].root
    Donor.objects.select_for_update().filter(pk=root).first()
    consent = Consent.objects.select_for_update(of=("self",)).select_related("template").get(pk=consent.pk)
    if consent.status != ConsentStatus.VALID or consent.template.type != TemplateType.CONSENT:
        raise DomainError(
            _(
                "A module can be withdrawn only through a consent form that counts (not a pending, rejected or "
                "invalidated one, nor a withdrawal or refusal form)."
            ),
            code="consent_status",
        )
    modules = _template_modules(consent.template)
    if module.pk not in {m.pk for m in modules}:
        raise DomainError(_("Module %(module)s is not part of this consent.") % {"module": module}, field="module")
    reason = _reason(reason, donor=consent.donor)
    _check_effective(effective, today=timezone.localdate(), earliest=consent.signed_on)
    affected = nested_in({module.pk})
    through = Module.policies.through.objects.filter(module_id__in=affected).select_related("policy")
    module_of = {row.policy_id: row.module_id for row in through}
    policies = {row.policy_id: row.policy for row in through}
    family = donor_families([consent.donor_id])[consent.donor_id]
    codes = {p.code for p in policies.values()}
    if codes and _recorded_already(family.members, codes, effective) >= codes:
        raise ConflictError(
            _("This withdrawal of module %(module_code)s effective %(effective)s is recorded already.")
            % {"module_code": module.code, "effective": effective},
            code="withdrawn",
        )
    rows = _write_withdrawals(
        actor=actor,
        donor_id=consent.donor_id,
        policies=sorted(policies.values(), key=lambda p: p.code),
        effective=effective,
        reason=reason,
        consent=consent,
        module_of=module_of,
    )
    propagation = withdrawal_propagation_record(
        actor=actor,
        donor=Donor.objects.get(pk=family.root),
        family_ids=family.members,
        kind=PropagationKind.MODULE,
        effective=effective,
        reason=reason,
        policies=policies.values(),
        module_code=module.code,
        by_donor=by_donor,
    )
    audit_record(
        actor=actor,
        action="consent.withdraw_module",
        obj=consent,
        reason=reason,
        details={
            "module": module.code,
            "effective": effective.isoformat(),
            "policy_states": len(rows),
            "propagation": propagation.pk,
            "by_donor": by_donor,
        },
    )
    return rows


def _level_covers(level: str, policy: Policy) -> bool:
    """Which policies a donor-level withdrawal withdraws (UK Biobank's levels, on the MII policy verbs)."""
    contact = policy.action == PolicyAction.CONTACT or policy.data_class == PolicyDataClass.CONTACT
    if level == WithdrawalLevel.NO_FURTHER_CONTACT:
        return contact
    if level == WithdrawalLevel.NO_FURTHER_ACCESS:
        # Material and data are kept (storage stays permitted); nothing new is used, released, collected or linked.
        return contact or policy.action != PolicyAction.STORE
    return True


WITHDRAWAL_LEVEL_POLICIES = {
    WithdrawalLevel.NO_FURTHER_CONTACT: "policies about contacting the donor again",
    WithdrawalLevel.NO_FURTHER_ACCESS: "every policy but storage: use, transfer, collection, linkage and contact",
    WithdrawalLevel.NO_FURTHER_USE: "every policy: storage, use, transfer, linkage, collection and contact",
}


@transaction.atomic
def donor_withdraw(*, actor: Actor, donor: Donor, level: str, effective: date, reason: str) -> list[PolicyState]:
    """The donor withdraws as a person at a level, whatever forms they signed: one withdrawal act per policy code
    their merge family has acts for (the newest version of each) that the level covers. Staff record it on the
    donor's behalf; the propagation (``consent.services.propagation``) follows after commit."""
    require_manage_consent(actor, donor.biobank)
    return donor_withdrawal_write(actor=actor, donor=donor, level=level, effective=effective, reason=reason)


def donor_withdrawal_write(
    *, actor: Actor, donor: Donor, level: str, effective: date, reason: str, by_donor: bool = False
) -> list[PolicyState]:
    """``donor_withdraw`` without the staff permission check (the donor portal withdraws the donor's own
    family). Call inside a transaction."""
    if level not in WithdrawalLevel.values:
        raise DomainError(
            _("Choose a withdrawal level: %(values)s (got %(level)r).")
            % {"values": ", ".join(WithdrawalLevel.values), "level": level},
            field="level",
            code="level",
        )
    reason = _reason(reason, donor=donor)
    family = donor_families([donor.pk])[donor.pk]
    Donor.objects.select_for_update().filter(pk=family.root).first()  # one withdrawal of a person at a time
    acts = PolicyState.objects.filter(donor_id__in=family.members).select_related("policy")
    first_signed = min((a.valid_from for a in acts if a.origin == ActOrigin.SIGNATURE), default=None)
    _check_effective(effective, today=timezone.localdate(), earliest=first_signed)
    newest: dict[str, Policy] = {}
    for act in acts.order_by("policy__created_at", "policy_id"):
        if _level_covers(level, act.policy):
            newest[act.policy.code] = act.policy
    done = _recorded_already(family.members, set(newest), effective) if newest else set()
    policies = [newest[code] for code in sorted(newest) if code not in done]
    if not policies:
        raise ConflictError(
            _(
                "Nothing to withdraw: the donor has no policy at the level “%(label)s”, or this withdrawal effective "
                "%(effective)s is recorded already."
            )
            % {"label": WithdrawalLevel(level).label, "effective": effective},
            code="withdrawn",
        )
    rows = _write_withdrawals(
        actor=actor, donor_id=family.root, policies=policies, effective=effective, reason=reason, level=level
    )
    root = Donor.objects.get(pk=family.root)
    propagation = withdrawal_propagation_record(
        actor=actor,
        donor=root,
        family_ids=family.members,
        kind=PropagationKind.LEVEL,
        effective=effective,
        reason=reason,
        policies=policies,
        level=level,
        by_donor=by_donor,
    )
    audit_record(
        actor=actor,
        action="donor.withdraw",
        obj=root,
        reason=reason,
        details={
            "level": level,
            "effective": effective.isoformat(),
            "policies": [p.code for p in policies],
            "propagation": propagation.pk,
            "by_donor": by_donor,
        },
    )
    return rows


# --- invalidation (four eyes) -------------------------------------------------------------------------------------


@transaction.atomic
def consent_invalidation_request(*, actor: User, consent: Consent, reason: str) -> ConsentInvalidation:
    """Ask to invalidate a consent recorded in error (the wrong donor, a form signed twice …); a second person
    decides. Nothing changes for the gate until then."""
    require_manage_consent(actor, consent.biobank)
    consent = Consent.objects.select_for_update(of=("self",)).get(pk=consent.pk)
    if consent.status != ConsentStatus.VALID:
        raise DomainError(
            _(
                "This consent is %(status)s; only a consent that counts can be invalidated (a pending scan is rejected "
                "in QC instead)."
            )
            % {"status": consent.get_status_display().lower()},
            code="consent_status",
        )
    if consent.invalidations.filter(status=InvalidationStatus.PENDING).exists():
        raise ConflictError(
            _("An invalidation of this consent is already waiting for a second person."), code="pending"
        )
    invalidation = ConsentInvalidation.objects.create(
        consent=consent, reason=_reason(reason, donor=consent.donor), requested_by=actor, requested_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="consent.invalidation_request",
        obj=consent,
        reason=invalidation.reason,
        details={"invalidation": invalidation.pk},
    )
    return invalidation


@transaction.atomic
def consent_invalidation_decide(
    *, actor: User, invalidation: ConsentInvalidation, approve: bool, note: str = ""
) -> ConsentInvalidation:
    """A second person approves or rejects an invalidation. Approved: the consent's signed acts count for no time,
    as known from now on (the gate still answers as before for earlier knowledge)."""
    invalidation = (
        ConsentInvalidation.objects.select_for_update(of=("self",))
        .select_related("consent__biobank")
        .get(pk=invalidation.pk)
    )
    consent = invalidation.consent
    require_manage_consent(actor, consent.biobank)
    target = InvalidationStatus.APPROVED if approve else InvalidationStatus.REJECTED
    if not invalidation.can_become(target):
        raise ConflictError(
            _("This invalidation is %(status)s; it was decided already.")
            % {"status": invalidation.get_status_display().lower()},
            code="transition",
        )
    actor_id = getattr(actor, "pk", None)
    if actor_id in (invalidation.requested_by_id, consent.recorded_by_id):
        message = (
            _("You asked for this invalidation; a second person must decide (four-eyes principle).")
            if actor_id == invalidation.requested_by_id
            else _("You recorded this consent; a second person must decide (four-eyes principle).")
        )
        raise DomainError(
            message,
            field="decided_by",
            code="same_person",
        )
    note = free_text_check(note, field="note", donor=consent.donor)
    if not approve and not note:
        raise DomainError(_("Say why the invalidation is rejected."), field="note", code="required")
    invalidation.status, invalidation.decided_by, invalidation.decision_note = target, actor, note
    invalidation.decided_at = timezone.now()  # the database replaces it with its own time
    invalidation.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    invalidation.refresh_from_db(fields=["decided_at"])
    if approve:
        consent = Consent.objects.select_for_update(of=("self",)).get(pk=consent.pk)
        consent.status = ConsentStatus.INVALIDATED
        consent.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="consent.invalidation_approve" if approve else "consent.invalidation_reject",
        obj=consent,
        reason=invalidation.reason if approve else note,
        changes={"status": [ConsentStatus.VALID, ConsentStatus.INVALIDATED]} if approve else None,
        details={"invalidation": invalidation.pk, "requested_by": invalidation.requested_by_id},
    )
    return invalidation
