"""Status changes: reservations and shipments ask the consent gate; consumption, disposal; consent blocks.

A specimen whose donor's consent does not permit the purpose (material, use or transfer) cannot be reserved or
shipped: the gate's answer is recorded on the event of every change it allowed. A donor-level withdrawal that
stops access or use blocks every specimen of the donor still in the biobank (registered from
``SpecimensConfig.ready()`` as an effect of ``consent.services.donor_withdraw``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.principals import Actor
from biobank.audit.services import audit_record_many
from biobank.errors import ConflictError, DomainError
from biobank.pseudonyms import checkchar
from consent import gate
from consent.choices import PolicyAction
from consent.withdrawal_effects import Withdrawal, withdrawn_donor_ids

from ..catalog_facts import facts_changed
from ..choices import IN_STOCK, EventType, SpecimenAuditAction, SpecimenStatus
from ..models import Specimen
from .events import events_add_many
from .permissions import require_change_specimens

S = SpecimenStatus


def _locked(specimens: Sequence[Specimen]) -> list[Specimen]:
    ids = sorted({s.pk for s in specimens})
    return list(Specimen.objects.select_for_update().filter(pk__in=ids).select_related("biobank").order_by("pk"))


def _require_transition(specimen: Specimen, status: str) -> None:
    if not specimen.can_become(status):
        raise ConflictError(
            _("Specimen %(barcode)s is %(current)s and cannot become %(target)s.")
            % {"barcode": specimen.barcode, "current": specimen.get_status_display(), "target": S(status).label},
            code="status",
        )


def _gate_answer(specimen: Specimen, *, purpose: str, action: str, at: date, **ask: Any) -> dict[str, Any]:
    try:
        result = gate.permitted(
            donor=specimen.donor_id, at=at, duo_purpose=purpose, data_class="material", action=action, **ask
        )
    except DomainError as error:
        message = error.message  # already a translated sentence (the gate's)
        raise DomainError(message, field="purpose", code="purpose") from None
    answer = {
        "purpose": purpose,
        "action": action,
        "at": at.isoformat(),
        "answer": str(result.answer),
        "code": result.code,
        "reason": result.reason,
        "consents": result.consent_ids,
    }
    if not result.allowed:
        raise DomainError(
            _(
                "The consent of donor %(pid)s does not permit %(action)s of specimen %(barcode)s for %(purpose)s: "
                "%(reason)s"
            )
            % {
                "pid": checkchar.display(result.current_pid) if result.current_pid else specimen.donor.pid_display,
                "action": action,
                "barcode": specimen.barcode,
                "purpose": purpose,
                "reason": result.reason,
            },
            field="purpose",
            code="consent",
        )
    return answer


def _change(
    *,
    actor: Actor,
    specimens: Sequence[Specimen],
    status: str,
    event: str,
    reason: str = "",
    details: dict[str, Any] | None = None,
    gate_of: dict[int, dict[str, Any]] | None = None,
) -> list[Specimen]:
    """Move each locked specimen to ``status`` (leaving its box when it leaves the stock), one event and one
    audit record each, written set-based."""
    for specimen in specimens:
        _require_transition(specimen, status)
    before = {s.pk: s.status for s in specimens}
    for specimen in specimens:
        specimen.status = status
        if status not in IN_STOCK:
            specimen.box, specimen.box_row, specimen.box_column = None, None, None
        specimen.updated_at = timezone.now()
    Specimen.objects.bulk_update(specimens, ["status", "box", "box_row", "box_column", "updated_at"])
    details_of = {pk: {"gate": answer} for pk, answer in (gate_of or {}).items()}
    events_add_many(actor=actor, specimens=specimens, type=event, details=details, details_of=details_of, note=reason)
    audit_record_many(
        actor=actor,
        action=SpecimenAuditAction.SPECIMEN_STATUS,
        reason=reason or None,
        entries=[
            {
                "obj": s,
                "changes": {"status": [before[s.pk], status]},
                "details": {"event": event, **(details or {}), **details_of.get(s.pk, {})},
            }
            for s in specimens
        ],
    )
    facts_changed()
    return list(specimens)


def _require_all(actor: Actor, specimens: Sequence[Specimen]) -> list[Specimen]:
    if not specimens:
        raise DomainError(_("Choose at least one specimen."), field="specimens")
    locked = _locked(specimens)
    for biobank in {s.biobank for s in locked}:
        require_change_specimens(actor, biobank)
    return locked


@transaction.atomic
def specimens_reserve(
    *, actor: Actor, specimens: Sequence[Specimen], purpose: str, reason: str, **ask: Any
) -> list[Specimen]:
    """Reserve for a use coded as a DUO purpose (``GRU``, ``HMB``, ``DS`` with ``disease`` …): every donor's
    consent must permit using the material for it today, or nothing is reserved."""
    locked = _require_all(actor, specimens)
    for specimen in locked:
        _require_transition(specimen, S.RESERVED)
    today = timezone.localdate()
    answers = {s.pk: _gate_answer(s, purpose=purpose, action=PolicyAction.USE, at=today, **ask) for s in locked}
    return _change(
        actor=actor, specimens=locked, status=S.RESERVED, event=EventType.RESERVED, reason=reason, gate_of=answers
    )


@transaction.atomic
def specimens_release_reservation(*, actor: Actor, specimens: Sequence[Specimen], reason: str) -> list[Specimen]:
    locked = _require_all(actor, specimens)
    for specimen in locked:
        if specimen.status != S.RESERVED:
            raise ConflictError(
                _("Specimen %(barcode)s is not reserved.") % {"barcode": specimen.barcode}, code="status"
            )
    return _change(
        actor=actor, specimens=locked, status=S.AVAILABLE, event=EventType.RESERVATION_RELEASED, reason=reason
    )


@transaction.atomic
def specimens_ship(
    *, actor: Actor, specimens: Sequence[Specimen], purpose: str, recipient: str, reason: str = "", **ask: Any
) -> list[Specimen]:
    """Ship to ``recipient`` for a DUO purpose: every donor's consent must permit transferring the material."""
    recipient = (recipient or "").strip()
    if not recipient:
        raise DomainError(_("Say who receives the shipment."), field="recipient")
    locked = _require_all(actor, specimens)
    for specimen in locked:
        _require_transition(specimen, S.DISTRIBUTED)
    today = timezone.localdate()
    answers = {s.pk: _gate_answer(s, purpose=purpose, action=PolicyAction.TRANSFER, at=today, **ask) for s in locked}
    return _change(
        actor=actor,
        specimens=locked,
        status=S.DISTRIBUTED,
        event=EventType.SHIPPED,
        reason=reason,
        details={"recipient": recipient[:200]},
        gate_of=answers,
    )


@transaction.atomic
def specimens_return(*, actor: Actor, specimens: Sequence[Specimen], reason: str = "") -> list[Specimen]:
    """A shipment came back: available again (or consent-blocked if the donor withdrew meanwhile)."""
    locked = _require_all(actor, specimens)
    for specimen in locked:
        if specimen.status != S.DISTRIBUTED:
            raise ConflictError(
                _("Specimen %(barcode)s was not shipped, so it cannot come back.") % {"barcode": specimen.barcode},
                code="status",
            )
    blocked = withdrawn_donor_ids(s.donor_id for s in locked)
    back = [s for s in locked if s.donor_id not in blocked]
    held = [s for s in locked if s.donor_id in blocked]
    if back:
        _change(actor=actor, specimens=back, status=S.AVAILABLE, event=EventType.RETURNED, reason=reason)
    if held:
        _change(actor=actor, specimens=held, status=S.CONSENT_BLOCKED, event=EventType.RETURNED, reason=reason)
    return locked


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason; it is kept in the specimen's history."), field="reason")
    return reason


@transaction.atomic
def specimens_consume(*, actor: Actor, specimens: Sequence[Specimen], reason: str) -> list[Specimen]:
    """Used up in the biobank (an assay, a QC run): nothing is left."""
    locked = _require_all(actor, specimens)
    reason = _reason_required(reason)
    for specimen in locked:
        _require_transition(specimen, S.CONSUMED)
        specimen.quantity = 0
    Specimen.objects.bulk_update(locked, ["quantity"])
    return _change(actor=actor, specimens=locked, status=S.CONSUMED, event=EventType.CONSUMED, reason=reason)


@transaction.atomic
def specimens_dispose(*, actor: Actor, specimens: Sequence[Specimen], reason: str) -> list[Specimen]:
    """Destroyed (expired, damaged, a withdrawal "no further use"); the record stays, the material is gone."""
    locked = _require_all(actor, specimens)
    return _change(
        actor=actor, specimens=locked, status=S.DESTROYED, event=EventType.DISPOSED, reason=_reason_required(reason)
    )


def specimens_consent_block(*, actor: Actor, withdrawal: Withdrawal) -> dict[str, int]:
    """The withdrawal's effect here (run by the propagation, ``consent.services.propagation``): every specimen of
    the person still available or reserved becomes consent-blocked — aliquots and derivatives included, each
    carries its donor — and a reservation is cancelled first (its own event). Safe to run again: only what is still
    available or reserved is touched. Specimens registered or processed later are blocked when they are made
    (``withdrawn_donor_ids``)."""
    if not withdrawal.blocks_material:
        return {"blocked": 0, "reservations_cancelled": 0}
    specimens = list(
        Specimen.objects.select_for_update()
        .filter(donor_id__in=withdrawal.donor_ids, status__in=[S.AVAILABLE, S.RESERVED])
        .order_by("pk")
    )
    if not specimens:
        return {"blocked": 0, "reservations_cancelled": 0}
    what = withdrawal.level or withdrawal.module_code
    reason = _("Donor withdrew (%(level)s) effective %(effective)s.") % {
        "level": what,
        "effective": withdrawal.effective.isoformat(),
    }
    before = {s.pk: s.status for s in specimens}
    reserved = [s for s in specimens if s.status == S.RESERVED]
    Specimen.objects.filter(pk__in=list(before)).update(status=S.CONSENT_BLOCKED, updated_at=timezone.now())
    details = {
        "level": withdrawal.level,
        "module": withdrawal.module_code,
        "effective": withdrawal.effective.isoformat(),
        "propagation": withdrawal.propagation_id,
    }
    if reserved:
        events_add_many(
            actor=actor,
            specimens=reserved,
            type=EventType.RESERVATION_RELEASED,
            details={**details, "cancelled": True},
            note=_("Reservation cancelled: the donor withdrew."),
        )
    events_add_many(actor=actor, specimens=specimens, type=EventType.CONSENT_BLOCKED, details=details, note=reason)
    audit_record_many(
        actor=actor,
        action=SpecimenAuditAction.SPECIMEN_CONSENT_BLOCK,
        reason=reason,
        entries=[
            {
                "obj": s,
                "changes": {"status": [before[s.pk], S.CONSENT_BLOCKED]},
                "details": {**details, "reservation_cancelled": before[s.pk] == S.RESERVED},
            }
            for s in specimens
        ],
    )
    facts_changed()
    return {"blocked": len(specimens), "reservations_cancelled": len(reserved)}


@transaction.atomic
def specimens_consent_unblock(*, actor: Actor, specimens: Sequence[Specimen], reason: str) -> list[Specimen]:
    """Lift a block after the consent was corrected (the withdrawal invalidated, a new consent signed)."""
    locked = _require_all(actor, specimens)
    reason = _reason_required(reason)
    still = withdrawn_donor_ids(s.donor_id for s in locked)
    for specimen in locked:
        if specimen.donor_id in still:
            raise ConflictError(
                _("Specimen %(barcode)s stays blocked: its donor's withdrawal still stands.")
                % {"barcode": specimen.barcode},
                code="consent",
            )
    return _change(actor=actor, specimens=locked, status=S.AVAILABLE, event=EventType.CONSENT_UNBLOCKED, reason=reason)
