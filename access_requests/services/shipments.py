"""Material shipments for a granted resource: prepare (reserve consent-checked specimens, all or nothing), ship,
receive, return or consume, cancel. Specimen status changes go through the specimens app's own services, so every
specimen gets its chain-of-custody event with the gate's answer; the shipment's own changes follow
``SHIPMENT_ALLOWED_TRANSITIONS`` and each writes a request event and an audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.errors import DomainError
from consent import gate
from specimens.choices import SpecimenStatus
from specimens.models import Specimen
from specimens.services import (
    require_change_specimens,
    specimens_release_reservation,
    specimens_reserve,
    specimens_return,
    specimens_ship,
)

from ..choices import ShipmentStatus
from ..models import RequestResource, Shipment, ShipmentItem
from ..release_builder import specimens_for
from .fulfilment_common import gate_question, require_granted, shipment_transition
from .workflow import event_record

SS = ShipmentStatus


def _reason(resource: RequestResource) -> str:
    return _("Access request %(number)s") % {"number": resource.request.number or resource.request_id}


def _consent_problems(specimens: Sequence[Specimen], resource: RequestResource) -> dict[int, str]:
    """Per specimen id, why the donor's consent does not permit using and transferring the material (empty: fine)."""
    ask = gate_question(resource.request)
    donors = {s.donor_id for s in specimens}
    today = timezone.localdate()
    problems: dict[int, str] = {}
    for action in ("transfer", "use"):
        answers = gate.permitted_many(donors=donors, at=today, data_class="biomaterial", action=action, **ask)
        for specimen in specimens:
            answer = answers[specimen.donor_id]
            if not answer.allowed and specimen.pk not in problems:
                problems[specimen.pk] = _("consent does not permit %(action)s: %(reason)s") % {
                    "action": action,
                    "reason": answer.reason,
                }
    return problems


@transaction.atomic
def shipment_prepare(
    *,
    actor: Any,
    resource: RequestResource,
    specimen_ids: Sequence[int] | None = None,
    count: int | None = None,
    courier: str = "",
    temperature: str = "",
    address: str = "",
) -> Shipment:
    """Reserve the chosen specimens (or the first ``count`` matching ones) for the resource and list them on a new
    shipment. Every specimen must be available and its donor's consent must permit transferring and using the
    material for the request's purpose today; otherwise each refused barcode is listed and nothing is reserved."""
    resource = RequestResource.objects.select_related("request", "biobank").get(pk=resource.pk)
    require_change_specimens(actor, resource.biobank)
    require_granted(resource)
    if not (address or "").strip():
        raise DomainError(_("Give the delivery address."), field="address")
    candidates = specimens_for(resource, resource.request)
    if specimen_ids:
        wanted = sorted(set(specimen_ids))
        chosen = list(Specimen.objects.filter(pk__in=wanted, biobank_id=resource.biobank_id).order_by("pk"))
        missing = set(wanted) - {s.pk for s in chosen}
        if missing:
            raise DomainError(
                _("Specimens %(ids)s are not in %(biobank)s.")
                % {"ids": ", ".join(str(i) for i in sorted(missing)), "biobank": resource.biobank.name},
                field="specimen_ids",
            )
        problems = {
            s.pk: _("it is %(status)s, not available") % {"status": s.get_status_display()}
            for s in chosen
            if s.status != SpecimenStatus.AVAILABLE
        }
        problems.update({k: v for k, v in _consent_problems(chosen, resource).items() if k not in problems})
    elif count:
        pool = list(candidates.filter(status=SpecimenStatus.AVAILABLE).order_by("pk")[: max(count * 4, count + 50)])
        refused = _consent_problems(pool, resource)
        chosen = [s for s in pool if s.pk not in refused][:count]
        if len(chosen) < count:
            raise DomainError(
                _(
                    "Only %(found)s available specimens match the request with a consent that permits the transfer; "
                    "%(count)s were asked for."
                )
                % {"found": len(chosen), "count": count},
                field="count",
            )
        problems = {}
    else:
        raise DomainError(_("Choose specimens, or say how many to send."), field="specimen_ids")
    if problems:
        by_barcode = {s.pk: s.barcode for s in chosen}
        lines = "; ".join(
            f"{by_barcode[pk]}: {why}" for pk, why in sorted(problems.items(), key=lambda i: by_barcode[i[0]])
        )
        raise DomainError(
            _("Nothing was reserved. These specimens cannot be sent: %(lines)s.") % {"lines": lines},
            field="specimen_ids",
            code="refused",
        )
    specimens_reserve(actor=actor, specimens=chosen, reason=_reason(resource), **_reserve_question(resource))
    shipment = Shipment.objects.create(
        resource=resource,
        courier=(courier or "").strip()[:100],
        temperature=(temperature or "").strip()[:40],
        address=address.strip(),
        created_by=actor,
    )
    ShipmentItem.objects.bulk_create([ShipmentItem(shipment=shipment, specimen=s, quantity=s.quantity) for s in chosen])
    event_record(
        request=resource.request,
        resource=resource,
        actor=actor,
        kind="shipment.prepared",
        to_status=SS.PREPARED,
        data={"shipment": shipment.pk, "specimens": len(chosen)},
        audit_obj=shipment,
    )
    return shipment


def _reserve_question(resource: RequestResource) -> dict[str, Any]:
    ask = gate_question(resource.request)
    return {"purpose": ask.pop("duo_purpose"), **ask}


def _items(shipment: Shipment, status: str | None = None) -> list[Specimen]:
    rows = Specimen.objects.filter(shipment_items__shipment=shipment).order_by("pk")
    return list(rows.filter(status=status) if status else rows)


def _staff(actor: Any, shipment: Shipment) -> None:
    require_change_specimens(actor, shipment.resource.biobank)


@transaction.atomic
def shipment_ship(*, actor: Any, shipment: Shipment, courier_reference: str) -> Shipment:
    """The parcel left: the courier's reference is required; the specimens become distributed (consent asked again
    for the transfer, today)."""
    if shipment.status == SS.SHIPPED:
        return shipment
    _staff(actor, shipment)
    reference = (courier_reference or "").strip()
    if not reference:
        raise DomainError(_("Give the courier's reference (tracking number)."), field="courier_reference")
    resource = shipment.resource
    shipment_transition(shipment=shipment, to=SS.SHIPPED, actor=actor, courier_reference=reference[:100])
    recipient = resource.request.researcher.get_full_name() or resource.request.researcher.email
    specimens_ship(
        actor=actor,
        specimens=_items(shipment),
        recipient=recipient,
        reason=_reason(resource),
        **_reserve_question(resource),
    )
    return shipment


@transaction.atomic
def shipment_receive(*, actor: Any, shipment: Shipment) -> Shipment:
    """The recipient (the request's researcher) or the biobank's staff confirm the parcel arrived."""
    if shipment.status == SS.RECEIVED:
        return shipment
    if getattr(actor, "pk", None) != shipment.resource.request.researcher_id:
        _staff(actor, shipment)
    return shipment_transition(shipment=shipment, to=SS.RECEIVED, actor=actor)


@transaction.atomic
def shipment_return(*, actor: Any, shipment: Shipment) -> Shipment:
    """The material came back: its specimens are available again (or blocked, if their donor withdrew)."""
    if shipment.status == SS.RETURNED:
        return shipment
    _staff(actor, shipment)
    shipment_transition(shipment=shipment, to=SS.RETURNED, actor=actor)
    back = _items(shipment, SpecimenStatus.DISTRIBUTED)
    if back:
        specimens_return(actor=actor, specimens=back, reason=_reason(shipment.resource))
    return shipment


@transaction.atomic
def shipment_consume(*, actor: Any, shipment: Shipment) -> Shipment:
    """The recipient used the material up; the specimens stay distributed (they left the biobank for good)."""
    if shipment.status == SS.CONSUMED:
        return shipment
    if getattr(actor, "pk", None) != shipment.resource.request.researcher_id:
        _staff(actor, shipment)
    return shipment_transition(shipment=shipment, to=SS.CONSUMED, actor=actor)


@transaction.atomic
def shipment_cancel(*, actor: Any, shipment: Shipment) -> Shipment:
    """A prepared shipment is called off: its reservations are released."""
    if shipment.status == SS.CANCELLED:
        return shipment
    _staff(actor, shipment)
    shipment_transition(shipment=shipment, to=SS.CANCELLED, actor=actor)
    reserved = _items(shipment, SpecimenStatus.RESERVED)
    if reserved:
        specimens_release_reservation(actor=actor, specimens=reserved, reason=_reason(shipment.resource))
    return shipment
