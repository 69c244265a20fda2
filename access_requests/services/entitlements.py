"""Entitlements: who may use a resource's collections and releases until when (issue 14, item 7; REMS, dbGaP).

``resource_grant`` (a DAC chair) turns accepted conditions into access: one ``Entitlement`` per researcher and
confirmed co-applicant, from today to the decision's ``access_ends_on`` — or, when the committee set none, today
plus the request's duration capped at twelve months (dbGaP grants one year at a time) — and django-guardian object
permissions on the resource's approved collections (``catalog.view_collection``) and READY releases
(``access_requests.download_release``). ``entitlement_perms_sync`` makes the permissions match the running
entitlements and is called in the same transaction as every change (grant, revoke, expiry, renewal, close, and by
the release builder when a release becomes ready), so access is gone the moment the change commits.

Renewal (``entitlement_renew``) ends the running rows and starts new ones (history stays row by row) and needs a
progress report submitted since the last grant or renewal. Closing (``request_close``) needs a destruction
certificate when data was asked or released.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from biobank.accounts.choices import Perm
from biobank.accounts.emails import queue_email
from biobank.accounts.models import User
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.errors import ConflictError, DomainError, ForbiddenError

from ..choices import ReleaseStatus, ReportKind, RequestStatus, ResourceStatus, TeamRole
from ..models import AccessRequest, Decision, Entitlement, Release, Report, RequestResource
from .workflow import event_record, request_transition, resource_transition

MAX_MONTHS = 12  # dbGaP: access is granted for one year; longer projects renew with a progress report
WARN_DAYS = 30
VIEW_COLLECTION = "catalog.view_collection"
DOWNLOAD_RELEASE = "access_requests.download_release"


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def running(queryset: QuerySet[Entitlement] | None = None) -> QuerySet[Entitlement]:
    return (queryset if queryset is not None else Entitlement.objects.all()).filter(
        ended_at__isnull=True, revoked_at__isnull=True
    )


def _require_decider(actor: Any, resource: RequestResource) -> None:
    if not user_has_biobank_perm(user=actor, biobank=resource.biobank, perm=Perm.DECIDE_REQUESTS):
        raise ForbiddenError(
            _("Only the DAC chair of %(biobank)s grants, renews or revokes access to its resources.")
            % {"biobank": resource.biobank.name}
        )


def access_end_for(resource: RequestResource, *, today: date) -> date:
    """The decision's end date, else today + the request's duration (at most twelve months)."""
    decision = Decision.objects.filter(resource=resource).first()
    if decision is not None and decision.access_ends_on is not None:
        if decision.access_ends_on < today:
            raise ConflictError(
                _("The committee's access end date (%(day)s) has passed; the committee must decide again.")
                % {"day": decision.access_ends_on.isoformat()},
                code="access_ended",
            )
        return decision.access_ends_on
    months = min(resource.request.duration_months or MAX_MONTHS, MAX_MONTHS)
    return add_months(today, months)


def entitled_users(request: AccessRequest) -> list[User]:
    """The researcher and every co-applicant who confirmed with an account."""
    users = [request.researcher]
    for member in request.team.filter(
        role=TeamRole.CO_APPLICANT, confirmed_at__isnull=False, user__isnull=False
    ).select_related("user"):
        if member.user not in users:
            users.append(member.user)  # type: ignore[arg-type]
    return users


def entitlement_perms_sync(resource: RequestResource) -> None:
    """Give each user with a running entitlement on ``resource`` its collections and READY releases; take them from
    everyone else who had an entitlement on it (unless another running entitlement still covers the object)."""
    collections = list(resource.collections.all())
    releases = list(Release.objects.filter(resource=resource, status=ReleaseStatus.READY))
    releases_gone = Release.objects.filter(resource=resource).exclude(status=ReleaseStatus.READY)
    holders = User.objects.filter(pk__in=Entitlement.objects.filter(resource=resource).values("user_id"))
    for user in holders:
        own = running(Entitlement.objects.filter(user=user))
        if own.filter(resource=resource).exists():
            for collection in collections:
                assign_perm(VIEW_COLLECTION, user, collection)
            for release in releases:
                assign_perm(DOWNLOAD_RELEASE, user, release)
            for release in releases_gone:
                remove_perm(DOWNLOAD_RELEASE, user, release)
            continue
        covered = set(
            RequestResource.collections.through.objects.filter(
                requestresource_id__in=own.values("resource_id")
            ).values_list("collection_id", flat=True)
        )
        for collection in collections:
            if collection.pk not in covered:
                remove_perm(VIEW_COLLECTION, user, collection)
        for release in Release.objects.filter(resource=resource):
            remove_perm(DOWNLOAD_RELEASE, user, release)


def _start(*, actor: Any, resource: RequestResource, users: Iterable[User], starts_on: date, ends_on: date) -> None:
    for user in users:
        Entitlement.objects.create(resource=resource, user=user, starts_on=starts_on, ends_on=ends_on, granted_by=actor)


@transaction.atomic
def resource_grant(*, actor: Any, resource: RequestResource) -> RequestResource:
    """Grant access on a resource whose conditions were accepted (a repeated grant changes nothing)."""
    resource = RequestResource.objects.select_for_update().select_related("request", "biobank").get(pk=resource.pk)
    _require_decider(actor, resource)
    if resource.status == ResourceStatus.ACCESS_GRANTED:
        return resource  # idempotent: already granted
    today = timezone.localdate()
    ends_on = access_end_for(resource, today=today)
    request = resource.request
    resource_transition(resource=resource, to=ResourceStatus.ACCESS_GRANTED, actor=actor)
    users = entitled_users(request)
    _start(actor=actor, resource=resource, users=users, starts_on=today, ends_on=ends_on)
    entitlement_perms_sync(resource)
    event_record(
        request=request,
        resource=resource,
        actor=actor,
        kind="entitlement.granted",
        data={"users": [u.email for u in users], "starts_on": today.isoformat(), "ends_on": ends_on.isoformat()},
    )
    if request.status == RequestStatus.DECIDED:
        request_transition(request=request, to=RequestStatus.ACTIVE, actor=actor)
    return resource


def _after_ending(*, request: AccessRequest, actor: Any, to: str, reason: str = "") -> None:
    """Move the request to ``to`` when it is active and no entitlement on it runs any more."""
    request.refresh_from_db(fields=["status"])
    if request.status == RequestStatus.ACTIVE and not running().filter(resource__request=request).exists():
        request_transition(request=request, to=to, actor=actor, reason=reason)


@transaction.atomic
def entitlement_revoke(
    *, actor: Any, reason: str, entitlement: Entitlement | None = None, resource: RequestResource | None = None
) -> list[Entitlement]:
    """Revoke one entitlement, or every running one on a resource; access is removed in this transaction."""
    if (entitlement is None) == (resource is None):
        raise DomainError(_("Name either an entitlement or a resource to revoke."), field="entitlement")
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Revoking access needs a reason."), field="reason", code="required")
    target = resource if resource is not None else entitlement.resource  # type: ignore[union-attr]
    target = RequestResource.objects.select_for_update().select_related("request", "biobank").get(pk=target.pk)
    _require_decider(actor, target)
    rows = running(Entitlement.objects.filter(resource=target)).select_for_update()
    if entitlement is not None:
        rows = rows.filter(pk=entitlement.pk)
    revoked = list(rows)
    if not revoked:
        raise ConflictError(_("There is no running entitlement to revoke here."), code="not_running")
    now = timezone.now()
    Entitlement.objects.filter(pk__in=[e.pk for e in revoked]).update(
        revoked_at=now, revoked_by=actor, revoke_reason=reason
    )
    entitlement_perms_sync(target)
    event_record(
        request=target.request,
        resource=target,
        actor=actor,
        kind="entitlement.revoked",
        reason=reason,
        data={"users": [e.user.email for e in revoked]},
    )
    _after_ending(request=target.request, actor=actor, to=RequestStatus.REVOKED, reason=reason)
    for e in revoked:
        e.refresh_from_db()
    return revoked


def entitlements_warn(*, today: date | None = None) -> int:
    """Tell each holder once, 30 days ahead, that their access ends (the daily beat task)."""
    today = today or timezone.localdate()
    due = running().filter(warned_at__isnull=True, ends_on__lte=today + timedelta(days=WARN_DAYS))
    count = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            row = running().select_for_update(skip_locked=True).filter(pk=pk, warned_at__isnull=True).first()
            if row is None:
                continue
            Entitlement.objects.filter(pk=pk).update(warned_at=timezone.now())
            resource = RequestResource.objects.select_related("request", "biobank").get(pk=row.resource_id)
            queue_email(
                template="access_requests_expiring",
                to=row.user.email,
                context={"entitlement": row, "resource": resource, "request": resource.request},
            )
            event_record(
                request=resource.request,
                resource=resource,
                actor=None,
                kind="entitlement.expiring",
                data={"user": row.user.email, "ends_on": row.ends_on.isoformat()},
                audit_obj=row,
            )
            count += 1
    return count


def entitlements_expire(*, today: date | None = None) -> int:
    """End every entitlement whose last day has passed, remove its permissions, expire requests left without any."""
    today = today or timezone.localdate()
    count = 0
    for resource_id in running().filter(ends_on__lt=today).order_by().values_list("resource_id", flat=True).distinct():
        with transaction.atomic():
            resource = (
                RequestResource.objects.select_for_update().select_related("request", "biobank").get(pk=resource_id)
            )
            rows = list(running(Entitlement.objects.filter(resource=resource, ends_on__lt=today)).select_for_update())
            if not rows:
                continue
            Entitlement.objects.filter(pk__in=[e.pk for e in rows]).update(ended_at=timezone.now())
            entitlement_perms_sync(resource)
            event_record(
                request=resource.request,
                resource=resource,
                actor=None,
                kind="entitlement.expired",
                data={"users": [e.user.email for e in rows], "ends_on": rows[0].ends_on.isoformat()},
            )
            _after_ending(request=resource.request, actor=None, to=RequestStatus.EXPIRED)
            count += len(rows)
    return count


def last_grant_at(request: AccessRequest) -> Any:
    return Entitlement.objects.filter(resource__request=request).aggregate(at=Max("granted_at"))["at"]


@transaction.atomic
def entitlement_renew(
    *, actor: Any, request: AccessRequest, until: date, report: Report | None = None
) -> AccessRequest:
    """Extend access to ``until`` on the request's granted resources the actor decides for (new entitlement rows);
    needs a progress report submitted since the last grant or renewal."""
    request = AccessRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in (RequestStatus.ACTIVE, RequestStatus.EXPIRED):
        raise ConflictError(
            _("Only an active or expired request is renewed; this one is %(status)s.")
            % {"status": request.get_status_display()},
            code="transition",
        )
    resources = [
        r
        for r in request.resources.filter(status=ResourceStatus.ACCESS_GRANTED).select_related("biobank")
        if user_has_biobank_perm(user=actor, biobank=r.biobank, perm=Perm.DECIDE_REQUESTS)
    ]
    if not resources:
        raise ForbiddenError(_("Only the DAC chair of a biobank that granted access renews it."))
    since = last_grant_at(request)
    reports = Report.objects.filter(request=request, kind=ReportKind.PROGRESS)
    if since is not None:
        reports = reports.filter(submitted_at__gt=since)
    if report is not None:
        reports = reports.filter(pk=report.pk)
    progress = reports.order_by("-submitted_at").first()
    if progress is None:
        raise ConflictError(
            _("A renewal needs a progress report submitted since access was last granted or renewed."),
            field="report",
            code="progress_report_required",
        )
    today = timezone.localdate()
    if until <= today or until > add_months(today, MAX_MONTHS):
        raise DomainError(
            _("Renew until a day after today and at most twelve months ahead (by %(last)s).")
            % {"last": add_months(today, MAX_MONTHS).isoformat()},
            field="until",
        )
    for resource in resources:
        users = [
            e.user for e in Entitlement.objects.filter(resource=resource).select_related("user").order_by("-granted_at")
        ]
        revoked = set(
            Entitlement.objects.filter(resource=resource, revoked_at__isnull=False).values_list("user_id", flat=True)
        )
        keep = list({u.pk: u for u in users if u.pk not in revoked}.values())
        running(Entitlement.objects.filter(resource=resource)).update(ended_at=timezone.now())
        _start(actor=actor, resource=resource, users=keep, starts_on=today, ends_on=until)
        entitlement_perms_sync(resource)
        event_record(
            request=request,
            resource=resource,
            actor=actor,
            kind="entitlement.renewed",
            data={"until": until.isoformat(), "report": progress.pk, "users": [u.email for u in keep]},
        )
    if request.status == RequestStatus.EXPIRED:
        request_transition(request=request, to=RequestStatus.ACTIVE, actor=actor, reason=progress.title)
    return request


def data_was_asked_or_released(request: AccessRequest) -> bool:
    return bool(request.data_categories) or Release.objects.filter(resource__request=request).exists()


@transaction.atomic
def request_close(*, actor: Any, request: AccessRequest) -> AccessRequest:
    """Close out an active or expired request (the researcher, or a DAC chair of one of its biobanks); for data a
    destruction certificate must have been reported (dbGaP close-out). Running entitlements end now."""
    request = AccessRequest.objects.select_for_update().get(pk=request.pk)
    is_chair = any(
        user_has_biobank_perm(user=actor, biobank=r.biobank, perm=Perm.DECIDE_REQUESTS)
        for r in request.resources.select_related("biobank")
    )
    if request.researcher_id != actor.pk and not is_chair:
        raise ForbiddenError(_("Only the researcher or a DAC chair of the request's biobanks closes it."))
    if request.status == RequestStatus.CLOSED:
        return request  # idempotent
    if (
        request.status in (RequestStatus.ACTIVE, RequestStatus.EXPIRED)
        and data_was_asked_or_released(request)
        and not Report.objects.filter(request=request, kind=ReportKind.DESTRUCTION).exists()
    ):
        raise ConflictError(
            _("Before closing, report the destruction of the data (a data destruction certificate)."),
            field="report",
            code="destruction_required",
        )
    request_transition(request=request, to=RequestStatus.CLOSED, actor=actor)
    for resource in request.resources.all():
        if running(Entitlement.objects.filter(resource=resource)).update(ended_at=timezone.now()):
            entitlement_perms_sync(resource)
    return request
