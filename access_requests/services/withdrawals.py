"""A donor's withdrawal, carried to access requests (an effect of ``consent.services.propagation``, registered in
``AccessRequestsConfig.ready()``), and the donor's list of projects that received their data or material.

The effect tells each request whose READY releases contain the person, or whose open shipments hold their
specimens, that N donors withdrew — a request event with counts only, and an e-mail to the researcher and the
committee chair saying what to do — never who. Prepared shipments drop the person's specimens (reservations
released). Releases built later never contain the person: the build re-checks consent.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Max, Min
from django.utils.translation import gettext as _

from biobank.accounts.emails import queue_email
from consent.choices import PolicyDataClass
from consent.models import Policy
from consent.withdrawal_effects import BLOCKING_LEVELS, Withdrawal
from specimens.choices import SpecimenStatus
from specimens.services import specimens_release_reservation

from ..choices import ReleaseStatus, ShipmentStatus
from ..models import (
    CommitteeMember,
    Entitlement,
    ReleaseDonor,
    RequestEvent,
    RequestResource,
    ResearcherProfile,
    ShipmentItem,
)
from .workflow import event_record

OPEN_SHIPMENTS = (ShipmentStatus.PREPARED, ShipmentStatus.SHIPPED, ShipmentStatus.RECEIVED)
RECEIVED_SHIPMENTS = (ShipmentStatus.SHIPPED, ShipmentStatus.RECEIVED, ShipmentStatus.RETURNED, ShipmentStatus.CONSUMED)
DATA_CLASSES = (PolicyDataClass.MEDICAL_DATA, PolicyDataClass.INSURANCE_DATA)


def _stops_data(withdrawal: Withdrawal) -> bool:
    """A level that stops access or use, or a withdrawn policy about data."""
    if withdrawal.level in BLOCKING_LEVELS:
        return True
    codes = list(withdrawal.policy_codes)
    return bool(codes) and Policy.objects.filter(code__in=codes, data_class__in=DATA_CLASSES).exists()


def _chair_of(resource: RequestResource) -> Any:
    seat = (
        CommitteeMember.objects.filter(active=True, role="chair")
        .filter(committee__biobank_id=resource.biobank_id)
        .select_related("user")
        .first()
    )
    if seat is None and resource.biobank.network_id:
        seat = (
            CommitteeMember.objects.filter(active=True, role="chair", committee__network_id=resource.biobank.network_id)
            .select_related("user")
            .first()
        )
    return seat.user if seat else None


def requests_withdrawal_notify(*, actor: Any, withdrawal: Withdrawal) -> dict[str, int]:
    """The effect (``access_requests.requests``): see the module docstring. Safe to run again: a resource already
    told of this propagation is skipped."""
    donors = set(withdrawal.donor_ids)
    per_resource: dict[int, dict[str, Any]] = defaultdict(lambda: {"releases": {}, "shipment_specimens": 0})
    if _stops_data(withdrawal):
        rows = (
            ReleaseDonor.objects.filter(donor_id__in=donors, release__status=ReleaseStatus.READY)
            .values_list("release__resource_id", "release_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for resource_id, release_id, n in rows:
            per_resource[resource_id]["releases"][release_id] = n
    dropped = 0
    if withdrawal.blocks_material:
        items = list(
            ShipmentItem.objects.filter(
                specimen__donor_id__in=donors, shipment__status__in=OPEN_SHIPMENTS
            ).select_related("shipment", "specimen")
        )
        prepared = [i for i in items if i.shipment.status == ShipmentStatus.PREPARED]
        for item in items:
            per_resource[item.shipment.resource_id]["shipment_specimens"] += 1
        still_reserved = [i.specimen for i in prepared if i.specimen.status == SpecimenStatus.RESERVED]
        if still_reserved:
            specimens_release_reservation(
                actor=None, specimens=still_reserved, reason=_("The donor withdrew; dropped from the shipment.")
            )
        dropped = len(prepared)
        ShipmentItem.objects.filter(pk__in=[i.pk for i in prepared]).delete()
    notified = 0
    for resource in RequestResource.objects.filter(pk__in=list(per_resource)).select_related(
        "request__researcher", "biobank"
    ):
        done = RequestEvent.objects.filter(
            resource=resource, kind="withdrawal.notified", data__propagation=withdrawal.propagation_id
        )
        if withdrawal.propagation_id is not None and done.exists():
            continue
        info = per_resource[resource.pk]
        releases = info["releases"]
        data = {
            "propagation": withdrawal.propagation_id,
            "releases": {str(k): v for k, v in releases.items()},
            "donors": max(releases.values(), default=0),
            "shipment_specimens": info["shipment_specimens"],
        }
        event_record(request=resource.request, resource=resource, actor=actor, kind="withdrawal.notified", data=data)
        context = {
            "request": resource.request,
            "biobank": resource.biobank.name,
            "releases": sorted(releases.items()),
            "shipment_specimens": info["shipment_specimens"],
        }
        recipients = {resource.request.researcher.email}
        chair = _chair_of(resource)
        if chair is not None:
            recipients.add(chair.email)
        for address in sorted(recipients):
            queue_email(template="access_requests/withdrawal_notice", to=address, context=context)
        notified += 1
    return {
        "requests_notified": notified,
        "releases": sum(len(v["releases"]) for v in per_resource.values()),
        "shipment_specimens_dropped": dropped,
    }


def donor_projects(donor_ids: frozenset[int]) -> list[dict[str, Any]]:
    """The projects that received data (a built release) or material (a shipment that left) of the donor family
    ``donor_ids``: lay title, the researcher's institution, the purpose in words, the entitlement's dates."""
    from_releases = ReleaseDonor.objects.filter(
        donor_id__in=donor_ids, release__status__in=[ReleaseStatus.READY, ReleaseStatus.WITHDRAWN]
    ).values_list("release__resource_id", flat=True)
    from_shipments = ShipmentItem.objects.filter(
        specimen__donor_id__in=donor_ids, shipment__status__in=RECEIVED_SHIPMENTS
    ).values_list("shipment__resource_id", flat=True)
    resources = (
        RequestResource.objects.filter(pk__in=set(from_releases) | set(from_shipments))
        .select_related("request")
        .order_by("request_id")
    )
    projects: dict[int, dict[str, Any]] = {}
    for resource in resources:
        request = resource.request
        dates = Entitlement.objects.filter(resource=resource).aggregate(start=Min("starts_on"), end=Max("ends_on"))
        start = dates["start"] or (resource.created_at.date())
        if request.pk in projects:
            project = projects[request.pk]
            project["start"] = min(project["start"], start)
            if dates["end"] and (project["end"] is None or dates["end"] > project["end"]):
                project["end"] = dates["end"]
            continue
        profile = ResearcherProfile.objects.filter(user_id=request.researcher_id).first()
        projects[request.pk] = {
            "title": request.title,
            "institution": profile.institution if profile else "",
            "purpose": str(request.get_purpose_kind_display()),
            "start": start,
            "end": dates["end"],
        }
    return sorted(projects.values(), key=lambda p: p["start"])
