"""What releases, downloads and shipments share: the running entitlement of a resource, the DUO purpose of a request,
and the release/shipment status changes (checked against the tables in ``access_requests.choices``)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.errors import ConflictError

from ..choices import (
    RELEASE_ALLOWED_TRANSITIONS,
    SHIPMENT_ALLOWED_TRANSITIONS,
    PurposeKind,
    ReleaseStatus,
    ShipmentStatus,
)
from ..models import AccessRequest, Entitlement, Release, RequestResource, Shipment
from .workflow import _refuse, event_record

# The request's purpose as the DUO permission the consent gate asks about.
DUO_PURPOSE: dict[str, str] = {
    PurposeKind.GENERAL_RESEARCH: "GRU",
    PurposeKind.HMB: "HMB",
    PurposeKind.DISEASE: "DS",
    PurposeKind.POPULATION_ORIGINS: "POA",
}


def gate_question(request: AccessRequest) -> dict[str, Any]:
    """The consent gate's question for what a request may do with material or data (without class and action)."""
    return {
        "duo_purpose": DUO_PURPOSE[request.purpose_kind],
        "disease": request.disease or "",
        "for_profit": request.commercial,
        "methods_development": request.methods_development,
    }


def running_entitlements(*, resource: RequestResource, user: Any = None, on: date | None = None) -> QuerySet:
    """Entitlements on ``resource`` (of ``user``, if given) that run on ``on`` (default today): not ended, not
    revoked, and ``ends_on`` not passed."""
    on = on or timezone.localdate()
    rows = Entitlement.objects.filter(
        resource=resource, ended_at__isnull=True, revoked_at__isnull=True, starts_on__lte=on, ends_on__gte=on
    )
    if user is not None:
        rows = rows.filter(user_id=getattr(user, "pk", None) or 0)
    return rows


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in the portal's time zone (an entitlement runs through its ``ends_on``)."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def release_transition(*, release: Release, to: str, actor: Any, data: dict | None = None, **fields: Any) -> Release:
    """Move a release to ``to`` if ``RELEASE_ALLOWED_TRANSITIONS`` allows it (row locked by the caller or here),
    setting ``fields`` too; one request event (``release.<status>``) with its audit event."""
    locked = Release.objects.select_for_update().select_related("resource__request").get(pk=release.pk)
    allowed = RELEASE_ALLOWED_TRANSITIONS[locked.status]
    if to not in allowed:
        raise _refuse(str(_("release")), locked.status, to, allowed, dict(ReleaseStatus.choices))
    before = locked.status
    Release.objects.filter(pk=locked.pk).update(status=to, **fields)
    release.status = to
    for name, value in fields.items():
        setattr(release, name, value)
    event_record(
        request=locked.resource.request,
        resource=locked.resource,
        actor=actor,
        kind=f"release.{to}",
        from_status=before,
        to_status=to,
        data={"release": locked.pk, **(data or {})},
        audit_obj=release,
    )
    return release


SHIPMENT_TIMES: dict[str, str] = {
    ShipmentStatus.SHIPPED: "shipped_at",
    ShipmentStatus.RECEIVED: "received_at",
    ShipmentStatus.RETURNED: "closed_at",
    ShipmentStatus.CONSUMED: "closed_at",
    ShipmentStatus.CANCELLED: "closed_at",
}


def shipment_transition(
    *, shipment: Shipment, to: str, actor: Any, data: dict | None = None, **fields: Any
) -> Shipment:
    """Move a shipment to ``to`` if ``SHIPMENT_ALLOWED_TRANSITIONS`` allows it; stamps the matching time."""
    locked = Shipment.objects.select_for_update().select_related("resource__request").get(pk=shipment.pk)
    allowed = SHIPMENT_ALLOWED_TRANSITIONS[locked.status]
    if to not in allowed:
        raise _refuse(str(_("shipment")), locked.status, to, allowed, dict(ShipmentStatus.choices))
    before = locked.status
    if to in SHIPMENT_TIMES:
        fields[SHIPMENT_TIMES[to]] = timezone.now()
    Shipment.objects.filter(pk=locked.pk).update(status=to, **fields)
    shipment.status = to
    for name, value in fields.items():
        setattr(shipment, name, value)
    event_record(
        request=locked.resource.request,
        resource=locked.resource,
        actor=actor,
        kind=f"shipment.{to}",
        from_status=before,
        to_status=to,
        data={"shipment": locked.pk, **(data or {})},
        audit_obj=shipment,
    )
    return shipment


def require_granted(resource: RequestResource) -> None:
    """Material and data leave only for a resource whose access was granted."""
    if resource.status != "access_granted":
        raise ConflictError(
            _(
                "Access to %(biobank)s for request %(number)s is %(status)s; material or data leave only once access "
                "is granted."
            )
            % {
                "biobank": resource.biobank.name,
                "number": resource.request.number or resource.request_id,
                "status": resource.get_status_display(),
            },
            field="resource",
            code="not_granted",
        )
