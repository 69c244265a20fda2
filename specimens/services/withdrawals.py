"""Staff's decision about specimens that had already left the biobank when their donor withdrew.

A withdrawal blocks the donor's material still in the biobank (``status.specimens_consent_block``); what was shipped
before is with the recipient. Staff decide, per specimen, whether to recall it, ask the recipient to destroy it, or
let the recipient keep it (used lawfully before the withdrawal). The decision is an event on the specimen's chain of
custody with its audit event; it takes the specimen off the shipments page (``shipments_awaiting_decision``). The
specimen's status stays "distributed": a recalled specimen that comes back is recorded as returned, as any other.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from biobank.accounts.principals import Actor
from biobank.audit.services import audit_record_many
from biobank.errors import ConflictError, DomainError

from ..choices import EventType, ShipmentDecision, SpecimenAuditAction, SpecimenStatus
from ..models import Specimen
from .events import events_add_many
from .permissions import require_change_specimens


@transaction.atomic
def shipment_decision_record(
    *, actor: Actor, specimens: Sequence[Specimen], decision: str, note: str
) -> list[Specimen]:
    """Record ``decision`` (a ``ShipmentDecision``) with ``note`` on each distributed specimen; all or none."""
    if decision not in ShipmentDecision.values:
        raise DomainError(
            _("Choose a decision: %(values)s (got %(decision)r).")
            % {"values": ", ".join(ShipmentDecision.values), "decision": decision},
            field="decision",
            code="decision",
        )
    note = (note or "").strip()
    if not note:
        raise DomainError(
            _("Give a note (who was told what, and when); it is kept in the specimen's history."), field="note"
        )
    if not specimens:
        raise DomainError(_("Choose at least one specimen."), field="specimens")
    locked = list(
        Specimen.objects.select_for_update()
        .filter(pk__in=sorted({s.pk for s in specimens}))
        .select_related("biobank")
        .order_by("pk")
    )
    for biobank in {s.biobank for s in locked}:
        require_change_specimens(actor, biobank)
    for specimen in locked:
        if specimen.status != SpecimenStatus.DISTRIBUTED:
            raise ConflictError(
                _("Specimen %(barcode)s is %(status)s, not shipped: there is no shipment to decide about.")
                % {"barcode": specimen.barcode, "status": specimen.get_status_display()},
                code="status",
            )
    details = {"decision": decision}
    events_add_many(actor=actor, specimens=locked, type=EventType.WITHDRAWAL_DECISION, details=details, note=note)
    audit_record_many(
        actor=actor,
        action=SpecimenAuditAction.SPECIMEN_WITHDRAWAL_DECISION,
        reason=note,
        entries=[{"obj": s, "details": details} for s in locked],
    )
    return locked
